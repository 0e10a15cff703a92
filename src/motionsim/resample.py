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


def model_rate_frames(n_frames: int, fps: float | None, target: float = MODEL_FPS) -> np.ndarray | None:
    """The frames of a video faster than ``target`` that the model's rate needs: the one nearest each
    ``target``-rate instant. Pose estimation runs on these only (a 60 fps video costs the estimation of a
    30 fps one) and the feedback video shows these only; None (every frame) at ``target`` or below, or when
    the rate is unknown.

    Examples
    --------
    >>> model_rate_frames(8, 60.0).tolist(), model_rate_frames(8, 30.0)
    ([0, 2, 4, 6], None)
    """
    if not fps or n_frames <= 0 or fps <= target * (1 + TOLERANCE):
        return None
    n_out = max(1, int(round(n_frames / fps * target)))
    return np.unique(np.clip(np.round(np.arange(n_out) * (fps / target)).astype(np.int64), 0, n_frames - 1))


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
    keypoints, scores = blend(seq.keypoints[i0], seq.scores[i0], seq.keypoints[i1], seq.scores[i1], t - i0)
    meta = {**seq.meta, "source_fps": float(seq.fps)}
    return PoseSequence(keypoints, scores, fps=target, source=seq.source, meta=meta)


def blend(k0: np.ndarray, s0: np.ndarray, k1: np.ndarray, s1: np.ndarray, w: np.ndarray | float,
          ) -> tuple[np.ndarray, np.ndarray]:
    """Poses between two frames: ``(1 - w) * frame0 + w * frame1`` where a joint is present in both; where it is
    missing (score 0) in either, the nearer frame's joint. Shapes (..., 17, 2) and (..., 17), ``w`` (...,)."""
    w = np.asarray(w, dtype=np.float32)[..., None]
    both = (s0 > 0) & (s1 > 0)
    nearer_is_1 = (w >= 0.5) & (s1 > 0) | (s0 <= 0)
    keypoints = np.where(both[..., None], (1 - w[..., None]) * k0 + w[..., None] * k1,
                         np.where(nearer_is_1[..., None], k1, k0))
    scores = np.where(both, np.minimum(s0, s1), np.where(nearer_is_1, s1, s0))
    return keypoints, scores


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


class StreamResampler:
    """`resample` for poses that arrive one frame at a time (a camera, a live take), with bounded state.

    Frames are pushed with their number ``n`` in the source (gaps allowed: frames a live pipeline dropped);
    frame ``n`` lies at ``n * target / source_fps`` in frames of the result (at ``n`` when `needs_resampling`
    says the rate is close enough or unknown, as `resample` leaves such sequences alone). Each result frame is
    given as soon as the source frame at or after it has arrived: a source frame that lies on a result frame
    as it is, else a `blend` of the two pushed frames around it. On a whole sequence pushed frame by frame this
    gives `resample`'s frames (tests pin it; the one exception is a joint missing in a source frame that lies
    exactly on a result frame: `resample` borrows it from the next source frame, which a stream has not seen
    yet, and here it stays missing); across a gap it interpolates between the frames either side.

    Examples
    --------
    >>> r = StreamResampler(60.0)
    >>> [[k for k, _, _ in r.push(n, np.full((17, 2), n), np.ones(17))] for n in range(5)]
    [[0], [], [1], [], [2]]
    """

    def __init__(self, source_fps: float | None, target: float = MODEL_FPS) -> None:
        self.step = float(target) / float(source_fps) if needs_resampling(source_fps, target) else 1.0
        self.next = 0  # the next result frame to give
        self._last: tuple[float, np.ndarray, np.ndarray] | None = None

    def push(self, n: int, keypoints: np.ndarray, scores: np.ndarray,
             ) -> list[tuple[int, np.ndarray, np.ndarray]]:
        """Source frame ``n`` (numbered after every frame pushed before it) -> the result frames it completes,
        ``(k, keypoints (17, 2), scores (17,))`` in order: none, one, or several after a gap."""
        pos = n * self.step
        keypoints = np.asarray(keypoints, dtype=np.float32)
        scores = np.asarray(scores, dtype=np.float32)
        on_grid = abs(pos - round(pos)) < 1e-6
        out = []
        if self._last is None:
            self.next = round(pos) if on_grid else int(np.ceil(pos))  # a stream that starts late starts there
        else:
            last_pos, k0, s0 = self._last
            if pos <= last_pos:
                raise ValueError(f"frames must be pushed in order: frame {n} came after a later one")
            while self.next < pos - 1e-6:
                k, s = blend(k0, s0, keypoints, scores, (self.next - last_pos) / (pos - last_pos))
                out.append((self.next, k, s))
                self.next += 1
        if on_grid and self.next == round(pos):
            out.append((self.next, keypoints.copy(), scores.copy()))
            self.next += 1
        self._last = (pos, keypoints, scores)
        return out

    def flush(self, n_frames: int) -> list[tuple[int, np.ndarray, np.ndarray]]:
        """The result frames still owed at the end, up to ``n_frames`` in all, holding the last pose (as
        `resample` does past the last source frame)."""
        out = []
        if self._last is not None:
            while self.next < n_frames:
                out.append((self.next, self._last[1].copy(), self._last[2].copy()))
                self.next += 1
        return out
