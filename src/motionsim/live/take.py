"""One live take: frames from a source through a pose estimator into a `LiveSession`, the poses recorded, the
scores handed on as they come, and at the end the take scored as `compare` scores it.

`run_take` is the loop (pose estimation and scoring in the calling thread; the source reads in its own). It
ends when the source ends, when ``stop`` is set, or on Ctrl-C (KeyboardInterrupt ends the take, it does not
lose it). `Take` holds what was recorded: the poses of every source frame up to the last one processed (frames
the pipeline dropped are interpolated from the processed frames around them, as the scorer saw them) and the
counts and latencies of the ``live`` block. `take_result` is the ``motionsim live --out`` object: exactly
`compare`'s dict of the take against the reference, plus ``"live"``.
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


def run_take(session: LiveSession, source: FrameSource, estimator: Any, *,
             on_score: Callable[[LiveScore], None] | None = None, stop: threading.Event | None = None) -> Take:
    """Run the take: each frame the source hands over -> ``estimator`` (a pose estimator: ``layout`` and
    ``__call__(frame_rgb) -> (points, scores) | None``, see `motionsim.video`) -> `LiveSession.push`; each
    score goes to ``on_score`` with its latency set. Ends at the end of the source, when ``stop`` is set, or on
    Ctrl-C; closes the source (not the estimator). Raises `PoseFormatError` when nobody was seen at all."""
    import cv2

    layout = getattr(estimator, "layout", None)
    if layout not in LAYOUTS:
        raise ValueError(f"the estimator's layout {layout!r} is not one of {', '.join(LAYOUTS)}")
    n_joints = LAYOUTS[layout][0]
    nobody = (np.zeros((n_joints, 2), np.float32), np.zeros(n_joints, np.float32))
    recorder = TakeRecorder()
    latencies = array("d")
    detected = 0
    interrupted = False
    if source.width > 0 and source.height > 0:  # the estimator's first call sets it up: not on a frame's time
        estimator(np.zeros((source.height, source.width, 3), np.uint8))
    started, cpu_started = time.perf_counter(), time.process_time()
    try:
        for frame in source:
            found = estimator(cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB)) or nobody
            kp, sc = to_coco17(np.asarray(found[0], np.float32)[None, :, :2], np.asarray(found[1], np.float32)[None],
                               layout)
            detected += bool((sc > 0).any())
            recorder.add(frame.index, kp[0], sc[0])
            score = session.push(kp[0], sc[0], frame.index)
            if score is not None:
                score.latency_ms = (time.perf_counter() - frame.arrival) * 1000.0
                latencies.append(score.latency_ms)
                if on_score is not None:
                    on_score(score)
            if stop is not None and stop.is_set():
                interrupted = True
                break
    except KeyboardInterrupt:
        interrupted = True
        log.info("take ended by Ctrl-C")
    finally:
        source.close()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    if detected == 0:
        what = f"any of its {recorder.processed} frames" if recorder.processed else "the take"
        raise PoseFormatError(f"{source.name}: nobody was seen in {what}")
    kp, sc = recorder.poses()
    meta = {"width": source.width, "height": source.height, "format": "video" if source.is_file else "camera",
            "backend": type(estimator).__name__, "layout": layout}
    poses = PoseSequence(kp, sc, fps=source.fps, source=source.name, meta=meta)
    frames = max(source.frames, len(poses))
    processed = recorder.processed
    return Take(poses=poses, frames=frames, processed=processed, dropped=frames - processed,
                latency_ms=np.asarray(latencies), scored=len(latencies), seconds=seconds, cpu_seconds=cpu,
                interrupted=interrupted, detected=detected)


def take_result(take: Take, reference: Any, **compare_options: Any) -> dict[str, Any]:
    """``motionsim live --out``: `compare` of the take (as A, mirrored with ``flip=True``) against
    ``reference`` (B), exactly its dict, plus the ``"live"`` block. ``compare_options`` go to `compare`
    (``flip``, ``window``, ``stride``, ``model``, ``backend``, ``pad_short``, ``weighting``)."""
    from ..similarity import compare

    data = compare(take.poses, reference, **compare_options).to_dict()
    data["live"] = take.live_block()
    return data
