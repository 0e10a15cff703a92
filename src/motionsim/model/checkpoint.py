"""Checkpoints: one safetensors file holding the weights, the normalisation statistics and a JSON header
(format tag, network config, joint layout, target height, training record).

The BPE model and the learned baselines of the evaluation (`motionsim.evaluate.learned`) share the file
layout: `write_network` and `read_network` are the one copy of it. safetensors cannot execute code on load
(unlike pickle), so a checkpoint from anywhere is safe to open.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

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
class NetworkCheckpoint:
    """A network ready for inference plus what is needed to feed it (any network kind)."""

    model: nn.Module
    stats: NormStats
    target_height: float = DEFAULT_TARGET_HEIGHT
    training: dict[str, Any] = field(default_factory=dict)
    path: str | None = None

    @property
    def name(self) -> str:
        return Path(self.path).name if self.path else self._unsaved_name()

    def _unsaved_name(self) -> str:
        return "in memory"


@dataclass
class Checkpoint(NetworkCheckpoint):
    """A BPE model ready for inference plus what is needed to feed it."""

    model: BPEModel
    backend = "torch"

    def embed(self, windows: np.ndarray) -> dict[str, np.ndarray]:
        """The five motion embeddings of a batch of windows, shape=(N, 38, w) -> {part: (N, D)}."""
        from .torch_encoder import TorchEncoder

        return TorchEncoder(self.model).embed(windows)

    def _unsaved_name(self) -> str:
        return "untrained (random weights, seed 0)"


def write_network(ckpt: NetworkCheckpoint, path: str | Path, header: Mapping[str, str]) -> Path:
    """Write weights, normalisation statistics and ``header`` (plus target height and training record)."""
    from safetensors.torch import save_file

    path = Path(path)
    tensors = {k: v.detach().cpu().contiguous() for k, v in ckpt.model.state_dict().items()}
    tensors[_STAT_KEYS[0]] = torch.from_numpy(np.ascontiguousarray(ckpt.stats.mean, dtype=np.float32))
    tensors[_STAT_KEYS[1]] = torch.from_numpy(np.ascontiguousarray(ckpt.stats.std, dtype=np.float32))
    full = {**header, "target_height": repr(float(ckpt.target_height)), "training": json.dumps(ckpt.training)}
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(path), metadata=full)
    return path


def read_network(path: Path, tag: str, build: Callable[[dict[str, str]], nn.Module], *, what: str, noun: str,
                 network: str, check: Callable[[dict[str, str]], None] | None = None,
                 ) -> tuple[nn.Module, NormStats, dict[str, Any]]:
    """(network in eval mode, statistics, header) of a file written by `write_network`.

    ``tag``: the expected format tag; ``build(header)`` makes the empty network; ``check(header)`` may refuse
    the file first. ``what``, ``noun``, ``network`` name the file in the `CheckpointError` messages.
    """
    header, tensors = read_safetensors(path, what)
    if header.get("format") != tag:
        raise CheckpointError(f"{path}: not a {noun} (format tag {header.get('format')!r})")
    if check is not None:
        check(header)
    try:
        mean, std = (tensors.pop(k).numpy() for k in _STAT_KEYS)
        model = build(header)
        model.load_state_dict(tensors, strict=True)
    except (KeyError, RuntimeError, ValueError, TypeError) as exc:
        reason = str(exc).splitlines()[0]
        raise CheckpointError(f"{path}: weights do not match the {network} network: {reason}") from exc
    model.eval()
    record = {"target_height": float(header.get("target_height", DEFAULT_TARGET_HEIGHT)),
              "training": json.loads(header.get("training", "{}"))}
    return model, NormStats(mean.astype(np.float32), std.astype(np.float32)), {**header, **record}


def save_model(ckpt: Checkpoint, path: str | Path) -> Path:
    """Write ``ckpt`` to ``path`` (safetensors)."""
    return write_network(ckpt, path, {
        "format": FORMAT,
        "format_version": str(FORMAT_VERSION),
        "config": json.dumps(ckpt.model.config.to_dict()),
        "joints": json.dumps(list(INTERNAL15_JOINTS)),
        "body_parts": json.dumps(list(BODY_PARTS)),
    })


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
    ref = resources.files("motionsim") / "weights" / DEFAULT_MODEL_NAME
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


def _check_bpe(path: Path, header: dict[str, str]) -> None:
    if int(header.get("format_version", "0")) > FORMAT_VERSION:
        raise CheckpointError(f"{path}: made by a newer motionsim (format {header['format_version']}); upgrade")
    if json.loads(header.get("joints", "[]")) != list(INTERNAL15_JOINTS):
        raise CheckpointError(f"{path}: was trained on another joint layout")


def _read(path: Path) -> Checkpoint:
    model, stats, header = read_network(
        path, FORMAT, lambda h: BPEModel(BPEConfig.from_dict(json.loads(h["config"]))), what="motionsim model",
        noun="motionsim model", network="BPE", check=lambda h: _check_bpe(path, h))
    return Checkpoint(model=model, stats=stats, target_height=header["target_height"], training=header["training"],
                      path=str(path))
