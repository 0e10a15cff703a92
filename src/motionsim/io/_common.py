"""Pieces every reader shares: one-line errors, JSON loading, and choosing one person among several.

Person selection (``person="auto"``), the rule documented in ``docs/formats.md``:

1. If every detection in the file carries an id (``object_id`` in COCO/NTU files, ``person_id`` in OpenPose),
   keep the id with the largest total *salience* over the sequence (salience of one detection = its
   confidence x its size in pixels, so a person who is large, confident and present often wins).
2. Otherwise, if no frame holds more than one detection, every detection is kept.
3. Otherwise track by position: start from the single most salient detection in the whole sequence (earliest
   on ties), then walk forwards and backwards in time, each frame taking the detection whose keypoint centre
   is nearest to the last kept one, provided it lies within one body size of it; otherwise that frame is
   missing.

Frames where the chosen person is absent become all-missing frames (every score 0).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputTooLargeError, PoseFormatError
from ..pose import joint_present

#: A tracked person may move at most this many body sizes between two kept detections.
MAX_JUMP = 1.0

#: The reading limit: the most bytes a reader takes in from one input unless its caller passes ``max_bytes``.
#: It bounds a JSON or CSV file's size, and the size that the headers of a ``.npy``/``.npz`` file declare for its
#: arrays once decompressed; an input over it is refused before anything is allocated. 512 MB holds about a day
#: of 30 fps keypoints as (T, 17, 3) float32 arrays, or over 10 hours as NTU JSON (~600 bytes a frame).
MAX_INPUT_BYTES = 512 * 1024 * 1024


def fail(source: str | Path, message: str) -> PoseFormatError:
    """Build the one-line error every reader raises: ``"<file>: <what is wrong>"``."""
    return PoseFormatError(f"{source}: {message}")


def megabytes(n: int) -> str:
    """``n`` bytes for a message: ``"3.2 MB"``, ``"0.001 MB"``, ``"1.2e+06 MB"``."""
    return f"{n / 1024 / 1024:.3g} MB"


def input_limit(max_bytes: int | None) -> int:
    """The reading limit in bytes: ``max_bytes``, or `MAX_INPUT_BYTES` when None."""
    return MAX_INPUT_BYTES if max_bytes is None else int(max_bytes)


def too_large(source: str | Path, what: str, size: int, max_bytes: int | None) -> InputTooLargeError:
    return InputTooLargeError(f"{source}: {what} {megabytes(size)}, more than the reading limit of "
                              f"{megabytes(input_limit(max_bytes))}")


def check_size(path: Path, max_bytes: int | None) -> int:
    """The size of the file ``path``, refused (`InputTooLargeError`) when it is over the reading limit."""
    size = path.stat().st_size
    if size > input_limit(max_bytes):
        raise too_large(path, "is", size, max_bytes)
    return size


def _fast_loads(text: str) -> Any:
    """orjson's parse (2.7x faster than `json.loads`, the largest stage of score-pairs on NTU files), the same
    objects for standard JSON; ValueError where it refuses, and then `json.loads` decides (its messages, its
    NaN and Infinity). One difference: an integer past 64 bits (in no pose file) is read as a float."""
    try:
        import orjson
    except ImportError:  # installed without its dependencies
        raise ValueError("orjson is not installed") from None
    return orjson.loads(text)


def read_json(path: Path, max_bytes: int | None = None) -> Any:
    """Parse a JSON file, turning every failure into a `PoseFormatError` that names the file; a file over the
    reading limit (``max_bytes``, default `MAX_INPUT_BYTES`) is refused before it is read, and nesting deeper
    than Python's recursion limit is refused rather than crashing."""
    check_size(path, max_bytes)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise fail(path, f"is not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    if not text.strip():
        raise fail(path, "is empty")
    try:
        return _fast_loads(text)
    except ValueError:  # orjson refuses what Python's parser reads (NaN literals, huge integers) or fails
        pass
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise fail(path, f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from exc
    except RecursionError:
        raise fail(path, "JSON nested too deeply to be a pose file") from None


def as_float_array(values: Any, source: str | Path, where: str) -> np.ndarray:
    """``np.asarray(values, float)`` with a one-line error when an entry is not a number."""
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise fail(source, f"{where} contains values that are not numbers") from exc


@dataclass(frozen=True)
class Detection:
    """One person in one frame, in the file's own joint layout.

    points : shape=(J, 2); scores : shape=(J,), 0 = joint missing; ident : id given by the file, if any;
    confidence : the detector's person score, if any; bbox : (x, y, w, h), if any.
    """

    points: np.ndarray
    scores: np.ndarray
    ident: int | None = None
    confidence: float | None = None
    bbox: tuple[float, float, float, float] | None = None

    def visible(self) -> np.ndarray:
        return joint_present(self.points, self.scores)

    def centre_size(self) -> tuple[np.ndarray, float] | None:
        """Centre of the visible joints and the person's size (largest side of its box); None if nothing visible."""
        vis = self.visible()
        if not vis.any():
            return None
        pts = self.points[vis]
        size = float(np.ptp(pts, axis=0).max())
        if self.bbox is not None and all(math.isfinite(v) for v in self.bbox):
            size = max(size, float(self.bbox[2]), float(self.bbox[3]))
        return pts.mean(axis=0), max(size, 1.0)

    def salience(self) -> float:
        cs = self.centre_size()
        if cs is None:
            return 0.0
        vis = self.visible()
        conf = self.confidence if self.confidence is not None else float(self.scores[vis].mean())
        return max(float(conf), 1e-6) * cs[1]


def _track(frames: Sequence[Sequence[Detection]]) -> list[int | None]:
    """Indices of the tracked person in each frame (None: absent), rule 3 of the module docstring."""
    chosen: list[int | None] = [None] * len(frames)
    best = max(
        ((det.salience(), -t, -i) for t, dets in enumerate(frames) for i, det in enumerate(dets)),
        default=(0.0, 0, 0),
    )
    if best[0] <= 0:
        return chosen
    t0, i0 = -best[1], -best[2]
    chosen[t0] = i0
    for step in (1, -1):
        centre, size = frames[t0][i0].centre_size()  # type: ignore[misc]
        t = t0 + step
        while 0 <= t < len(frames):
            cands = [(float(np.linalg.norm(cs[0] - centre)), i, cs) for i, d in enumerate(frames[t])
                     if (cs := d.centre_size()) is not None]
            if cands:
                dist, i, (c, s) = min(cands, key=lambda x: x[0])
                if dist <= MAX_JUMP * size:
                    chosen[t], centre, size = i, c, s
            t += step
    return chosen


def _by_ident(frames: Sequence[Sequence[Detection]], ident: int) -> list[int | None]:
    return [next((i for i, d in enumerate(dets) if d.ident == ident), None) for dets in frames]


def select_person(
    frames: Sequence[Sequence[Detection]], n_joints: int, person: int | str, source: str | Path
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Keep one person per frame.

    Parameters
    ----------
    frames : per frame, the detections in it (possibly none)
    n_joints : joints per detection in the file's layout
    person : ``"auto"`` (see module docstring), or an int: the person with that id when the file has ids,
        else the person at that position in each frame's list
    source : file name for error messages

    Returns
    -------
    points shape=(T, J, 2), scores shape=(T, J), and a meta dict (``person``, ``max_people``)

    Examples
    --------
    >>> a = Detection(np.array([[0.0, 0.0], [10.0, 10.0]]), np.ones(2))
    >>> b = Detection(np.array([[100.0, 100.0], [150.0, 160.0]]), np.ones(2))
    >>> p, s, meta = select_person([[a, b], [b]], 2, "auto", "x.json")
    >>> p[:, 0].tolist(), s[:, 0].tolist()
    ([[100.0, 100.0], [100.0, 100.0]], [1.0, 1.0])
    """
    all_dets = [d for dets in frames for d in dets]
    has_ids = bool(all_dets) and all(d.ident is not None for d in all_dets)
    if person == "auto":
        idents = {d.ident for d in all_dets}
        if has_ids and len(idents) == 1:  # one id: nobody to choose between
            ident = idents.pop()
            chosen, label = _by_ident(frames, ident), ident  # type: ignore[arg-type]
        elif has_ids:
            totals: dict[int, float] = {}
            for d in all_dets:
                totals[d.ident] = totals.get(d.ident, 0.0) + d.salience()  # type: ignore[index]
            ident = max(totals, key=lambda k: (totals[k], -k))
            chosen, label = _by_ident(frames, ident), ident
        elif all(len(dets) <= 1 for dets in frames):  # nobody to confuse: keep every detection
            chosen, label = [0 if dets else None for dets in frames], "single"
        else:
            chosen, label = _track(frames), "tracked"
    elif isinstance(person, int) and not isinstance(person, bool):
        if has_ids:
            ids = sorted({d.ident for d in all_dets})  # type: ignore[type-var]
            if person not in ids:
                raise fail(source, f"no person with id {person}; ids in the file: {', '.join(map(str, ids))}")
            chosen = _by_ident(frames, person)
        else:
            chosen = [person if 0 <= person < len(dets) else None for dets in frames]
            if all(c is None for c in chosen):
                most = max((len(dets) for dets in frames), default=0)
                raise fail(source, f"person {person} requested, but frames have at most {most} people")
        label = person
    else:
        raise fail(source, f"person must be 'auto' or an int, got {person!r}")

    points = np.zeros((len(frames), n_joints, 2), dtype=np.float32)
    scores = np.zeros((len(frames), n_joints), dtype=np.float32)
    for t, i in enumerate(chosen):
        if i is not None:
            points[t] = frames[t][i].points
            scores[t] = frames[t][i].scores
    meta = {"person": label, "max_people": max((len(dets) for dets in frames), default=0)}
    return points, scores, meta


#: Frames a person of a file without ids may be missing and still keep their place (`each_person`).
MEMORY_FRAMES = 45


def _track_everyone(frames: Sequence[Sequence[Detection]]) -> list[list[int | None]]:
    """Everyone in a file without ids, tracked by position: frame by frame, each detection goes to the person
    whose last keypoint centre is nearest (Hungarian assignment on distance / body size), within `MAX_JUMP`
    body sizes and `MEMORY_FRAMES` frames; a detection left over is a new person. Per person, the index of
    their detection in each frame (None: absent)."""
    from scipy.optimize import linear_sum_assignment

    people: list[list[int | None]] = []
    last: list[tuple[np.ndarray, float, int]] = []  # per person: centre, size, frame last seen
    for t, dets in enumerate(frames):
        found = [(i, cs) for i, d in enumerate(dets) if (cs := d.centre_size()) is not None]
        taken: set[int] = set()
        live = [k for k, (_, _, seen) in enumerate(last) if t - seen <= MEMORY_FRAMES]
        if found and live:
            cost = np.array([[np.linalg.norm(cs[0] - last[k][0]) / last[k][1] for k in live] for _, cs in found])
            for r, c in zip(*linear_sum_assignment(cost)):
                if cost[r, c] <= MAX_JUMP:
                    k, (i, (centre, size)) = live[c], found[r]
                    people[k][t], last[k] = i, (centre, size, t)
                    taken.add(r)
        for r, (i, (centre, size)) in enumerate(found):
            if r not in taken:
                people.append([None] * len(frames))
                people[-1][t] = i
                last.append((centre, size, t))
    return people


def each_person(frames: Sequence[Sequence[Detection]], n_joints: int, source: str | Path,
                ) -> list[tuple[int, np.ndarray, np.ndarray, dict[str, Any]]]:
    """Every person of a file: (id, points (T, J, 2), scores (T, J), meta) each, in id order.

    With an id on every detection (``object_id``, ``person_id``), a person is an id; otherwise people are
    tracked by position (`_track_everyone`) and numbered 0, 1, ... as they first appear. ``meta`` has
    ``person`` (the id) and ``max_people``."""
    all_dets = [d for dets in frames for d in dets]
    if not all_dets:
        raise fail(source, "nobody in any frame")
    most = max(len(dets) for dets in frames)
    if all(d.ident is not None for d in all_dets):
        chosen = [(ident, _by_ident(frames, ident)) for ident in sorted({d.ident for d in all_dets})]  # type: ignore
        label = "id"
    else:
        chosen = list(enumerate(_track_everyone(frames)))
        label = "tracked"
    out = []
    for ident, rows in chosen:
        points = np.zeros((len(frames), n_joints, 2), dtype=np.float32)
        scores = np.zeros((len(frames), n_joints), dtype=np.float32)
        for t, i in enumerate(rows):
            if i is not None:
                points[t], scores[t] = frames[t][i].points, frames[t][i].scores
        out.append((int(ident), points, scores, {"person": int(ident), "max_people": most, "people_by": label}))
    return out


def bbox_of(points: np.ndarray, scores: np.ndarray) -> list[float]:
    """COCO box ``[x, y, w, h]`` around the present joints (zeros if none)."""
    ok = (scores > 0) & np.isfinite(points).all(axis=1)
    if not ok.any():
        return [0.0, 0.0, 0.0, 0.0]
    lo, hi = points[ok].min(axis=0), points[ok].max(axis=0)
    return [float(lo[0]), float(lo[1]), float(hi[0] - lo[0]), float(hi[1] - lo[1])]
