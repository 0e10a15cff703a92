"""Checkpoints: one safetensors file holding the weights, the normalisation statistics and a JSON header
(format tag, network config, joint layout, target height, training record).

safetensors cannot execute code on load (unlike pickle), so a checkpoint from anywhere is safe to open.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..errors import CheckpointError
from ..preprocess import DEFAULT_TARGET_HEIGHT, NormStats
from ..skeleton import BODY_PARTS, INTERNAL15_JOINTS
from .bpe import BPEConfig, BPEModel

log = logging.getLogger(__name__)

FORMAT = "motionsim-bpe"
FORMAT_VERSION = 1
DEFAULT_MODEL_NAME = "bpe_default.safetensors"
_STAT_KEYS = ("__norm_mean__", "__norm_std__")


@dataclass
class Checkpoint:
    """A model ready for inference plus what is needed to feed it."""

    model: BPEModel
    stats: NormStats
    target_height: float = DEFAULT_TARGET_HEIGHT
    training: dict[str, Any] = field(default_factory=dict)
    path: str | None = None

    @property
    def name(self) -> str:
        return Path(self.path).name if self.path else "untrained (random weights, seed 0)"


def save_model(ckpt: Checkpoint, path: str | Path) -> Path:
    """Write ``ckpt`` to ``path`` (safetensors)."""
    from safetensors.torch import save_file

    path = Path(path)
    tensors = {k: v.detach().cpu().contiguous() for k, v in ckpt.model.state_dict().items()}
    tensors[_STAT_KEYS[0]] = torch.from_numpy(np.ascontiguousarray(ckpt.stats.mean, dtype=np.float32))
    tensors[_STAT_KEYS[1]] = torch.from_numpy(np.ascontiguousarray(ckpt.stats.std, dtype=np.float32))
    header = {
        "format": FORMAT,
        "format_version": str(FORMAT_VERSION),
        "config": json.dumps(ckpt.model.config.to_dict()),
        "joints": json.dumps(list(INTERNAL15_JOINTS)),
        "body_parts": json.dumps(list(BODY_PARTS)),
        "target_height": repr(float(ckpt.target_height)),
        "training": json.dumps(ckpt.training),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(path), metadata=header)
    return path


def load_model(path: str | Path | None = None) -> Checkpoint:
    """Load a checkpoint for inference (eval mode). ``None`` loads the model shipped with the package,
    or, if none ships yet, an untrained network with seeded random weights (a warning is logged).
    """
    if path is None:
        default = default_model_path()
        if default is None:
            log.warning("no trained model is bundled yet: using an untrained network with seeded random weights")
            return untrained_checkpoint()
        path = default
    return _read(Path(path))


def untrained_checkpoint(seed: int = 0, config: BPEConfig | None = None) -> Checkpoint:
    """A deterministic random-weight model (identity normalisation): the reference every trained model
    is reported against, and what runs before a trained model exists."""
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = BPEModel(config)
    model.eval()
    return Checkpoint(model=model, stats=NormStats.identity(), training={"trained": False, "seed": seed})


def default_model_path() -> Path | None:
    """The bundled model file, if the package ships one."""
    ref = resources.files("motionsim") / "models" / DEFAULT_MODEL_NAME
    path = Path(str(ref))
    return path if path.is_file() else None


def read_safetensors(path: Path, what: str = "model") -> tuple[dict[str, str], dict[str, torch.Tensor]]:
    """(JSON header, tensors) of a safetensors file, or `CheckpointError` saying why not."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file, safe_open

    if not path.is_file():
        raise CheckpointError(f"{path}: {what} file not found")
    try:
        with safe_open(str(path), framework="pt") as f:
            header = f.metadata() or {}
        return header, load_file(str(path))
    except (SafetensorError, OSError, ValueError) as exc:
        raise CheckpointError(f"{path}: not a readable {what} (corrupt or not safetensors): {exc}") from exc


def _read(path: Path) -> Checkpoint:
    header, tensors = read_safetensors(path, "motionsim model")
    if header.get("format") != FORMAT:
        raise CheckpointError(f"{path}: not a motionsim model (format tag {header.get('format')!r})")
    if int(header.get("format_version", "0")) > FORMAT_VERSION:
        raise CheckpointError(f"{path}: made by a newer motionsim (format {header['format_version']}); upgrade")
    if json.loads(header.get("joints", "[]")) != list(INTERNAL15_JOINTS):
        raise CheckpointError(f"{path}: was trained on another joint layout")
    try:
        mean, std = (tensors.pop(k).numpy() for k in _STAT_KEYS)
        model = BPEModel(BPEConfig.from_dict(json.loads(header["config"])))
        model.load_state_dict(tensors, strict=True)
    except (KeyError, RuntimeError, ValueError, TypeError) as exc:
        raise CheckpointError(f"{path}: weights do not match the BPE network: {str(exc).splitlines()[0]}") from exc
    model.eval()
    return Checkpoint(
        model=model,
        stats=NormStats(mean.astype(np.float32), std.astype(np.float32)),
        target_height=float(header.get("target_height", DEFAULT_TARGET_HEIGHT)),
        training=json.loads(header.get("training", "{}")),
        path=str(path),
    )
