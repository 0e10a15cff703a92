"""NTU refined-skeleton / COCO-17 keypoint JSON: read and write.

The layout (the NTU RGB+D skeletons refined by MultiPoseNet, as the BPE authors distribute them)::

    {"video": {"fps": 30.0, "width": 1920, "height": 1080},
     "annotations": [{"frame_num": 0,
                      "objects": [{"keypoints": [x, y, score] * 17, "score": 0.9,
                                   "bbox": [x, y, w, h], "object_id": 0}]}]}

Also accepted: ``{"result": {"annotations": [...]}}`` and a plain list of frames, where a frame is either a
``{"frame_num", "objects"}`` dict or directly a list of objects. Frames are ordered by ``frame_num`` (list order
when absent); missing frame numbers between the first and the last become all-missing frames.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..pose import PoseSequence
from ._common import (
    Detection,
    as_float_array,
    bbox_of,
    each_person,
    fail,
    input_limit,
    read_json,
    select_person,
    too_large,
)

N_VALUES = 17 * 3


def looks_like(obj: Any) -> bool:
    """Whether parsed JSON has this format's structure (used by format detection)."""
    if isinstance(obj, dict):
        return "annotations" in obj or isinstance(obj.get("result"), dict)
    if isinstance(obj, list):
        first = next((f for f in obj if f), None)
        if isinstance(first, dict):
            return "objects" in first
        if isinstance(first, list):
            return isinstance(first[0], dict) and "keypoints" in first[0]
    return False


def _frames(obj: Any, source: Path) -> tuple[list[Any], dict[str, Any]]:
    """The list of frame entries and the ``video`` header (possibly empty)."""
    video: dict[str, Any] = {}
    if isinstance(obj, dict):
        if "annotations" not in obj and isinstance(obj.get("result"), dict):
            obj = obj["result"]
        if not isinstance(obj.get("video", {}), dict):
            raise fail(source, "'video' must be an object with fps, width and height")
        video = obj.get("video", {})
        if "annotations" not in obj:
            raise fail(source, "no 'annotations' list (expected the NTU/COCO keypoint format)")
        obj = obj["annotations"]
    if not isinstance(obj, list):
        raise fail(source, f"'annotations' must be a list of frames, got {type(obj).__name__}")
    if not obj:
        raise fail(source, "has zero frames")
    return obj, video


def _detection(entry: Any, source: Path, where: str) -> Detection:
    if not isinstance(entry, dict) or "keypoints" not in entry:
        raise fail(source, f"{where} is not an object with 'keypoints'")
    kp = as_float_array(entry["keypoints"], source, f"{where} keypoints")
    if kp.ndim != 1 or kp.size != N_VALUES:
        raise fail(source, f"{where} has {kp.size} keypoint values, expected {N_VALUES} (17 joints x 3)")
    kp = kp.reshape(17, 3)
    bbox = entry.get("bbox")
    box = tuple(as_float_array(bbox, source, f"{where} bbox").tolist()) if bbox is not None else None
    if box is not None and len(box) != 4:
        raise fail(source, f"{where} bbox has {len(box)} values, expected 4 (x, y, w, h)")
    ident = entry.get("object_id")
    conf = entry.get("score")
    return Detection(
        points=kp[:, :2],
        scores=np.clip(np.nan_to_num(kp[:, 2], nan=0.0), 0.0, 1.0),
        ident=int(ident) if isinstance(ident, (int, float)) and not isinstance(ident, bool) else None,
        confidence=float(conf) if isinstance(conf, (int, float)) else None,
        bbox=box,  # type: ignore[arg-type]
    )


def _all_detections(objects: Sequence[Any], where: Sequence[str], source: Path) -> list[Detection]:
    """Every object of the file as a `Detection`, the keypoints of all converted in one step (a long clip has
    thousands); anything malformed goes through `_detection` one by one, which says what is wrong where."""
    if not all(isinstance(o, dict) and "keypoints" in o for o in objects):
        return [_detection(o, source, w) for o, w in zip(objects, where)]
    try:
        values = np.array([o["keypoints"] for o in objects], dtype=np.float64)
    except (TypeError, ValueError):
        values = None
    boxes = [o.get("bbox") for o in objects]
    if any(b is not None for b in boxes):
        try:
            box_values = np.array([b if b is not None else [np.nan] * 4 for b in boxes], dtype=np.float64)
        except (TypeError, ValueError):
            box_values = None
        if box_values is None or box_values.shape != (len(objects), 4):
            values = None
    if values is None or values.shape != (len(objects), N_VALUES):
        return [_detection(o, source, w) for o, w in zip(objects, where)]
    kp = values.reshape(len(objects), 17, 3)
    scores = np.clip(np.nan_to_num(kp[:, :, 2], nan=0.0), 0.0, 1.0)
    out = []
    for k, o in enumerate(objects):
        ident, conf = o.get("object_id"), o.get("score")
        out.append(Detection(
            points=kp[k, :, :2], scores=scores[k],
            ident=int(ident) if isinstance(ident, (int, float)) and not isinstance(ident, bool) else None,
            confidence=float(conf) if isinstance(conf, (int, float)) else None,
            bbox=None if boxes[k] is None else tuple(box_values[k].tolist())))  # type: ignore[arg-type]
    return out


