"""OpenPose output: a folder of per-frame ``*_keypoints.json`` files (or one such file).

Each file is ``{"people": [{"person_id": [-1], "pose_keypoints_2d": [x, y, c] * J}, ...]}``. The layout is part
of the format: 75 values per person is BODY_25, 54 is COCO-18 (``--model_pose COCO``). Files are ordered by the
frame number in their name (``clip_000000000012_keypoints.json``), else by name. OpenPose writes (0, 0, 0) for
joints it did not find; they become missing joints. ``person_id`` values other than -1 are used as ids.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from ..pose import PoseSequence
from ..skeleton import to_coco17
from ._common import Detection, as_float_array, each_person, fail, input_limit, read_json, select_person, too_large

#: Values per person -> layout name in `motionsim.skeleton.LAYOUTS`.
LAYOUT_BY_LENGTH: dict[int, str] = {75: "body25", 54: "coco18"}
SUFFIX = "_keypoints.json"
_FRAME_NUMBER = re.compile(r"(\d+)_keypoints\.json$")


def looks_like(obj: Any) -> bool:
    """Whether parsed JSON is one OpenPose frame."""
    return isinstance(obj, dict) and isinstance(obj.get("people"), list)


def frame_files(folder: Path) -> list[Path]:
    """The ``*_keypoints.json`` files of a folder in frame order."""

    def key(p: Path) -> tuple[int, str]:
        m = _FRAME_NUMBER.search(p.name)
        return (int(m.group(1)) if m else -1, p.name)

    return sorted((p for p in folder.iterdir() if p.name.endswith(SUFFIX) and p.is_file()), key=key)


def _ident(person: dict[str, Any]) -> int | None:
    pid = person.get("person_id")
    if isinstance(pid, list) and pid:
        pid = pid[0]
    if isinstance(pid, (int, float)) and not isinstance(pid, bool) and pid >= 0:
        return int(pid)
    return None


def _frame(obj: Any, source: Path) -> tuple[list[Detection], int | None]:
    """Detections of one frame file and their values-per-person (None when the frame is empty)."""
    if not looks_like(obj):
        raise fail(source, "is not an OpenPose frame (no 'people' list)")
    dets, length = [], None
    for k, person in enumerate(obj["people"]):
        where = f"person {k}"
        if not isinstance(person, dict) or "pose_keypoints_2d" not in person:
            raise fail(source, f"{where} has no 'pose_keypoints_2d'")
        kp = as_float_array(person["pose_keypoints_2d"], source, f"{where} pose_keypoints_2d")
        if kp.ndim != 1 or kp.size not in LAYOUT_BY_LENGTH:
            raise fail(source, f"{where} has {kp.size} pose_keypoints_2d values, expected 75 (BODY_25: 25 joints x 3)"
                               " or 54 (COCO-18: 18 joints x 3)")
        if length is not None and kp.size != length:
            raise fail(source, f"people have {length} and {kp.size} keypoint values; one layout per file")
        length = kp.size
        kp = kp.reshape(-1, 3)
        scores = np.clip(np.nan_to_num(kp[:, 2], nan=0.0), 0.0, 1.0)
        dets.append(Detection(points=kp[:, :2], scores=scores, ident=_ident(person)))
    return dets, length


def _read_frames(path: Path, max_bytes: int | None) -> tuple[list[list[Detection]], int, str]:
    """Every frame's detections, joints per detection and the layout, of a folder (or one frame file)."""
    files = frame_files(path) if path.is_dir() else [path]
    if not files:
        raise fail(path, f"folder has no OpenPose '*{SUFFIX}' files")
    total = sum(f.stat().st_size for f in files)
    if total > input_limit(max_bytes):
        raise too_large(path, f"holds {len(files)} frame files of", total, max_bytes)
    frames: list[list[Detection]] = []
    lengths: dict[int, Path] = {}
    for f in files:
        dets, length = _frame(read_json(f, max_bytes), f)
        frames.append(dets)
        if length is not None:
            lengths.setdefault(length, f)
    if len(lengths) > 1:
        (a, fa), (b, fb) = sorted(lengths.items())[:2]
        raise fail(path, f"mixes layouts: {fa.name} has {a} values per person, {fb.name} has {b}")
    if not lengths:
        raise fail(path, f"no person detected in any of its {len(files)} frames")
    layout = LAYOUT_BY_LENGTH[next(iter(lengths))]
    n_joints = next(iter(lengths)) // 3
    return frames, n_joints, layout


def read_people(path: Path, *, max_bytes: int | None = None) -> dict[int, PoseSequence]:
    """Every person of an OpenPose folder (by ``person_id`` when every person has one, else tracked by
    position: `_common.each_person`)."""
    frames, n_joints, layout = _read_frames(path, max_bytes)
    people = {}
    for ident, points, scores, meta in each_person(frames, n_joints, path):
        points, scores = to_coco17(points, scores, layout)
        meta.update(layout=layout, format="openpose")
        people[ident] = PoseSequence(points, scores, fps=None, source=str(path), meta=meta)
    return people


def read(path: Path, *, person: int | str = "auto", max_bytes: int | None = None) -> PoseSequence:
    """Read an OpenPose JSON folder (or a single frame file).

    Examples
    --------
    >>> import json, tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> for t in range(2):
    ...     _ = (d / f"c_{t:012d}_keypoints.json").write_text(json.dumps({"people": [
    ...         {"pose_keypoints_2d": [10.0, 20.0, 0.9] * 25}]}))
    >>> seq = read(d)
    >>> len(seq), seq.meta["layout"]
    (2, 'body25')
    """
    frames, n_joints, layout = _read_frames(path, max_bytes)
    points, scores, meta = select_person(frames, n_joints, person, path)
    points, scores = to_coco17(points, scores, layout)
    meta.update(layout=layout, format="openpose")
    return PoseSequence(points, scores, fps=None, source=str(path), meta=meta)
