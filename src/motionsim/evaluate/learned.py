"""Learned single-embedding baselines (whole-body encoder, LSTM): checkpoints and the evaluation method.

A baseline checkpoint is a BPE checkpoint's file layout (`motionsim.model.checkpoint.write_network`) with
its own format tag and the network kind in the header. Without a trained checkpoint a baseline reports
itself unavailable and the harness skips its row instead of failing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType, ModuleType
from typing import Any

import numpy as np
import torch
from torch import nn

from ..dtw import BULK, mean_similarity_along_path
from ..embed import embed_windows
from ..errors import CheckpointError
from ..model.checkpoint import NetworkCheckpoint, read_network, write_network
from ..model.torch_encoder import TorchEncoder
from ..pose import PoseSequence
from ..preprocess import NormStats
from . import lstm, whole_body
from .method_base import Method

log = logging.getLogger(__name__)

FORMAT = "motionsim-baseline"
FORMAT_VERSION = 1

#: Network kind -> module with KIND, build(config), raw_input(seq, target_height, min_frames, pad_short, mirrored).
NETWORKS: MappingProxyType[str, ModuleType] = MappingProxyType({"whole_body": whole_body, "lstm": lstm})
LABELS = MappingProxyType({"whole_body": "Aberman et al. (whole body)", "lstm": "Coskun et al. (LSTM)"})
REFERENCES = MappingProxyType({
    "whole_body": "K. Aberman et al., ACM Trans. Graph. 38(4), 2019",
    "lstm": "H. Coskun et al., ECCV 2018",
})
TRAIN_HINT = "train one with `python -m motionsim.evaluate.train_baselines {kind} --out PATH` and pass --{flag} PATH"


@dataclass
class BaselineCheckpoint(NetworkCheckpoint):
    """A trained baseline network (``kind``: a key of `NETWORKS`) plus what is needed to feed it."""

    kind: str = ""

    def _unsaved_name(self) -> str:
        return f"{self.kind} (in memory)"


def default_baseline_path(kind: str) -> Path | None:
    """The bundled checkpoint of a baseline, if the package ships one (``weights/baseline_<kind>.safetensors``)."""
    path = Path(str(resources.files("motionsim") / "weights" / f"baseline_{kind}.safetensors"))
    return path if path.is_file() else None


def save_baseline(ckpt: BaselineCheckpoint, path: str | Path) -> Path:
    """Write a baseline checkpoint (safetensors)."""
    return write_network(ckpt, path, {"format": FORMAT, "format_version": str(FORMAT_VERSION), "kind": ckpt.kind,
                                      "config": json.dumps(ckpt.model.config.to_dict())})


def load_baseline(path: str | Path, kind: str) -> BaselineCheckpoint:
    """Read a baseline checkpoint of the given kind; `CheckpointError` with the reason otherwise."""
    path = Path(path)

    def check(header: dict[str, str]) -> None:
        if header.get("kind") != kind:
            raise CheckpointError(f"{path}: holds a {header.get('kind')!r} network, expected {kind!r}")

    model, stats, header = read_network(
        path, FORMAT, lambda h: NETWORKS[kind].build(json.loads(h["config"])), what=f"{kind} checkpoint",
        noun="motionsim baseline checkpoint", network=kind, check=check)
    return BaselineCheckpoint(model, stats, header["target_height"], header["training"], str(path), kind=kind)


def embed_clip_windows(net: nn.Module, inputs: Sequence[np.ndarray], window: int, stride: int,
                       batch_size: int = 4096) -> list[np.ndarray]:
    """Embed every window of every clip with one network; rows L2-normalised, one (n_i, D) array per clip."""
    def encode(x: torch.Tensor) -> dict[str, torch.Tensor]:
        return {"body": net(x)}

    return [e["body"] for e in embed_windows(TorchEncoder(net, encode), inputs, window, stride, batch_size)]


class WindowEmbeddingMethod(Method):
    """A learned baseline: one embedding per window of w frames (every r frames), DTW on cosine distance,
    score = mean cosine along the path (Algorithm 1 with the whole body as a single part)."""

    def __init__(self, kind: str, model: BaselineCheckpoint | str | Path | None = None, window: int = 32,
                 stride: int = 2, pad_short: bool = True):
        if kind not in NETWORKS:
            raise ValueError(f"unknown baseline network {kind!r}; known: {', '.join(NETWORKS)}")
        self.name, self.label, self.reference = kind, LABELS[kind], REFERENCES[kind]
        self.window, self.stride, self.pad_short = window, stride, pad_short
        self._ckpt: BaselineCheckpoint | None = model if isinstance(model, BaselineCheckpoint) else None
        self._path = None if isinstance(model, BaselineCheckpoint) else (model or default_baseline_path(kind))

    def unavailable_reason(self) -> str | None:
        if self._ckpt is None and self._path is None:
            flag = "whole-body-model" if self.name == "whole_body" else "lstm-model"
            return f"not available: no trained checkpoint ({TRAIN_HINT.format(kind=self.name, flag=flag)})"
        return None

    @property
    def checkpoint(self) -> BaselineCheckpoint:
        if self._ckpt is None:
            if self._path is None:
                raise CheckpointError(f"{self.name}: {self.unavailable_reason()}")
            self._ckpt = load_baseline(self._path, self.name)
        return self._ckpt

    def describe(self) -> str:
        return self.checkpoint.name

    def training_record(self) -> dict[str, Any]:
        return dict(self.checkpoint.training)

    def prepare(self, seqs: Sequence[PoseSequence], mirrored: bool = False) -> list[np.ndarray]:
        ckpt = self.checkpoint
        net = NETWORKS[self.name]
        inputs = [ckpt.stats.normalize(net.raw_input(s, ckpt.target_height, self.window, self.pad_short, mirrored))
                  for s in seqs]
        return embed_clip_windows(ckpt.model, inputs, self.window, self.stride) if inputs else []

    def score(self, a: np.ndarray, b: np.ndarray) -> float:
        return mean_similarity_along_path(np.clip(a @ b.T, -1.0, 1.0), kernel=BULK)


def untrained_baseline(kind: str, seed: int = 0, config: dict | None = None) -> BaselineCheckpoint:
    """A baseline network with seeded random weights and identity statistics: the reference a trained
    baseline is reported against, and a stand-in for tests."""
    if kind not in NETWORKS:
        raise ValueError(f"unknown baseline network {kind!r}; known: {', '.join(NETWORKS)}")
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = NETWORKS[kind].build(config)
    model.eval()
    n = 38 if kind == "whole_body" else lstm.N_INPUT
    stats = NormStats(np.zeros(n, np.float32), np.ones(n, np.float32))
    return BaselineCheckpoint(model, stats, training={"trained": False, "seed": seed}, kind=kind)