#: Bytes one frame takes once read (17 joints: x, y and a score as float32), to check a frame_num span against
#: the reading limit before the missing frames between numbers are made.
FRAME_BYTES = 17 * 3 * 4


def _parsed(obj: Any, source: Path, max_bytes: int | None) -> tuple[list[list[Detection]], int, dict[str, Any]]:
    """Every frame's detections (from the first frame number to the last), the first frame number, the
    ``video`` header."""
    entries, video = _frames(obj, source)
    nums, objects, where = [], [], []
    for pos, entry in enumerate(entries):
        if isinstance(entry, dict):
            num = entry.get("frame_num", pos)
            found = entry.get("objects", [])
        elif isinstance(entry, list):
            num, found = pos, entry
        else:
            raise fail(source, f"frame {pos} is a {type(entry).__name__}, expected an object with 'objects'")
        if not isinstance(num, int) or isinstance(num, bool) or num < 0:
            raise fail(source, f"frame {pos} has frame_num {num!r}, expected a non-negative integer")
        if not isinstance(found, list):
            raise fail(source, f"frame {num}: 'objects' must be a list")
        nums.extend([num] * len(found))
        objects.extend(found)
        where.extend(f"frame {num}" + (f" person {k}" if k else "") for k in range(len(found)))
        nums.append(num)  # every frame counts, with or without people
        objects.append(None)
        where.append("")
    numbered: dict[int, list[Detection]] = {}
    people = [k for k, o in enumerate(objects) if o is not None]
    dets = iter(_all_detections([objects[k] for k in people], [where[k] for k in people], source))
    for num, o in zip(nums, objects):
        frame = numbered.setdefault(num, [])
        if o is not None:
            frame.append(next(dets))
    first = min(numbered)
    span = max(numbered) - first + 1
    if span * FRAME_BYTES > input_limit(max_bytes):
        raise too_large(source, f"frame numbers {first} to {max(numbered)} would take", span * FRAME_BYTES,
                        max_bytes)
    frames = [numbered.get(n, []) for n in range(first, max(numbered) + 1)]
    return frames, first, video


def _sequence(points: np.ndarray, scores: np.ndarray, meta: dict[str, Any], first: int, video: dict[str, Any],
              source: Path) -> PoseSequence:
    meta.update(first_frame=first, format="coco")
    for key in ("width", "height"):
        if isinstance(video.get(key), (int, float)):
            meta[key] = video[key]
    fps = video.get("fps")
    fps = float(fps) if isinstance(fps, (int, float)) and fps > 0 else None
    return PoseSequence(points, scores, fps=fps, source=str(source), meta=meta)


def from_json(obj: Any, source: Path, person: int | str = "auto", max_bytes: int | None = None) -> PoseSequence:
    """Build a PoseSequence from already-parsed JSON of this format (``max_bytes``: the reading limit, which also
    bounds the span of frame numbers)."""
    if person == "auto" and (seq := _one_person_a_frame(obj, source, max_bytes)) is not None:
        return seq
    frames, first, video = _parsed(obj, source, max_bytes)
    points, scores, meta = select_person(frames, 17, person, source)
    return _sequence(points, scores, meta, first, video, source)


