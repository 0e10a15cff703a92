"""Shared helpers of the evaluation tests: a toy benchmark with known ground truth and two reference methods."""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np

from motionsim.evaluate import Method


class OracleMethod(Method):
    """Scores with the ground truth itself (same action -> 1, else 0): the best any method can do."""

    name, label = "oracle", "oracle (same action)"

    def __init__(self, actions: dict[str, str]):
        self.actions = actions

    def _features(self, seq):
        return self.actions[Path(seq.source.replace(" (mirrored)", "")).stem]

    def score(self, a, b) -> float:
        return float(a == b)


class RandomMethod(Method):
    """Scores unrelated to the motion (a hash of the two clips' lengths and a salt): correlation ~ 0."""

    name, label = "random", "random scores"

    def _features(self, seq):
        return len(seq) * 7919 + int(seq.keypoints[0, 0, 0] * 1000)

    def score(self, a, b) -> float:
        return zlib.crc32(f"{a}-{b}".encode()) / 2**32


def spearman_of(ev, name: str) -> tuple[float, float]:
    row = next(r for r in ev.results if r.name == name)
    return row.original, row.body_flip


def rng_clip(seed: int, n_frames: int = 70) -> np.ndarray:
    from motionsim.evaluate.toy import pose_frames

    return pose_frames("wave", n_frames, np.random.default_rng(seed))
