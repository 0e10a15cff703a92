"""Per-frame views of a comparison result (pure numpy): which frame of B goes with each frame of A, and each
frame's part scores.

``result`` is the dict of ``motionsim compare --json`` (`SimilarityResult.to_dict()`): its ``windows`` hold, for
every window of A (``start_frame``..``end_frame``, original frames of A), the start of its DTW match in B
(``matched_start_frame``, original frames of B) and its per-part scores.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..skeleton import BODY_PARTS, PART_SWAP


def _windows(result: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return sorted(result.get("windows") or [], key=lambda w: (w["start_frame"], w.get("index", 0)))


def fps_ratio(result: Mapping[str, Any]) -> float:
    """fps_b / fps_a when the result knows both frame rates, else 1 (frames of A and B last as long)."""
    fps = result.get("fps") or {}
    fa, fb = fps.get("a"), fps.get("b")
    if fa and fb and fa > 0 and fb > 0:
        return float(fb) / float(fa)
    return 1.0


def frame_alignment(result: Mapping[str, Any], n_a: int, n_b: int) -> np.ndarray:
    """The frame of B to show with each frame of A, following the DTW window matches.

    Window centres of A are mapped to the centres of their matches in B (a match lasts the window's length times
    fps_b / fps_a), frames in between are interpolated linearly, frames before the first or after the last centre
    advance at fps_b / fps_a. The map is made non-decreasing (so B can be decoded in one forward pass) and
    clipped to [0, n_b - 1]. Without windows, A's duration is stretched over B's.

    Returns
    -------
    int64 array, shape=(n_a,)
    """
    if n_a <= 0:
        return np.zeros(0, dtype=np.int64)
    if n_b <= 0:
        raise ValueError("B has no frames")
    frames = np.arange(n_a, dtype=np.float64)
    windows = _windows(result)
    if not windows:
        mapped = frames * ((n_b - 1) / max(n_a - 1, 1))
    else:
        ratio = fps_ratio(result)
        length_a = np.array([max(w["end_frame"] - w["start_frame"], 1) for w in windows], dtype=np.float64)
        centre_a = np.array([w["start_frame"] for w in windows], dtype=np.float64) + (length_a - 1) / 2
        centre_b = np.array([w["matched_start_frame"] for w in windows], dtype=np.float64) + (length_a * ratio - 1) / 2
        centre_b = np.maximum.accumulate(centre_b)
        mapped = np.interp(frames, centre_a, centre_b)
        before, after = frames < centre_a[0], frames > centre_a[-1]
        mapped[before] = centre_b[0] + (frames[before] - centre_a[0]) * ratio
        mapped[after] = centre_b[-1] + (frames[after] - centre_a[-1]) * ratio
    out = np.clip(np.rint(mapped), 0, n_b - 1).astype(np.int64)
    return np.maximum.accumulate(out)


def frame_part_scores(result: Mapping[str, Any], n_a: int) -> np.ndarray:
    """Per-frame part scores of A, columns in `BODY_PARTS` order.

    A frame's score is the mean over the windows that cover it; a frame no window covers takes the nearest
    window's scores; without windows every frame gets the overall part scores.

    Returns
    -------
    float64 array, shape=(n_a, 5)
    """
    windows = _windows(result)
    if not windows:
        parts = result.get("body_parts") or {}
        row = np.array([parts.get(p, np.nan) for p in BODY_PARTS], dtype=np.float64)
        return np.repeat(row[None], n_a, axis=0)
    total = np.zeros((n_a, len(BODY_PARTS)))
    count = np.zeros(n_a)
    starts = np.array([w["start_frame"] for w in windows], dtype=np.float64)
    ends = np.array([max(w["end_frame"], w["start_frame"] + 1) for w in windows], dtype=np.float64)
    scores = np.array([[w["body_parts"][p] for p in BODY_PARTS] for w in windows], dtype=np.float64)
    for (s, e), row in zip(zip(starts.astype(int), ends.astype(int)), scores):
        s, e = max(s, 0), min(e, n_a)
        total[s:e] += row
        count[s:e] += 1
    out = np.divide(total, count[:, None], out=np.zeros_like(total), where=count[:, None] > 0)
    empty = np.flatnonzero(count == 0)
    if empty.size:  # distance to each window's span [start, end - 1], ties to the earlier window
        f = empty[:, None].astype(np.float64)
        dist = np.maximum(starts[None] - f, 0) + np.maximum(f - (ends[None] - 1), 0)
        out[empty] = scores[np.argmin(dist, axis=1)]
    return out


def frame_overall_scores(result: Mapping[str, Any], scores: np.ndarray) -> np.ndarray:
    """Per-frame overall score from `frame_part_scores`: the parts weighted as the result weighs them
    (``part_weights``; equal weights for results that have none)."""
    weights = result.get("part_weights") or {}
    w = np.array([weights.get(p, 1.0) for p in BODY_PARTS], dtype=np.float64)
    return scores @ (w / w.sum())


def person_frame_view(result: Mapping[str, Any], n_person: int, n_other: int, side: str,
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Per frame of one person of a group, their part scores and the other input's matching frame, whichever
    side (``"a"`` or ``"b"``) the person was on in ``result``.

    On side A these are `frame_part_scores` and `frame_alignment`. On side B the alignment is read backwards:
    a frame of B takes the mean scores of the frames of A shown with it, and the first of them; frames of B
    that no frame of A shows take the nearest frame's.

    Returns
    -------
    scores float64 (n_person, 5) in `BODY_PARTS` order; other int64 (n_person,), non-decreasing
    """
    if side == "a":
        return frame_part_scores(result, n_person), frame_alignment(result, n_person, n_other)
    scores_a = frame_part_scores(result, n_other)
    align = frame_alignment(result, n_other, n_person)  # frame of B (the person) for each frame of A
    count = np.bincount(align, minlength=n_person)[:n_person].astype(np.float64)
    scores = np.stack([np.bincount(align, weights=scores_a[:, k], minlength=n_person)[:n_person]
                       for k in range(len(BODY_PARTS))], axis=1)
    first = np.full(n_person, -1, dtype=np.int64)
    first[align[::-1]] = np.arange(n_other)[::-1]  # the first frame of A shown with each frame of B
    shown = np.flatnonzero(count > 0)
    nearest = shown[np.clip(np.searchsorted(shown, np.arange(n_person)), 0, len(shown) - 1)]
    before = shown[np.clip(np.searchsorted(shown, np.arange(n_person)) - 1, 0, len(shown) - 1)]
    nearest = np.where(np.abs(before - np.arange(n_person)) <= np.abs(nearest - np.arange(n_person)), before, nearest)
    scores = scores[nearest] / count[nearest][:, None]
    return scores, np.maximum.accumulate(first[nearest])


def least_similar_moments(result: Mapping[str, Any], k: int = 3) -> list[dict[str, Any]]:
    """The ``k`` worst windows (lowest overall similarity) whose frame spans in A do not overlap, worst first.

    Each is a copy of the window dict with ``worst_part`` (name of its lowest part score) added.
    """
    chosen: list[dict[str, Any]] = []
    for w in sorted(_windows(result), key=lambda w: w["similarity"]):
        if len(chosen) >= k:
            break
        if any(w["start_frame"] < c["end_frame"] and c["start_frame"] < w["end_frame"] for c in chosen):
            continue
        moment = dict(w)
        moment["worst_part"] = min(w["body_parts"], key=w["body_parts"].get)
        chosen.append(moment)
    return chosen


def physical_part_scores(part_scores: Mapping[str, float], flipped: bool) -> dict[str, float]:
    """Scores keyed by the body part of the person *as filmed*.

    With ``flipped`` (the "body flip" won), A was scored as its mirror image, so A's "right_arm" score belongs
    to A's left arm on screen; B is never mirrored.
    """
    if not flipped:
        return dict(part_scores)
    return {PART_SWAP[p]: s for p, s in part_scores.items()}
