"""Everyone in a group against one reference: `compare_people`, the per-person scoring that the command line
(``compare A B --person auto,all``), the web page and the Python API share.

Each person is scored as `motionsim.compare` scores two motions (the same preparation, model, windows and
DTW), over the frames from their first to their last appearance (gaps in between are filled as missing joints
always are). The reference is prepared and embedded once, with everyone in the same batches.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .embed import embed_prepared, prepare_motion
from .errors import PoseFormatError, SequenceTooShortError
from .io import as_pose_sequence
from .model.runtime import InferenceModel, resolve_model
from .pose import PoseSequence, people_meta
from .resample import MODEL_FPS
from .similarity import DEFAULT_STRIDE, DEFAULT_WINDOW, check_weighting, compare_embeddings


@dataclass
class PeopleResult:
    """What `compare_people` returns; `to_dict()` is ``compare --json`` with ``--person all``:
    ``{"people": [...]}``, one entry per person in id order."""

    people: list[dict[str, Any]] = field(default_factory=list)
    side: str = "b"  # the input that holds everyone: "a" or "b"

    def to_dict(self) -> dict[str, Any]:
        return {"people": [dict(p) for p in self.people]}

    def scored(self) -> list[dict[str, Any]]:
        """The entries that have scores (not too short)."""
        return [p for p in self.people if "similarity" in p]


def person_span(seq: PoseSequence) -> tuple[PoseSequence, dict[str, int]]:
    """One person of a group cut to the frames from their first to their last appearance, and where they are
    seen (``frames_present``, ``first_frame``, ``last_frame``: frames of the group's input)."""
    where = people_meta(seq.scores)
    if where["frames_present"] == 0:
        return seq, where
    lo, hi = where["first_frame"], where["last_frame"] + 1
    meta = {**seq.meta, **where}
    return PoseSequence(seq.keypoints[lo:hi], seq.scores[lo:hi], fps=seq.fps, source=seq.source, meta=meta), where


def too_short(frames_present: int, fps: float | None, window: int) -> bool:
    """Whether a person seen in ``frames_present`` frames (at ``fps``) fills less than one window at the model's
    frame rate."""
    at_model_rate = frames_present * MODEL_FPS / fps if fps and fps > MODEL_FPS else frames_present
    return at_model_rate < window


def compare_people(
    a: Any,
    b: Any,
    *,
    model: InferenceModel | str | Path | None = None,
    backend: str = "auto",
    window: int = DEFAULT_WINDOW,
    stride: int = DEFAULT_STRIDE,
    flip: bool = False,
    pad_short: bool = False,
    timeline: bool = True,
    weighting: str = "movement",
) -> PeopleResult:
    """Score everyone in one input against the one person of the other.

    Parameters
    ----------
    a, b : one of them everyone, {id: PoseSequence} (what `motionsim.io.load_people` returns); the other one
        motion, as `motionsim.compare` takes it (a path, an array or a PoseSequence)
    model, backend, window, stride, flip, pad_short, timeline, weighting : as `motionsim.compare` (``flip``
        mirrors A, whichever side holds everyone)

    Returns
    -------
    PeopleResult: per person, ``person`` (the id), ``frames_present``, ``first_frame``, ``last_frame`` (frames
    of the group's input) and the keys of ``compare(...).to_dict()`` for that person's frames (their windows'
    frame numbers count from ``first_frame``). A person seen in fewer frames than one window has an ``error``
    instead of scores (unless ``pad_short``).

    Examples
    --------
    >>> import numpy as np
    >>> walk = np.random.default_rng(0).normal(size=(40, 17, 2)).cumsum(axis=0) + 100
    >>> group = {0: PoseSequence(walk, np.ones((40, 17))), 3: PoseSequence(walk[:10], np.ones((10, 17)))}
    >>> result = compare_people(walk, group, stride=4).to_dict()["people"]
    >>> round(result[0]["similarity"], 4), result[1]["error"]
    (1.0, 'seen in 10 frames, fewer than one window (32 frames)')
    """
    check_weighting(weighting)
    if isinstance(a, Mapping) == isinstance(b, Mapping):
        raise PoseFormatError("compare_people needs everyone on one side ({id: PoseSequence}) and one person on "
                              "the other")
    side = "a" if isinstance(a, Mapping) else "b"
    group: Mapping[int, PoseSequence] = a if side == "a" else b
    if not group:
        raise PoseFormatError("nobody to score: the group is empty")
    model_ = resolve_model(model, backend)
    other = b if side == "a" else a
    reference = as_pose_sequence(other, source=("B" if side == "a" else "A")
                                 if not isinstance(other, (str, Path)) else None)
    entries: dict[int, dict[str, Any]] = {}
    prepared, who = [], []
    for ident in sorted(group):
        span, where = person_span(group[ident])
        entries[ident] = {"person": int(ident), **where}
        if where["frames_present"] == 0 or (not pad_short and too_short(where["frames_present"], span.fps,
                                                                          window)):
            entries[ident]["error"] = (f"seen in {where['frames_present']} frames, fewer than one window "
                                       f"({window} frames)")
            continue
        try:
            prepared.append(prepare_motion(span, model_, window, (None, "body") if flip and side == "a" else (None,),
                                           pad_short))
        except SequenceTooShortError as exc:
            entries[ident]["error"] = str(exc)
            continue
        who.append(ident)
    ref_flips = (None, "body") if flip and side == "b" else (None,)
    ref_prepared = prepare_motion(reference, model_, window, ref_flips, pad_short)
    embedded = embed_prepared([ref_prepared, *prepared], model_, window, stride) if who else []
    for ident, person in zip(who, embedded[1:]):
        ref = embedded[0]
        if side == "b":
            result = compare_embeddings(ref[0], person[0], ref[1] if flip else None, timeline=timeline,
                                        weighting=weighting)
        else:
            result = compare_embeddings(person[0], ref[0], person[1] if flip else None, timeline=timeline,
                                        weighting=weighting)
        result.model = model_.name
        entries[ident].update(result.to_dict())
    return PeopleResult([entries[i] for i in sorted(entries)], side)
