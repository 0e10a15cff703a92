"""`LiveSession`: score a motion against a reference while it happens, one pose at a time.

The reference is embedded once, window by window at a fine stride (as filmed; with ``flip`` each live window
is embedded both as filmed and mirrored, as `compare` mirrors its first motion). Each pushed pose goes through
the streaming counterparts of the whole-sequence pipeline (`resample.StreamResampler`, then
`live.preprocess.StreamPreprocessor`); whenever it completes a frame at the model's rate, the latest window is
embedded (one small batch) and compared by dot products with the reference windows where the user may be:

- ``mode="follow"``: the reference plays at its own pace from the first pushed frame, on the source's clock
  (frame numbers / fps, so a file scores the same whatever the processing speed); the user copies it, late by
  up to ``max_lag`` seconds (or early by up to ``lead``); each part scores its best match in that range, as
  Algorithm 1 aligns each part on its own;
- ``mode="free"``: the user goes at their own pace, pauses, repeats; `live.align.OnlineAligner` follows where in
  the reference they are, and each part scores its best match within ``tolerance`` seconds of that place.

The overall score weights the parts by how much they move (the reference's movement plus the take's over its
recent frames), as `similarity.part_weights`. With ``flip``, the variant reported (as filmed or mirrored) is the
one with the higher mean overall score so far, as `compare` keeps the better of the two over the whole take.
Each push costs a bounded amount of work: nothing grows with the length of the take.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..embed import embed_prepared, l2_normalize, prepare_motion
from ..io import as_pose_sequence
from ..model.runtime import InferenceModel, resolve_model, single_threaded
from ..preprocess import mirror
from ..resample import MODEL_FPS, StreamResampler, to_source_frame
from ..similarity import check_weighting, movement_weights
from ..skeleton import BODY_PARTS
from .align import OnlineAligner
from .preprocess import StreamPreprocessor

MODES = ("follow", "free")
#: Reference windows kept at most (the stride grows beyond: memory stays under ~40 MB for the embeddings).
MAX_REFERENCE_WINDOWS = 6000
_SWAP = [BODY_PARTS.index(p) for p in ("left_arm", "right_arm", "left_leg", "right_leg", "torso")]


@dataclass
class LiveScore:
    """One scored moment; `to_dict` is the line `motionsim live --json-lines` prints."""

    time: float  # the pushed frame's time in the source, seconds (frame / fps)
    frame: int  # the pushed frame's number in the source
    reference_frame: int  # the reference's frame (its own numbering) matched to ``frame``
    similarity: float
    body_parts: dict[str, float]
    flipped: bool = False
    latency_ms: float | None = None  # set by whoever measures it (`live.take.run_take`)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"time": round(self.time, 4), "frame": self.frame, "reference_frame": self.reference_frame,
                "similarity": self.similarity, "body_parts": dict(self.body_parts),
                "latency_ms": None if self.latency_ms is None else round(self.latency_ms, 2),
                "flipped": self.flipped, **self.extra}


class LiveSession:
    """A streaming scorer: poses are pushed frame by frame; each push that completes a window returns its scores.

    Parameters
    ----------
    reference : the motion to follow: a path (keypoint file or video), an array (T, 17, 2|3) or a PoseSequence
    fps : frame rate of the pushed poses (None: unknown, taken as the model's 30)
    mode : "follow" (the reference plays at its own pace) or "free" (online alignment)
    flip : also score the mirror image of the user and report the better of the two (people facing a screen
        copy it like a mirror)
    window : Algorithm 1's w
    max_lag, lead : follow mode: how late (or early) the user may be, seconds
    tolerance : free mode: how far from the tracked place a part may find its match, seconds
    lookahead : score the window ending this many model frames before the newest (0..8): its frames are then
        smoothed with real neighbours as offline, at the price of ``lookahead / 30`` s of delay
    weighting : "movement" or "equal" (`similarity.part_weights`)
    model, backend : the model (`model.runtime.resolve_model`)
    pad_short : accept a reference shorter than ``window`` (its last pose held)
    """

    def __init__(self, reference: Any, *, fps: float | None = None, mode: str = "follow", flip: bool = True,
                 window: int = 32, max_lag: float = 1.0, lead: float = 0.2, tolerance: float = 0.25,
                 lookahead: int = 0, weighting: str = "movement", model: InferenceModel | str | Path | None = None,
                 backend: str = "auto", pad_short: bool = False, scale_seconds: float = 60.0) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        if max_lag < 0 or lead < 0 or tolerance < 0:
            raise ValueError("max_lag, lead and tolerance must be >= 0 seconds")
        check_weighting(weighting)
        self.model = resolve_model(model, backend)
        self.reference = as_pose_sequence(reference, source="reference")
        self.mode, self.flip, self.window, self.weighting = mode, bool(flip), int(window), weighting
        self.fps = float(fps) if fps else None
        prepared = prepare_motion(self.reference, self.model, self.window, (None,), pad_short)
        n_windows = max(prepared.n_frames - self.window + 1, 1)
        self.reference_stride = max(1, math.ceil(n_windows / MAX_REFERENCE_WINDOWS))
        (ref,), = embed_prepared([prepared], self.model, self.window, self.reference_stride)
        # one (n, sum of D) array, the parts views into it: free mode's alignment row is one product with it
        self._ref_stack = np.concatenate([ref.parts[p] for p in BODY_PARTS], axis=1)
        bounds = np.cumsum([0] + [ref.parts[p].shape[1] for p in BODY_PARTS])
        ref.parts = {p: self._ref_stack[:, a:b] for p, a, b in zip(BODY_PARTS, bounds[:-1], bounds[1:])}
        self._ref = ref
        self._ref_movement = ref.movement if weighting == "movement" else np.full(len(BODY_PARTS), np.nan)
        self._resampler = StreamResampler(self.fps)
        self._prep = StreamPreprocessor(self.model.target_height, self.window, lookahead, scale_seconds)
        self._encoder = single_threaded(self.model)
        self._variants = 2 if self.flip else 1
        self._totals = np.zeros(self._variants)
        self._aligners = [OnlineAligner(ref.n_windows) for _ in range(self._variants)] if mode == "free" else []
        self._lag = (math.floor(max_lag * MODEL_FPS), math.ceil(lead * MODEL_FPS))
        self._tolerance = max(1, round(tolerance * MODEL_FPS / self.reference_stride))
        self._next_frame = 0
        self.scored = 0

    # ------------------------------------------------------------------ the stream
    def push(self, keypoints: np.ndarray, scores: np.ndarray, frame: int | None = None) -> LiveScore | None:
        """Add the pose of source frame ``frame`` (default: the one after the last), COCO-17 ``keypoints``
        (17, 2) in pixels and ``scores`` (17,) (0: joint missing; all 0: nobody seen). Frames may be skipped
        (dropped by a busy pipeline): the poses between are interpolated. Returns the scores of the newest
        window when this frame completes one, else None."""
        frame = self._next_frame if frame is None else int(frame)
        self._next_frame = frame + 1
        new = False
        for _k, kp, sc in self._resampler.push(frame, keypoints, scores):
            new = self._prep.push(kp, sc) or new
        if not new or not self._prep.ready:
            return None
        return self._score(frame, self._resampler.next - 1)

    def _score(self, frame: int, newest: int) -> LiveScore:
        raw = self._prep.latest_window()
        variants = [raw, mirror(raw)] if self.flip else [raw]
        stats = self.model.stats
        embedded = self._encoder.embed(np.stack([stats.normalize(v) for v in variants]))
        normalized = {p: l2_normalize(np.asarray(embedded[p], np.float32)) for p in BODY_PARTS}
        queries = [{p: normalized[p][v] for p in BODY_PARTS} for v in range(self._variants)]
        take_movement = self._prep.movement
        end = newest - self._prep.lookahead  # the model frame the scored window ends on
        results = []
        for v, query in enumerate(queries):
            weights = movement_weights(self._ref_movement, take_movement if v == 0 else take_movement[_SWAP])
            lo, hi = self._candidates(v, query, weights, end)
            best, at = np.empty(len(BODY_PARTS)), np.empty(len(BODY_PARTS), dtype=np.int64)
            for k, part in enumerate(BODY_PARTS):
                sims = np.clip(self._ref.parts[part][lo:hi + 1] @ query[part], -1.0, 1.0)
                at[k] = lo + int(np.argmax(sims))
                best[k] = float(sims[at[k] - lo])
            results.append((float(weights @ best), best, at))
            self._totals[v] += results[-1][0]
        chosen = int(np.argmax(self._totals))
        overall, best, at = results[chosen]
        self.scored += 1
        return LiveScore(time=frame / (self.fps or MODEL_FPS), frame=frame,
                         reference_frame=self._reference_frame(int(np.median(at)), newest - end),
                         similarity=overall, body_parts={p: float(s) for p, s in zip(BODY_PARTS, best)},
                         flipped=chosen == 1)

    def _candidates(self, variant: int, query: dict[str, np.ndarray], weights: np.ndarray, end: int,
                    ) -> tuple[int, int]:
        """First and last reference window where the user's window ending at model frame ``end`` may match."""
        s, last = self.reference_stride, self._ref.n_windows - 1
        if self.mode == "follow":
            lag, lead = self._lag
            start = end - self.window + 1  # where the user's window starts, on the reference's clock
            lo, hi = math.ceil((start - lag) / s), math.floor((start + lead) / s)
        else:
            q = np.concatenate([query[p] * w for p, w in zip(BODY_PARTS, weights)])
            cost = 1.0 - np.clip(self._ref_stack @ q, -1.0, 1.0)  # the weighted mean of 1 - cosine
            at = self._aligners[variant].update(cost)
            lo, hi = at - self._tolerance, at + self._tolerance
        lo, hi = min(max(lo, 0), last), min(max(hi, 0), last)
        return lo, max(lo, hi)

    def _reference_frame(self, window_index: int, ahead: int) -> int:
        """The reference frame (its own numbering) matched to the newest frame: the matched window's last frame,
        plus the frames the scored window ends before the newest."""
        ref = self._ref
        at_model_rate = min(window_index * self.reference_stride + self.window - 1 + ahead, ref.n_frames - 1)
        n_source = ref.source_frames or ref.n_frames
        return min(to_source_frame(at_model_rate, ref.source_fps), n_source - 1)

    # ------------------------------------------------------------------ about the session
    @property
    def reference_frames(self) -> int:
        """Frames of the reference, in its own numbering."""
        return self._ref.source_frames or self._ref.n_frames

    @property
    def flipped(self) -> bool:
        """Whether the mirrored variant leads so far."""
        return bool(self.flip and self._totals[1] > self._totals[0])
