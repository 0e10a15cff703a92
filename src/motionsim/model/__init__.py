"""The BPE network and its checkpoints (PyTorch), and its motion encoders on onnxruntime (`model.onnx`).

Names load on first use, so ``motionsim.model.onnx`` works without PyTorch installed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["BPEConfig", "BPEModel", "Checkpoint", "OnnxModel", "count_parameters", "default_model_path",
           "load_model", "save_model"]

if TYPE_CHECKING:  # pragma: no cover
    from .bpe import BPEConfig, BPEModel, count_parameters
    from .checkpoint import Checkpoint, default_model_path, load_model, save_model
    from .onnx import OnnxModel

_HOMES = {"BPEConfig": "bpe", "BPEModel": "bpe", "count_parameters": "bpe", "Checkpoint": "checkpoint",
          "default_model_path": "checkpoint", "load_model": "checkpoint", "save_model": "checkpoint",
          "OnnxModel": "onnx"}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'motionsim.model' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
