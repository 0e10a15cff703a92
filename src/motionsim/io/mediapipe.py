"""MediaPipe Pose (33 landmarks) dumps as JSON or CSV. Never imports mediapipe.

JSON: a list of frames, or ``{"width": W, "height": H, "fps": F, "frames": [...]}``. A frame is a list of 33
landmarks, each ``{"x", "y", "z", "visibility"}`` or ``[x, y, z, visibility]`` (``z``/``visibility`` optional),
or ``{"landmarks": [...]}``; ``null`` or ``[]`` is a frame with nobody.

CSV: a header and one row per frame, columns ``x0, y0, z0, visibility0, ..., x32, ...`` or
``<landmark>_x, <landmark>_y, <landmark>_z, <landmark>_visibility`` with MediaPipe's landmark names
(``nose, left_eye_inner, ...``, see `LANDMARKS`). Only ``x``/``y`` of the 17 landmarks that map onto COCO-17
are required; empty cells are missing joints. Optional columns ``width``, ``height``, ``fps`` (first row used);
others (``frame``, ``time``...) are ignored.

Coordinates are normalised in [0, 1] by MediaPipe; they are multiplied by the image width and height when the
file gives them, else kept as they are. ``visibility`` is the joint score (1 when absent).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np

from ..pose import PoseSequence
from ..skeleton import MEDIAPIPE33_TO_COCO17, to_coco17
from ._common import as_float_array, check_size, fail, read_json

LANDMARKS: tuple[str, ...] = (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye", "right_eye_outer",
    "left_ear", "right_ear", "mouth_left", "mouth_right", "left_shoulder", "right_shoulder", "left_elbow",
    "right_elbow", "left_wrist", "right_wrist", "left_pinky", "right_pinky", "left_index", "right_index",
    "left_thumb", "right_thumb", "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
    "left_heel", "right_heel", "left_foot_index", "right_foot_index",
)
N_LANDMARKS = len(LANDMARKS)
_USED = tuple(i for i in MEDIAPIPE33_TO_COCO17 if i is not None)
_FRAME_KEYS = ("landmarks", "pose_landmarks")


def _is_landmark(item: Any) -> bool:
    return (isinstance(item, dict) and "x" in item) or (isinstance(item, list) and 2 <= len(item) <= 5)


def looks_like(obj: Any) -> bool:
    """Whether parsed JSON has this format's structure (used by format detection)."""
    if isinstance(obj, dict):
        return isinstance(obj.get("frames"), list) or any(k in obj for k in _FRAME_KEYS)
    if isinstance(obj, list):
        first = next((f for f in obj if f), None)
        if isinstance(first, dict):
            return any(k in first for k in _FRAME_KEYS)
        return isinstance(first, list) and _is_landmark(first[0])
    return False


def looks_like_csv(header: list[str]) -> bool:
    """Whether a CSV header is a MediaPipe dump (has z or visibility columns, or MediaPipe-only names)."""
    cols = {c.strip().lower() for c in header}
    return bool({"z0", "visibility0", "nose_z", "nose_visibility", "left_eye_inner_x"} & cols)


def _to_sequence(xy: np.ndarray, vis: np.ndarray, header: dict[str, Any], source: Path) -> PoseSequence:
    width, height = header.get("width"), header.get("height")
    meta: dict[str, Any] = {"format": "mediapipe", "layout": "mediapipe33", "normalised": True}
    if width and height:
        xy = xy * np.array([float(width), float(height)])
        meta.update(width=width, height=height, normalised=False)
    vis = np.where(np.isfinite(xy).all(axis=2), np.clip(np.nan_to_num(vis, nan=1.0), 0.0, 1.0), 0.0)
    points, scores = to_coco17(xy, vis, "mediapipe33")
    fps = header.get("fps")
    return PoseSequence(points, scores, fps=float(fps) if fps else None, source=str(source), meta=meta)


