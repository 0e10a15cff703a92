"""The BPE network and its checkpoints (PyTorch), its motion encoders on onnxruntime (`model.onnx`), and which
of them scores (`model.runtime`).

Names load on first use, so ``motionsim.model.onnx`` and ``motionsim.model.runtime`` work without PyTorch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

__all__ = ["BPEConfig", "BPEModel", "Checkpoint", "InferenceModel", "OnnxModel", "RUNTIMES", "count_parameters",
           "default_model_path", "load_model", "resolve_model", "save_model"]

if TYPE_CHECKING:  # pragma: no cover
    from .bpe import BPEConfig, BPEModel, count_parameters
    from .checkpoint import Checkpoint, default_model_path, load_model, save_model
    from .onnx import OnnxModel
    from .runtime import RUNTIMES, InferenceModel, resolve_model

__getattr__ = lazy_exports(__name__, {
    "BPEConfig": "bpe", "BPEModel": "bpe", "count_parameters": "bpe", "Checkpoint": "checkpoint",
    "default_model_path": "checkpoint", "load_model": "checkpoint", "save_model": "checkpoint", "OnnxModel": "onnx",
    "InferenceModel": "runtime", "RUNTIMES": "runtime", "resolve_model": "runtime"})
