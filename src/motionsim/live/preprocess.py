"""Causal, bounded preprocessing of a live take: `preprocess.prepare_points` + `part_channels` one frame at a time.

The whole-sequence pipeline (docs/method.md §2) looks at the future and at the whole take: it fills a gap from
the next frame when there is no previous one, smooths with a Gaussian that reaches 8 frames either side, and
scales by a body height taken over every frame. Live, each step is made causal and kept to a fixed memory:

- gaps: a joint missing now takes its last seen position (as offline); one never seen yet borrows its chain
  neighbour's (wrist -> elbow -> shoulder, the offline rule for a joint missing in every frame);
- smoothing: the same Gaussian (sigma 2 frames, radius 8) over the last frames, the newest frame standing in
  for the future ones it has not seen (``lookahead`` holds the scored window back so that its frames have real
  neighbours: with ``lookahead = 8`` the window is smoothed exactly as offline);
- scale: the same bone-length height (`preprocess.sequence_height`) over the last ``scale_seconds`` of
  smoothed frames instead of the whole take, recomputed every few frames;
- part movement (the weights of the overall score): `preprocess.part_movement` over the same frames.

Only ring buffers are kept, so the cost of a frame does not grow with the length of the take.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from ..pose import joint_present
from ..preprocess import (
    DEFAULT_MIN_SCORE,
    SMOOTH_SIGMA,
    fill_missing,
    part_channels,
    part_movement,
    sequence_height,
    smooth_over_time,
)
from ..skeleton import INTERNAL15_FROM_COCO17

#: Frames either side that `preprocess.smooth_over_time` reaches (its truncate 4 x sigma 2).
SMOOTH_RADIUS = int(4.0 * SMOOTH_SIGMA + 0.5)
_FIRST = np.array([src[0] for src in INTERNAL15_FROM_COCO17])
_SECOND = np.array([src[-1] for src in INTERNAL15_FROM_COCO17])
#: How often (model frames) the body height and the part movement are re-estimated after the first seconds.
RESCALE_EVERY = 8


def internal15(keypoints: np.ndarray, scores: np.ndarray, min_score: float = DEFAULT_MIN_SCORE,
               ) -> tuple[np.ndarray, np.ndarray]:
    """`preprocess.to_internal15` of one frame, (17, 2) and (17,) -> (15, 2) and (15,), bit for bit, without
    building a sequence (a tenth of its cost: it runs on every frame)."""
    keypoints = np.asarray(keypoints, dtype=np.float32)
    present17 = joint_present(keypoints, np.asarray(scores, dtype=np.float32), min_score)
    return (keypoints[_FIRST] + keypoints[_SECOND]) / np.float32(2), present17[_FIRST] & present17[_SECOND]


class StreamPreprocessor:
    """COCO-17 frames at the model's rate in, raw part channels (38, window) of the latest window out.

    Parameters
    ----------
    target_height : the height bodies are scaled to (the model's ``target_height``)
    window : frames per window
    lookahead : the scored window ends this many frames before the newest (0 .. `SMOOTH_RADIUS`)
    scale_seconds : how much of the recent take sets the body height and the part movement
    fps : the frame rate of the frames pushed (the model's)
    """

    def __init__(self, target_height: float, window: int = 32, lookahead: int = 0, scale_seconds: float = 60.0,
                 fps: float = 30.0, min_score: float = DEFAULT_MIN_SCORE) -> None:
        if not 0 <= lookahead <= SMOOTH_RADIUS:
            raise ValueError(f"lookahead must be in 0..{SMOOTH_RADIUS}, got {lookahead}")
        self.target_height = float(target_height)
        self.window = int(window)
        self.lookahead = int(lookahead)
        self.min_score = min_score
        # raw (filled, unsmoothed) frames: the window, the frame before it (velocity), SMOOTH_RADIUS before that,
        # and the lookahead frames after it
        self._raw: deque[np.ndarray] = deque(maxlen=self.window + 1 + SMOOTH_RADIUS + self.lookahead)
        self._present: deque[np.ndarray] = deque(maxlen=self._raw.maxlen)
        history = max(int(round(scale_seconds * fps)), self.window)
        self._final: deque[np.ndarray] = deque(maxlen=history)  # smoothed frames no later frame will change
        self._final_present: deque[np.ndarray] = deque(maxlen=history)
        self._last_seen = np.zeros((15, 2), np.float32)
        self._seen = np.zeros(15, bool)
        self._smoothed = np.zeros((0, 15, 2), np.float32)
        self.frames = 0  # frames pushed since the first one with a body
        self.height = float("nan")
        self.movement = np.full(5, np.nan)

    def push(self, keypoints: np.ndarray, scores: np.ndarray) -> bool:
        """Add the next frame, COCO-17 ``keypoints`` (17, 2) and ``scores`` (17,); False while nobody has been
        seen yet (the frame is then skipped)."""
        points, present = internal15(keypoints, scores, self.min_score)
        if not (present.any() or self._seen.any()):
            return False
        self._last_seen[present] = points[present]
        self._seen |= present
        filled = np.where(self._seen[:, None], self._last_seen, points)
        filled = fill_missing(filled[None], self._seen[None])[0]  # never seen yet: up the chain, else centroid
        self._raw.append(filled)
        self._present.append(present)
        self.frames += 1
        raw = np.stack(self._raw)
        smoothed = smooth_over_time(raw, SMOOTH_SIGMA) if len(raw) > 1 else raw
        self._smoothed = smoothed
        if len(smoothed) > SMOOTH_RADIUS:  # the frame SMOOTH_RADIUS back now has all its neighbours
            self._final.append(smoothed[-1 - SMOOTH_RADIUS])
            self._final_present.append(self._present[-1 - SMOOTH_RADIUS])
        if self.frames <= 2 * self.window or self.frames % RESCALE_EVERY == 0:
            self._rescale(smoothed)
        return True

    def _rescale(self, smoothed: np.ndarray) -> None:
        """Body height and part movement from the final frames plus the newest ones (not final yet)."""
        recent = min(SMOOTH_RADIUS, len(smoothed))
        points = np.concatenate([np.reshape(self._final, (-1, 15, 2)), smoothed[len(smoothed) - recent:]])
        present = np.concatenate([np.reshape(np.asarray(self._final_present, bool), (-1, 15)),
                                  np.stack(list(self._present)[len(self._present) - recent:])])
        height = sequence_height(points, present)
        if np.isfinite(height) and height > 1e-6:
            self.height = height
            self.movement = part_movement(part_channels(points * (self.target_height / height)))

    @property
    def ready(self) -> bool:
        """Whether a whole window (ending ``lookahead`` frames back) has been pushed."""
        return len(self._raw) >= self.window + self.lookahead and np.isfinite(self.height)

    def latest_window(self) -> np.ndarray | None:
        """Raw part channels (38, window) of the window ending ``lookahead`` frames before the newest, scaled to
        ``target_height``; None until `ready`."""
        if not self.ready:
            return None
        smoothed = self._smoothed
        end = len(smoothed) - self.lookahead
        start = max(end - self.window - 1, 0)  # one frame before the window, for the hip velocity
        points = smoothed[start:end] * (self.target_height / self.height)
        return part_channels(points)[:, -self.window:]