def _json_frame(frame: Any, source: Path, t: int) -> np.ndarray:
    """One frame as (33, 4) x, y, z, visibility (NaN x/y = nobody)."""
    out = np.full((N_LANDMARKS, 4), np.nan)
    if isinstance(frame, dict):
        frame = next((frame[k] for k in _FRAME_KEYS if k in frame), None)
    if not frame:
        return out
    if not isinstance(frame, list):
        raise fail(source, f"frame {t} is a {type(frame).__name__}, expected a list of {N_LANDMARKS} landmarks")
    if len(frame) != N_LANDMARKS:
        raise fail(source, f"frame {t} has {len(frame)} landmarks, expected {N_LANDMARKS} (MediaPipe Pose)")
    for j, lm in enumerate(frame):
        if isinstance(lm, dict):
            lm = [lm.get("x"), lm.get("y"), lm.get("z", np.nan), lm.get("visibility", np.nan)]
        if not isinstance(lm, list) or not 2 <= len(lm) <= 4:
            raise fail(source, f"frame {t} landmark {j} is not {{x, y, z, visibility}} or [x, y, z, visibility]")
        vals = as_float_array([np.nan if v is None else v for v in lm], source, f"frame {t} landmark {j}")
        out[j, : len(vals)] = vals
    return out


def read_json_dump(path: Path, obj: Any = None, max_bytes: int | None = None) -> PoseSequence:
    """Read a MediaPipe JSON dump (``obj``: the already-parsed JSON, if the caller has it)."""
    obj = read_json(path, max_bytes) if obj is None else obj
    header: dict[str, Any] = {}
    if isinstance(obj, dict):
        header = {k: obj.get(k, obj.get(f"image_{k}")) for k in ("width", "height")}
        header["fps"] = obj.get("fps")
        obj = obj.get("frames", obj)
        if isinstance(obj, dict):  # a single frame {"landmarks": [...]}
            obj = [obj]
    if not isinstance(obj, list) or not obj:
        raise fail(path, "has zero frames")
    arr = np.stack([_json_frame(f, path, t) for t, f in enumerate(obj)])
    return _to_sequence(arr[..., :2], arr[..., 3], header, path)


def _column(header: list[str], j: int, field: str) -> int | None:
    names = (f"{field}{j}", f"{LANDMARKS[j]}_{field}")
    return next((k for k, c in enumerate(header) if c in names), None)


def read_csv_dump(path: Path, max_bytes: int | None = None) -> PoseSequence:
    """Read a MediaPipe CSV dump (forms in the module docstring)."""
    check_size(path, max_bytes)
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise fail(path, "is empty")
    header = [c.strip().lower() for c in rows[0]]
    body = rows[1:]
    if not body:
        raise fail(path, "has a header but zero frames")
    missing = [f"x{j}/{LANDMARKS[j]}_x" for j in _USED if _column(header, j, "x") is None]
    missing += [f"y{j}/{LANDMARKS[j]}_y" for j in _USED if _column(header, j, "y") is None]
    if missing:
        raise fail(path, f"MediaPipe CSV lacks columns {', '.join(missing[:4])}" + (" ..." if len(missing) > 4 else ""))
    wanted = {(j, f): k for j in range(N_LANDMARKS) for f, field in enumerate(("x", "y", "z", "visibility"))
              if (k := _column(header, j, field)) is not None}
    extra = {name: header.index(name) for name in ("width", "height", "fps") if name in header}
    used = sorted(set(wanted.values()) | set(extra.values()))
    cells = np.full((len(body), len(header)), np.nan)
    for t, row in enumerate(body):
        if len(row) != len(header):
            raise fail(path, f"row {t + 2} has {len(row)} cells, the header has {len(header)}")
        vals = [row[k] if row[k].strip() else "nan" for k in used]
        cells[t, used] = as_float_array(vals, path, f"row {t + 2}")
    arr = np.full((len(body), N_LANDMARKS, 4), np.nan)
    for (j, f), k in wanted.items():
        arr[:, j, f] = cells[:, k]
    meta = {name: (float(cells[0, k]) if np.isfinite(cells[0, k]) else None) for name, k in extra.items()}
    return _to_sequence(arr[..., :2], arr[..., 3], meta, path)


def read(path: Path, *, person: int | str = "auto", max_bytes: int | None = None) -> PoseSequence:
    """Read a MediaPipe dump (``.csv`` or JSON); ``person`` is accepted for symmetry (dumps hold one person).

    Examples
    --------
    >>> import json, tempfile
    >>> f = Path(tempfile.mkdtemp()) / "mp.json"
    >>> lm = [{"x": 0.5, "y": 0.25, "z": 0.0, "visibility": 0.9}] * 33
    >>> _ = f.write_text(json.dumps({"width": 200, "height": 100, "frames": [lm, lm]}))
    >>> seq = read(f)
    >>> seq.keypoints[0, 0].tolist(), len(seq)
    ([100.0, 25.0], 2)
    """
    if path.suffix.lower() == ".csv":
        return read_csv_dump(path, max_bytes)
    return read_json_dump(path, max_bytes=max_bytes)
