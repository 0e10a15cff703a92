"""Which model scores motions, on which runtime: the one place that turns "a path, a loaded model or None" into
an `InferenceModel`, loaded once per process and reused.

Two runtimes implement `InferenceModel`: `OnnxModel` (onnxruntime, the default: no PyTorch needed) and a
PyTorch `Checkpoint` (``.safetensors`` weights, from the ``train`` extra). Everything downstream (windowing,
similarity, search, evaluation) only calls ``embed`` and reads ``stats`` / ``target_height`` / ``name``.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from ..errors import CheckpointError, MissingExtraError
from ..preprocess import NormStats

#: Model runtimes: "auto" is onnxruntime for the bundled and ``.onnx`` models, PyTorch for ``.safetensors``.
RUNTIMES = ("auto", "onnx", "torch")


@runtime_checkable
class InferenceModel(Protocol):
    """What scoring needs from a model: its five motion encoders and how to feed them."""

    stats: NormStats  # z-normalisation of the 38 input channels
    target_height: float  # the body height sequences are scaled to before normalisation
    training: dict[str, Any]  # how the weights were trained (reported by evaluate)
    path: str | None  # the file it was read from (None: built in memory)
    backend: str  # "onnx" or "torch"

    @property
    def name(self) -> str:
        """A short name for results and tables (the file name)."""
        ...

    def embed(self, windows: np.ndarray) -> dict[str, np.ndarray]:
        """float32 windows (N, 38, w) -> {part: (N, D)}, rows not normalised."""
        ...


@functools.lru_cache(maxsize=4)
def _load(path: str | None, runtime: str) -> InferenceModel:
    if path is not None and Path(path).suffix.lower() == ".onnx":
        if runtime == "torch":
            raise CheckpointError(f"{path}: an ONNX model runs on onnxruntime; the torch runtime needs a "
                                  f".safetensors model")
        from .onnx import OnnxModel

        return OnnxModel(path)
    if path is None and runtime != "torch":
        from .onnx import OnnxModel, default_onnx_path

        default = default_onnx_path()
        if default is not None:
            return OnnxModel(default)
    if path is not None and runtime == "onnx":
        raise CheckpointError(f"{path}: the onnx runtime needs an .onnx model; export this one to ONNX first "
                              f"(motionsim.model.onnx.export_onnx)")
    try:
        from .checkpoint import load_model
    except ImportError as exc:
        if exc.name != "torch" and not (exc.name or "").startswith(("torch.", "safetensors")):
            raise
        what = "the bundled model on the torch runtime" if path is None else f"{path} (PyTorch weights)"
        raise MissingExtraError(f"{what} needs PyTorch: pip install 'motionsim[train]' (or use an .onnx model)"
                                ) from None
    return load_model(path)


def resolve_model(model: InferenceModel | str | Path | None = None, backend: str = "auto") -> InferenceModel:
    """The model to score with: a loaded model as is; None the bundled model (its ONNX export on onnxruntime;
    ``backend="torch"`` its PyTorch weights); an ``.onnx`` path on onnxruntime; a ``.safetensors`` path on
    PyTorch (needs ``motionsim[train]``). Files are loaded once per process (the last four are kept)."""
    if backend not in RUNTIMES:
        raise ValueError(f"backend must be one of {', '.join(RUNTIMES)}, got {backend!r}")
    if model is None or isinstance(model, (str, Path)):
        return _load(None if model is None else str(model), backend)
    if not isinstance(model, InferenceModel):
        raise TypeError(f"expected a model path or an InferenceModel, got {type(model).__name__}")
    return model


def single_threaded(model: InferenceModel) -> InferenceModel:
    """The model for work that keeps the other cores busy itself, or runs one small batch at a time: an
    onnxruntime model on one thread (a twin session, made once per model; the same embeddings bit for bit),
    others as they are. Its own threads would otherwise wait for each other: a live window costs 0.4 ms of CPU
    on one thread against 0.6 ms on two; score-pairs' embedding next to the thread that reads the next clips,
    8.4 -> 7.0 s."""
    from .onnx import OnnxModel

    return model.single_threaded() if isinstance(model, OnnxModel) else model


def clear_cache() -> None:
    """Forget the models loaded so far (a test that replaces a model file, a long-lived server)."""
    _load.cache_clear()