def _one_person_a_frame(obj: Any, source: Path, max_bytes: int | None) -> PoseSequence | None:
    """The common file read in a few array operations: frames numbered one after another, at most one
    well-formed object each, and one ``object_id`` or none. The result equals the general path's (`_parsed`
    and `select_person`, which keeps every detection then; tested); None for any other file, which the general
    path reads and, if malformed, says what is wrong where. Why: that path builds an object per detection, most
    of the time of reading an NTU clip (score-pairs reads thousands)."""
    entries, video = _frames(obj, source)
    first = entries[0].get("frame_num", 0) if isinstance(entries[0], dict) else None
    if type(first) is not int or first < 0 or len(entries) * FRAME_BYTES > input_limit(max_bytes):
        return None
    present, objects = [], []
    for pos, entry in enumerate(entries):
        if not isinstance(entry, dict):
            return None
        num = entry.get("frame_num", pos)
        if type(num) is not int or num != first + pos:
            return None
        found = entry.get("objects", [])
        if not isinstance(found, list) or len(found) > 1:
            return None
        if found:
            if not isinstance(found[0], dict) or "keypoints" not in found[0]:
                return None
            present.append(pos)
            objects.append(found[0])
    idents = {o.get("object_id") for o in objects}
    ident = idents.pop() if len(idents) == 1 else None
    if len(idents) > 0 or not (ident is None or isinstance(ident, (int, float)) and not isinstance(ident, bool)):
        return None  # several ids (the general path picks one of them), or an id that is no number
    try:
        values = np.array([o["keypoints"] for o in objects] or np.zeros((0, N_VALUES)), dtype=np.float64)
        boxes = [o["bbox"] for o in objects if o.get("bbox") is not None]
        if values.shape != (len(objects), N_VALUES) or (
                boxes and np.array(boxes, dtype=np.float64).shape != (len(boxes), 4)):
            return None
    except (TypeError, ValueError):
        return None
    kp = values.reshape(len(objects), 17, 3)
    points = np.zeros((len(entries), 17, 2), dtype=np.float32)
    scores = np.zeros((len(entries), 17), dtype=np.float32)
    points[present] = kp[:, :, :2]
    scores[present] = np.clip(np.nan_to_num(kp[:, :, 2], nan=0.0), 0.0, 1.0)
    meta = {"person": "single" if ident is None else int(ident), "max_people": int(bool(objects))}
    return _sequence(points, scores, meta, first, video, source)


def people_from_json(obj: Any, source: Path, max_bytes: int | None = None) -> dict[int, PoseSequence]:
    """Every person of already-parsed JSON of this format: by ``object_id`` when every object has one, else
    tracked by position (`_common.each_person`); each sequence spans every frame of the file."""
    frames, first, video = _parsed(obj, source, max_bytes)
    return {ident: _sequence(points, scores, meta, first, video, source)
            for ident, points, scores, meta in each_person(frames, 17, source)}


def read_people(path: Path, *, max_bytes: int | None = None) -> dict[int, PoseSequence]:
    """Every person of an NTU/COCO-17 keypoint JSON file (`people_from_json`)."""
    return people_from_json(read_json(path, max_bytes), path, max_bytes)


def read(path: Path, *, person: int | str = "auto", max_bytes: int | None = None) -> PoseSequence:
    """Read an NTU/COCO-17 keypoint JSON file.

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> from motionsim.pose import PoseSequence
    >>> f = Path(tempfile.mkdtemp()) / "clip.json"
    >>> write(PoseSequence(np.ones((3, 17, 2)), np.ones((3, 17)), fps=30.0), f)
    >>> seq = read(f)
    >>> len(seq), seq.fps
    (3, 30.0)
    """
    return from_json(read_json(path, max_bytes), path, person, max_bytes)


def _object(seq: PoseSequence, t: int, object_id: int) -> dict[str, Any] | None:
    pts, sc = seq.keypoints[t], seq.scores[t]
    if not (sc > 0).any():
        return None
    kp = np.concatenate([np.nan_to_num(pts, nan=0.0), sc[:, None]], axis=1)
    return {
        "category_id": 1,
        "bbox": [round(v, 3) for v in bbox_of(pts, sc)],
        "score": round(float(sc[sc > 0].mean()), 4),
        "keypoints": [round(float(v), 4 if k % 3 == 2 else 3) for k, v in enumerate(kp.ravel())],
        "object_id": object_id,
    }


def write(seq: PoseSequence | Sequence[PoseSequence] | Mapping[int, PoseSequence], path: Path) -> None:
    """Write one or several people as an NTU/COCO-17 keypoint JSON file: a list is written with ``object_id``
    0, 1, ..., a mapping {id: sequence} with its ids.

    Frames where a person has no present joint omit that person; coordinates are rounded to 1e-3 pixel,
    scores to 1e-4.
    Several sequences must have the same length.
    """
    if isinstance(seq, Mapping):
        ids, seqs = [int(k) for k in seq], list(seq.values())
    else:
        seqs = [seq] if isinstance(seq, PoseSequence) else list(seq)
        ids = list(range(len(seqs)))
    if not seqs or len({len(s) for s in seqs}) != 1:
        raise ValueError("write needs one PoseSequence or several of the same length")
    head = seqs[0]
    video: dict[str, Any] = {"path": Path(head.source).name, "original_length": len(head)}
    for key in ("width", "height"):
        if key in head.meta:
            video[key] = head.meta[key]
    if head.fps:
        video["fps"] = float(head.fps)
    annotations = []
    for t in range(len(head)):
        objects = [o for k, s in zip(ids, seqs) if (o := _object(s, t, k)) is not None]
        annotations.append({"frame_num": t, "objects": objects})
    doc = {"info": {"description": "written by motionsim"}, "video": video, "annotations": annotations}
    Path(path).write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
