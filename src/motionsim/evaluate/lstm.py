"""LSTM metric-learning encoder, after Coskun et al. 2018 (the "Coskun et al." baseline of Table 2).

Coskun et al. learn motion embeddings with an LSTM over per-frame normalised joints, trained with a
triplet (metric-learning) loss. As in the BPE paper, each window of w frames gets one embedding and the
window sequences of two clips are aligned with DTW (Algorithm 1 with one embedding instead of five).
Input per frame: the 14 joints relative to the mid-hip (unit body height) and the mid-hip velocity = 30
channels, z-normalised with the checkpoint's statistics.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn

from ..pose import PoseSequence, mirror_sequence
from ..preprocess import pad_frames, prepare_points
from ..skeleton import INTERNAL15_INDEX, INTERNAL15_JOINTS

KIND = "lstm"
_MID = INTERNAL15_INDEX["mid_hip"]
_JOINTS = [i for i in range(len(INTERNAL15_JOINTS)) if i != _MID]
N_INPUT = 2 * len(_JOINTS) + 2  # 30


@dataclass(frozen=True)
class LSTMConfig:
    """Two LSTM layers of 128 units; the last hidden state projected to a 128-d embedding."""

    hidden: int = 128
    layers: int = 2
    embedding: int = 128

    def to_dict(self) -> dict:
        return asdict(self)

    @staticmethod
    def from_dict(d: dict) -> LSTMConfig:
        return LSTMConfig(**{k: int(v) for k, v in d.items() if k in LSTMConfig.__annotations__})


class LSTMEncoder(nn.Module):
    """(N, 30, T) windows -> (N, embedding): LSTM over time, last hidden state, linear projection."""

    def __init__(self, config: LSTMConfig | None = None):
        super().__init__()
        self.config = cfg = config or LSTMConfig()
        self.lstm = nn.LSTM(N_INPUT, cfg.hidden, num_layers=cfg.layers, batch_first=True)
        self.project = nn.Linear(cfg.hidden, cfg.embedding)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _, (h, _) = self.lstm(x.transpose(1, 2))
        return self.project(h[-1])


def raw_input(seq: PoseSequence, target_height: float, min_frames: int, pad_short: bool,
              mirrored: bool = False) -> np.ndarray:
    """Un-normalised per-frame features of one clip, shape=(30, T)."""
    if mirrored:
        seq = mirror_sequence(seq)
    points = prepare_points(seq, target_height)
    if pad_short:
        points = pad_frames(points, min_frames)
    centre = points[:, _MID]
    velocity = np.zeros_like(centre)
    velocity[1:] = centre[1:] - centre[:-1]
    rel = (points[:, _JOINTS] - centre[:, None]).reshape(len(points), -1)
    return np.concatenate([rel, velocity], axis=1).T.astype(np.float32)


def build(config: dict | None = None) -> LSTMEncoder:
    return LSTMEncoder(LSTMConfig.from_dict(config or {}))

