"""Synthetic renderings -> augmented, normalised model inputs (the training side of `preprocess`).

The same steps as inference (internal joints, Gaussian smoothing, height scaling, part channels) run here
vectorised over a whole batch, with the nuisances of real footage added first: random scale, camera roll,
joint noise, and joints lost for a while and filled the way the readers fill them.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
from scipy.ndimage import gaussian_filter1d

from ..preprocess import (
    DEFAULT_TARGET_HEIGHT,
    SMOOTH_SIGMA,
    NormStats,
    coco_to_internal,
    part_channels,
    sequence_heights,
)
from .config import TrainConfig


def heights(points: np.ndarray) -> np.ndarray:
    """Per-sequence height, shape (...): `sequence_heights` from bone lengths, as at inference; (..., T, 15, 2)."""
    return np.maximum(sequence_heights(points), 1e-3)


def augment(points: np.ndarray, cfg: TrainConfig, rng: np.random.Generator) -> np.ndarray:
    """Nuisances on internal joints (..., T, 15, 2), already at unit height. Each rendering draws its own."""
    lead = points.shape[:-3]
    t = points.shape[-3]
    out = points.copy()
    if cfg.roll_deg > 0:  # camera roll about the body centre
        angle = np.deg2rad(np.clip(rng.normal(0, cfg.roll_deg, size=lead), -3 * cfg.roll_deg, 3 * cfg.roll_deg))
        c, s = np.cos(angle)[..., None, None], np.sin(angle)[..., None, None]
        centre = out.mean(axis=(-3, -2), keepdims=True)
        x, y = out[..., 0] - centre[..., 0], out[..., 1] - centre[..., 1]
        out = np.stack([c * x - s * y, s * x + c * y], axis=-1) + centre
    if cfg.noise_max > 0:
        level = rng.uniform(0, cfg.noise_max, size=lead)[..., None, None, None]
        out = out + rng.normal(size=out.shape) * level
    if cfg.drop_prob > 0:  # a joint disappears for a span and is held at its last position (reader fill)
        flat = out.reshape(-1, t, 15, 2)
        for k in np.flatnonzero(rng.random(len(flat)) < cfg.drop_prob):
            for j in rng.choice(15, size=rng.integers(1, 4), replace=False):
                start = int(rng.integers(1, t))
                stop = min(t, start + int(rng.integers(2, t // 2 + 2)))
                flat[k, start:stop, j] = flat[k, start - 1, j]
        out = flat.reshape(out.shape)
    return out


def renderings_to_channels(renderings: np.ndarray, cfg: TrainConfig | None, rng: np.random.Generator | None,
                           target_height: float = DEFAULT_TARGET_HEIGHT) -> np.ndarray:
    """COCO-17 renderings (..., T, 17, 2) -> raw 38 channels (..., 38, T), augmented when ``cfg`` is given."""
    points = coco_to_internal(renderings.astype(np.float32))
    scale = target_height / heights(points)
    if cfg is not None and rng is not None:
        lo, hi = cfg.scale_range
        scale = scale * np.exp(rng.uniform(np.log(lo), np.log(hi), size=scale.shape))
    points = points * scale[..., None, None, None]
    if cfg is not None and rng is not None:
        points = augment(points, cfg, rng)
    points = gaussian_filter1d(points, sigma=SMOOTH_SIGMA, axis=-3, mode="nearest")
    return part_channels(points)


def normalise(channels: np.ndarray, stats: NormStats) -> np.ndarray:
    """z-normalise raw channels (..., 38, T) with the checkpoint statistics."""
    return ((channels - stats.mean[:, None]) / stats.std[:, None]).astype(np.float32)


class Batch(Protocol):
    renderings: np.ndarray  # (B, 3, 2, 2, T, 17, 2): motions m, m'', m' x skeletons x views, COCO-17 2-D
    variation: np.ndarray  # (B,): var(m, m'') of eq. 2
    # optional per-part 3-D differences (B, 5), (B, 5), (B, B, 5): see `motionsim.synth.TrainingBatch`
    part_change: np.ndarray | None
    part_negative: np.ndarray | None
    part_pairwise: np.ndarray | None


class BatchSource(Protocol):
    """Anything that yields training items (`motionsim.synth.SynthSampler`, `SaraSampler`)."""

    def sample_batch(self, n: int, random_state: np.random.Generator) -> Batch: ...
