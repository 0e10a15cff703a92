"""Bring motions to the frame rate the model was trained at, and map frame numbers back.

The model sees a motion only through windows of ``w`` frames, so a window's duration is part of what it
learned: the shipped model was trained on 30 fps renderings (the synthetic generator, like SARA's Mixamo
clips and NTU RGB+D, runs at 30 fps). A 32-frame window is then about one second of motion. A 60 fps video
would show it half a second, slowed down, and a 25 fps one 1.3 s, sped up; two videos at different rates
would be compared at different speeds. So a sequence whose rate is known and differs from `MODEL_FPS` is
resampled to it before embedding; a sequence of unknown rate is taken as it is.
"""

from __future__ import annotations

import numpy as np

from .pose import PoseSequence

#: The frame rate the shipped model was trained at (frames per second).
MODEL_FPS: float = 30.0
#: Rates within this relative tolerance of the target (29.97 vs 30) are left alone.
TOLERANCE: float = 0.02


def needs_resampling(fps: float | None, target: float = MODEL_FPS) -> bool:
    """Whether a sequence at ``fps`` should be resampled to ``target`` (False when the rate is unknown).

    Examples
    --------
    >>> needs_resampling(60.0), needs_resampling(29.97), needs_resampling(None)
    (True, False, False)
    """
    return bool(fps) and abs(float(fps) / target - 1.0) > TOLERANCE


def resample(seq: PoseSequence, target: float = MODEL_FPS) -> PoseSequence:
    """``seq`` at ``target`` frames per second (itself when no resampling is needed).

    Each new frame at time t interpolates linearly between the two source frames around t; a joint missing
    (score 0) in either of them is taken from the nearer frame instead, so gaps are never blended with
    zeros. ``meta["source_fps"]`` keeps the original rate.

    Examples
    --------
    >>> seq = PoseSequence(np.arange(60 * 34, dtype=np.float32).reshape(60, 17, 2), np.ones((60, 17)), fps=60.0)
    >>> half = resample(seq)
    >>> len(half), half.fps, float(half.keypoints[1, 0, 0]) == float(seq.keypoints[2, 0, 0])
    (30, 30.0, True)
    """
    if not needs_resampling(seq.fps, target):
        return seq
    n_src = len(seq)
    duration = n_src / float(seq.fps)
    n_new = max(1, int(round(duration * target)))
    t = np.arange(n_new) * (float(seq.fps) / target)  # positions in source frames
    i0 = np.clip(np.floor(t).astype(int), 0, n_src - 1)
    i1 = np.clip(i0 + 1, 0, n_src - 1)
    w = (t - i0)[:, None].astype(np.float32)
    k0, k1 = seq.keypoints[i0], seq.keypoints[i1]
    s0, s1 = seq.scores[i0], seq.scores[i1]
    both = (s0 > 0) & (s1 > 0)
    nearer_is_1 = (w[:, 0] >= 0.5)[:, None] & (s1 > 0) | (s0 <= 0)
    keypoints = np.where(both[..., None], (1 - w[..., None]) * k0 + w[..., None] * k1,
                         np.where(nearer_is_1[..., None], k1, k0))
    scores = np.where(both, np.minimum(s0, s1), np.where(nearer_is_1, s1, s0))
    meta = {**seq.meta, "source_fps": float(seq.fps)}
    return PoseSequence(keypoints, scores, fps=target, source=seq.source, meta=meta)


def to_source_frame(frame: int, source_fps: float | None, target: float = MODEL_FPS) -> int:
    """The source frame at the time of ``frame`` of a sequence resampled from ``source_fps`` to ``target``.

    Examples
    --------
    >>> to_source_frame(15, 60.0), to_source_frame(15, None)
    (30, 15)
    """
    if not needs_resampling(source_fps, target):
        return int(frame)
    return int(round(frame * float(source_fps) / target))
