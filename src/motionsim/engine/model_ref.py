"""Sending a model to another process: workers get a `ModelRef` (a file and a runtime) and load the model
themselves, once per worker; a loaded model stays as it is for the in-process engine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import MotionsimError
from ..model.runtime import InferenceModel, resolve_model
from .base import Engine


@dataclass(frozen=True)
class ModelRef:
    """A model by file (None: the bundled one) and runtime: what a worker needs to load the same model."""

    path: str | None
    backend: str = "auto"

    def load(self) -> InferenceModel:
        return resolve_model(self.path, self.backend)


def shareable(model: InferenceModel, engine: Engine) -> InferenceModel | ModelRef:
    """``model`` as a shard function receives it on ``engine``: itself in this process, else a `ModelRef`."""
    if engine.name == "local":
        return model
    if not model.path:
        raise MotionsimError("a model that was not loaded from a file cannot be sent to other processes")
    return ModelRef(str(model.path), "torch" if model.backend == "torch" else "auto")


def as_model(model: InferenceModel | ModelRef | Any) -> InferenceModel:
    """What a shard function scores with: a `ModelRef` loaded (cached per process), a model as is."""
    return model.load() if isinstance(model, ModelRef) else model
