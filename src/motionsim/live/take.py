"""One live take: frames through a pose estimator into a `LiveSession`, the poses recorded, the scores handed
on as they come, and at the end the take scored as `compare` scores it.

`LiveTake` is one take fed a frame (or a pose) at a time from anywhere; `run_take` feeds it from a `FrameSource`
(pose estimation and scoring in the calling thread; the source reads in its own) until the source ends,
``stop`` is set, or Ctrl-C (KeyboardInterrupt ends the take, it does not lose it). `Take` holds what was
recorded: the poses of every source frame up to the last one processed (frames the pipeline dropped are
interpolated from the processed frames around them, as the scorer saw them) and the counts and latencies of
the ``live`` block. `take_result` is the ``motionsim live --out`` object: exactly `compare`'s dict of the take
against the reference, plus ``"live"``.
"""

from __future__ import annotations

import logging
import threading
import time
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import PoseFormatError
from ..pose import PoseSequence
from ..resample import blend
from ..skeleton import LAYOUTS, to_coco17
from .session import LiveScore, LiveSession
from .source import FrameSource

log = logging.getLogger(__name__)


class TakeRecorder:
    """The poses of a take, frame by frame, in arrays that grow by doubling (about 200 bytes a frame: a
    10-minute take at 30 fps holds 3.7 MB)."""

    def __init__(self) -> None:
        self._kp = np.zeros((256, 17, 2), np.float32)
        self._sc = np.zeros((256, 17), np.float32)
        self._done = np.zeros(256, bool)
        self.last = -1  # the highest frame recorded

    def add(self, index: int, keypoints: np.ndarray, scores: np.ndarray) -> None:
        while index >= len(self._done):
            self._kp, self._sc, self._done = (np.concatenate([a, np.zeros_like(a)])
                                              for a in (self._kp, self._sc, self._done))
        self._kp[index], self._sc[index] = keypoints, scores
        self._done[index] = True
        self.last = max(self.last, index)

    @property
    def processed(self) -> int:
        return int(self._done[: self.last + 1].sum())

    def poses(self) -> tuple[np.ndarray, np.ndarray]:
        """(keypoints (T, 17, 2), scores (T, 17)) of frames 0..last: a frame never processed is blended
        linearly from the processed frames around it (`resample.blend`, as `resample.StreamResampler` does),
        or holds the nearest one at the ends."""
        n = self.last + 1
        kp, sc, done = self._kp[:n].copy(), self._sc[:n].copy(), self._done[:n]
        have = np.flatnonzero(done)
        if len(have) == 0:
            return kp, sc
        missing = np.flatnonzero(~done)
        after = np.searchsorted(have, missing)
        for i, a in zip(missing, after):
            if a == 0 or a == len(have):
                j = have[min(a, len(have) - 1)]
                kp[i], sc[i] = self._kp[j], self._sc[j]
            else:
                j0, j1 = have[a - 1], have[a]
                kp[i], sc[i] = blend(self._kp[j0], self._sc[j0], self._kp[j1], self._sc[j1], (i - j0) / (j1 - j0))
        return kp, sc


@dataclass
class Take:
    """What a live take recorded."""

    poses: PoseSequence  # every source frame up to the last processed one, COCO-17
    frames: int  # frames the source delivered
    processed: int  # frames whose pose was estimated
    dropped: int  # frames the pipeline never took (frames - processed)
    latency_ms: np.ndarray  # per scored moment: from the frame's arrival to its score
    scored: int
    seconds: float  # wall-clock length of the take
    cpu_seconds: float  # CPU time of this process during the take (all its threads)
    interrupted: bool = False  # ended by Ctrl-C or ``stop``
    detected: int = 0  # processed frames in which someone was seen
    extra: dict[str, Any] = field(default_factory=dict)

    def live_block(self) -> dict[str, Any]:
        """The ``"live"`` block of ``motionsim live --out``."""
        lat = self.latency_ms
        p50, p95 = (float(np.percentile(lat, q)) for q in (50, 95)) if len(lat) else (None, None)
        return {"frames": self.frames, "processed": self.processed, "dropped": self.dropped,
                "latency_ms": {"p50": _round(p50), "p95": _round(p95)}, "scored": self.scored,
                "seconds": round(self.seconds, 3), "interrupted": self.interrupted, **self.extra}


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 2)


