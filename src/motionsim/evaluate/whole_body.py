"""Whole-body motion encoder, after Aberman et al. 2019 (the "one embedding for the whole body" baseline).

Aberman et al. learn a character- and view-agnostic motion code with one temporal-conv encoder over all
joints; the BPE paper trains it on its data and compares window codes with Algorithm 1 using a single
embedding instead of five. Here: the BPE preprocessing (36 part-relative position channels + the mid-hip
velocity = 38 channels, z-normalised) into one `MotionEncoder` (strided convs, T -> T/8).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn

from ..model.layers import MotionEncoder
from ..pose import PoseSequence
from ..preprocess import mirror, pad_frames, part_channels, prepare_points
from ..skeleton import N_CHANNELS

KIND = "whole_body"


@dataclass(frozen=True)
class WholeBodyConfig:
    """Channel widths: input 38 (all parts + velocity), then Aberman's 64 -> 96 -> 128."""

    hidden: tuple[int, ...] = (64, 96, 128)

    def to_dict(self) -> dict:
        return asdict(self)

    @staticmethod
    def from_dict(d: dict) -> WholeBodyConfig:
        return WholeBodyConfig(hidden=tuple(d.get("hidden", WholeBodyConfig.hidden)))


class WholeBodyEncoder(nn.Module):
    """One motion encoder over the whole body: (N, 38, T) -> flattened code (N, 128 * T/8)."""

    def __init__(self, config: WholeBodyConfig | None = None):
        super().__init__()
        self.config = config or WholeBodyConfig()
        self.encoder = MotionEncoder((N_CHANNELS, *self.config.hidden))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x).flatten(1)


def raw_input(seq: PoseSequence, target_height: float, min_frames: int, pad_short: bool,
              mirrored: bool = False) -> np.ndarray:
    """Un-normalised input channels of one clip, shape=(38, T) (the BPE channels, all parts together)."""
    points = prepare_points(seq, target_height)
    if pad_short:
        points = pad_frames(points, min_frames)
    channels = part_channels(points)
    return mirror(channels, "body") if mirrored else channels


def build(config: dict | None = None) -> WholeBodyEncoder:
    return WholeBodyEncoder(WholeBodyConfig.from_dict(config or {}))
