"""Random smooth COCO-17 motions for benchmarks (sums of sinusoids around a standing pose)."""

from __future__ import annotations

import numpy as np

REST = np.array([
    [0, -160], [-6, -166], [6, -166], [-14, -162], [14, -162], [-40, -130], [40, -130], [-50, -80], [50, -80],
    [-55, -35], [55, -35], [-20, -20], [20, -20], [-22, 60], [22, 60], [-24, 140], [24, 140],
], dtype=np.float32)


def random_motion(n_frames: int, rng: np.random.Generator) -> np.ndarray:
    """(T, 17, 3) with confidences: every joint oscillates with random frequencies and amplitudes."""
    t = np.arange(n_frames)[:, None, None] / 30.0
    freq = rng.uniform(0.2, 2.0, size=(1, 17, 2))
    amp = rng.uniform(0, 30, size=(1, 17, 2))
    phase = rng.uniform(0, 2 * np.pi, size=(1, 17, 2))
    xy = REST[None] + amp * np.sin(2 * np.pi * freq * t + phase) + np.array([640, 400])
    scores = np.ones((n_frames, 17, 1), np.float32)
    return np.concatenate([xy, scores], axis=2).astype(np.float32)