class LiveTake:
    """A take in progress, fed one frame at a time from anywhere (a `FrameSource` in `run_take`; a web page's
    frames): each frame through ``estimator`` (``layout`` and ``__call__(frame_rgb) -> (points, scores) |
    None``, see `motionsim.video`) into ``session``, its pose recorded, its score's latency measured from
    ``arrival``. `finish` gives the `Take`.

    Parameters
    ----------
    session : the `LiveSession` that scores
    estimator : the pose estimator (None: only `add_pose` is used)
    fps : the frames' rate (the recorded take's fps)
    name : where the frames come from, for messages and the take's ``source``
    meta : the take's ``meta`` (``width``, ``height``, ``format``...)
    """

    def __init__(self, session: LiveSession, estimator: Any = None, *, fps: float | None = None,
                 name: str = "live", meta: dict[str, Any] | None = None) -> None:
        self.session, self.estimator, self.fps, self.name = session, estimator, fps, name
        self.meta = dict(meta or {})
        layout = getattr(estimator, "layout", "coco17") if estimator is not None else "coco17"
        if layout not in LAYOUTS:
            raise ValueError(f"the estimator's layout {layout!r} is not one of {', '.join(LAYOUTS)}")
        self.layout = layout
        n_joints = LAYOUTS[layout][0]
        self._nobody = (np.zeros((n_joints, 2), np.float32), np.zeros(n_joints, np.float32))
        self.recorder = TakeRecorder()
        self.latencies = array("d")
        self.detected = 0
        self.delivered = 0  # frames that reached the take (set by the caller when it knows of more: drops)
        self.last_pose: tuple[np.ndarray, np.ndarray] | None = None  # COCO-17 (keypoints, scores) last added
        self._started, self._cpu_started = time.perf_counter(), time.process_time()

    def add_frame(self, image_rgb: np.ndarray, index: int, arrival: float) -> LiveScore | None:
        """Estimate the pose in frame ``index`` (RGB, (H, W, 3) uint8) that arrived at ``arrival``
        (``time.perf_counter()``) and score it."""
        found = self.estimator(image_rgb) or self._nobody
        kp, sc = to_coco17(np.asarray(found[0], np.float32)[None, :, :2], np.asarray(found[1], np.float32)[None],
                           self.layout)
        return self.add_pose(kp[0], sc[0], index, arrival)

    def add_pose(self, keypoints: np.ndarray, scores: np.ndarray, index: int, arrival: float) -> LiveScore | None:
        """Record and score the COCO-17 pose of frame ``index`` (kept as `last_pose`, e.g. for drawing it);
        the score (if this frame completes a window) has its ``latency_ms`` set."""
        self.detected += bool((np.asarray(scores) > 0).any())
        self.recorder.add(index, keypoints, scores)
        self.last_pose = (keypoints, scores)
        self.delivered = max(self.delivered, index + 1)
        score = self.session.push(keypoints, scores, index)
        if score is not None:
            score.latency_ms = (time.perf_counter() - arrival) * 1000.0
            self.latencies.append(score.latency_ms)
        return score

    def finish(self, frames: int | None = None, interrupted: bool = False) -> Take:
        """The take so far; ``frames``: how many the source delivered (default: up to the last one added).
        Raises `PoseFormatError` when nobody was seen at all."""
        seconds, cpu = time.perf_counter() - self._started, time.process_time() - self._cpu_started
        if self.detected == 0:
            n = self.recorder.processed
            raise PoseFormatError(f"{self.name}: nobody was seen in " + (f"any of its {n} frames" if n else "the take"))
        kp, sc = self.recorder.poses()
        meta = {**self.meta, "layout": self.layout}
        if self.estimator is not None:
            meta.setdefault("backend", type(self.estimator).__name__)
        poses = PoseSequence(kp, sc, fps=self.fps, source=self.name, meta=meta)
        frames = max(frames or 0, self.delivered, len(poses))
        processed = self.recorder.processed
        return Take(poses=poses, frames=frames, processed=processed, dropped=frames - processed,
                    latency_ms=np.asarray(self.latencies), scored=len(self.latencies), seconds=seconds,
                    cpu_seconds=cpu, interrupted=interrupted, detected=self.detected)


def run_take(session: LiveSession, source: FrameSource, estimator: Any, *,
             on_score: Callable[[LiveScore], None] | None = None, stop: threading.Event | None = None) -> Take:
    """Run a take from ``source``: each frame it hands over -> ``estimator`` -> `LiveSession.push` (`LiveTake`);
    each score goes to ``on_score`` with its latency set. Ends at the end of the source, when ``stop`` is set,
    or on Ctrl-C; closes the source (not the estimator). Raises `PoseFormatError` when nobody was seen at all."""
    import cv2

    if source.width > 0 and source.height > 0:  # the estimator's first call sets it up: not on a frame's time
        estimator(np.zeros((source.height, source.width, 3), np.uint8))
    take = LiveTake(session, estimator, fps=source.fps, name=source.name,
                    meta={"width": source.width, "height": source.height,
                          "format": "video" if source.is_file else "camera"})
    interrupted = False
    try:
        for frame in source:
            score = take.add_frame(cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB), frame.index, frame.arrival)
            if score is not None and on_score is not None:
                on_score(score)
            if stop is not None and stop.is_set():
                interrupted = True
                break
    except KeyboardInterrupt:
        interrupted = True
        log.info("take ended by Ctrl-C")
    finally:
        source.close()
    return take.finish(source.frames, interrupted)


def take_result(take: Take, reference: Any, **compare_options: Any) -> dict[str, Any]:
    """``motionsim live --out``: `compare` of the take (as A, mirrored with ``flip=True``) against
    ``reference`` (B), exactly its dict, plus the ``"live"`` block. ``compare_options`` go to `compare`
    (``flip``, ``window``, ``stride``, ``model``, ``backend``, ``pad_short``, ``weighting``)."""
    from ..similarity import compare

    data = compare(take.poses, reference, **compare_options).to_dict()
    data["live"] = take.live_block()
    return data
