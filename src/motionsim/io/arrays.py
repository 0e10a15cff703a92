"""COCO-17 keypoint arrays: ``.npy``, ``.npz`` and ``.csv``, read and write.

``.npy``: one array of shape (T, 17, 2) (x, y) or (T, 17, 3) (x, y, score), COCO-17 joint order.

``.npz``: key ``keypoints`` (or the only array in the file) as above; optional ``scores`` (T, 17), which
override a third channel, and ``fps`` (a scalar).

``.csv``: a header, then one row per frame. Accepted column forms (COCO-17 joint names, see
`motionsim.skeleton.COCO17_JOINTS`):

- indexed: ``x0, y0, s0, x1, y1, s1, ..., x16, y16, s16`` (``s<j>`` optional; ``score<j>`` also accepted);
- named: ``nose_x, nose_y, nose_score, left_eye_x, ...`` (``_score`` optional; ``_s``/``_conf`` also accepted).

Column order does not matter, names are case-insensitive, other columns (``frame``, ``time``...) are ignored,
an empty cell is a missing joint. Without score columns a joint counts as present when its x and y are finite
and not both 0 (`motionsim.pose.joint_present`, the rule every stage uses).

Every reader takes ``max_bytes`` (default `motionsim.io.MAX_INPUT_BYTES`): a CSV file over it, or a ``.npy``/``.npz``
whose headers declare more array bytes than that (decompressed), is refused before anything is allocated; so is
a header that declares more data than the file holds, and an archive with more than `MAX_NPZ_MEMBERS` members.
"""

from __future__ import annotations

import csv
import math
import zipfile
from pathlib import Path
from typing import IO

import numpy as np

from ..errors import PoseFormatError
from ..pose import PoseSequence, joint_present
from ..skeleton import COCO17_JOINTS
from ._common import as_float_array, check_size, fail, input_limit, too_large

#: The most members a ``.npz`` may hold (a motion has keypoints, scores and fps); the zip directory is checked
#: before it is read, so an archive of millions of tiny members cannot fill memory.
MAX_NPZ_MEMBERS = 64
_EOCD, _EOCD64_LOCATOR, _EOCD64 = b"PK\x05\x06", b"PK\x06\x07", b"PK\x06\x06"

_SCORE_SUFFIXES = ("score", "s", "conf")


def _from_array(arr: np.ndarray, scores: np.ndarray | None, fps: float | None, path: Path) -> PoseSequence:
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.number):
        raise fail(path, f"array has dtype {arr.dtype}, expected numbers")
    if arr.ndim != 3 or arr.shape[1] != 17 or arr.shape[2] not in (2, 3):
        raise fail(path, f"array has shape {arr.shape}, expected (T, 17, 2) or (T, 17, 3) in COCO-17 order")
    if arr.shape[0] == 0:
        raise fail(path, "has zero frames")
    arr = arr.astype(np.float64)
    points = arr[..., :2]
    if scores is None:
        scores = arr[..., 2] if arr.shape[2] == 3 else joint_present(points).astype(float)
    else:
        scores = np.asarray(scores, dtype=np.float64)
        if scores.shape != arr.shape[:2]:
            raise fail(path, f"scores have shape {scores.shape}, expected {arr.shape[:2]}")
    meta = {"format": path.suffix.lower().lstrip(".")}
    return PoseSequence(points, scores, fps=fps, source=str(path), meta=meta)


def _array_header(fh: IO[bytes], path: Path, what: str = "") -> tuple[tuple[int, ...], np.dtype]:
    """Shape and dtype from the ``.npy`` header at ``fh``'s position, reading the header only; ``what`` names the
    array in messages (an archive's member)."""
    subject = f"{what} " if what else ""
    fmt = np.lib.format
    try:
        version = fmt.read_magic(fh)
        if version == (1, 0):
            shape, _, dtype = fmt.read_array_header_1_0(fh)
        elif version == (2, 0):
            shape, _, dtype = fmt.read_array_header_2_0(fh)
        else:
            raise ValueError(f"format version {version[0]}.{version[1]} is not supported")
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise fail(path, f"{subject}is not a readable .npy array ({exc})") from exc
    if dtype.hasobject or not np.issubdtype(dtype, np.number):
        raise fail(path, f"{subject}has dtype {dtype}, expected numbers")
    return shape, dtype


def _check_declared(path: Path, what: str, shape: tuple[int, ...], dtype: np.dtype, available: int) -> int:
    """The bytes ``shape`` x ``dtype`` takes, refused when the file holds fewer than that."""
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes > available:
        subject = f"{what} " if what else ""
        raise fail(path, f"{subject}header declares shape {shape} ({nbytes:,} bytes of {dtype}), but only "
                         f"{max(available, 0):,} bytes of data follow")
    return nbytes


def _npz_member_count(path: Path) -> int:
    """How many members the zip directory of ``path`` lists, from its end record (zip64 included)."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        tail_start = max(0, size - 22 - 65535)
        fh.seek(tail_start)
        tail = fh.read()
        at = tail.rfind(_EOCD)
        if at < 0 or len(tail) - at < 22:
            raise fail(path, "is not a readable .npz archive (no zip directory at its end)")
        count = int.from_bytes(tail[at + 10:at + 12], "little")
        locator = tail[at - 20:at] if at >= 20 else b""
        if count == 0xFFFF and locator.startswith(_EOCD64_LOCATOR):
            fh.seek(int.from_bytes(locator[8:16], "little"))
            record = fh.read(40)
            if len(record) < 40 or not record.startswith(_EOCD64):
                raise fail(path, "is not a readable .npz archive (broken zip64 directory)")
            count = int.from_bytes(record[32:40], "little")
    return count


def read_npy(path: Path, *, person: int | str = "auto", max_bytes: int | None = None) -> PoseSequence:
    """Read a ``.npy`` array (T, 17, 2|3).

    Examples
    --------
    >>> import tempfile
    >>> f = Path(tempfile.mkdtemp()) / "a.npy"
    >>> np.save(f, np.ones((5, 17, 3)))
    >>> read_npy(f).keypoints.shape
    (5, 17, 2)
    """
    with path.open("rb") as fh:
        if fh.read(4) == b"PK\x03\x04":
            raise fail(path, "holds several arrays; use the .npz extension")
        fh.seek(0)
        shape, dtype = _array_header(fh, path)
        nbytes = _check_declared(path, "", shape, dtype, path.stat().st_size - fh.tell())
        if nbytes > input_limit(max_bytes):
            raise too_large(path, f"array of shape {shape} would take", nbytes, max_bytes)
        fh.seek(0)
        try:
            arr = np.load(fh, allow_pickle=False)
        except (ValueError, OSError, EOFError) as exc:
            raise fail(path, f"is not a readable .npy array ({exc})") from exc
    return _from_array(arr, None, None, path)


def _check_npz(path: Path, max_bytes: int | None) -> None:
    """Refuse an archive whose member count, or whose arrays' declared or decompressed size, is over the limits,
    reading only its directory and the arrays' headers."""
    count = _npz_member_count(path)
    if count > MAX_NPZ_MEMBERS:
        raise fail(path, f"archive lists {count:,} members; a motion .npz holds at most {MAX_NPZ_MEMBERS}")
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        expanded = sum(info.file_size for info in infos)
        if expanded > input_limit(max_bytes):
            raise too_large(path, "archive would expand to", expanded, max_bytes)
        for info in infos:
            if not info.filename.endswith(".npy"):
                continue
            what = f"member {info.filename!r}"
            with zf.open(info) as member:
                shape, dtype = _array_header(member, path, what)
                _check_declared(path, what, shape, dtype, info.file_size - member.tell())


def read_npz(path: Path, *, person: int | str = "auto", max_bytes: int | None = None) -> PoseSequence:
    """Read a ``.npz`` archive with ``keypoints`` (or one array), optional ``scores`` and ``fps``."""
    try:
        _check_npz(path, max_bytes)
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        if isinstance(exc, PoseFormatError):
            raise
        raise fail(path, f"is not a readable .npz archive ({exc})") from exc
    if not arrays:
        raise fail(path, "archive holds no arrays")
    if "keypoints" in arrays:
        kp = arrays["keypoints"]
    elif len(arrays) == 1:
        kp = next(iter(arrays.values()))
    else:
        raise fail(path, f"has arrays {', '.join(sorted(arrays))}; expected one named 'keypoints'")
    fps = arrays.get("fps")
    if fps is not None and (fps.size != 1 or not np.isfinite(fps).all() or float(fps.ravel()[0]) <= 0):
        raise fail(path, f"'fps' must be one positive number, got {fps.tolist()}")
    return _from_array(kp, arrays.get("scores"), float(fps.ravel()[0]) if fps is not None else None, path)


def _find(header: list[str], names: tuple[str, ...]) -> int | None:
    return next((k for k, c in enumerate(header) if c in names), None)


def _csv_columns(header: list[str], path: Path) -> tuple[list[int], list[int], list[int | None]]:
    """Column index of x, y and score (None) for each COCO-17 joint."""
    xs, ys, ss, absent = [], [], [], []
    for j, name in enumerate(COCO17_JOINTS):
        x = _find(header, (f"x{j}", f"{name}_x"))
        y = _find(header, (f"y{j}", f"{name}_y"))
        s = _find(header, (f"s{j}", f"score{j}", *(f"{name}_{suf}" for suf in _SCORE_SUFFIXES)))
        if x is None or y is None:
            absent.append(f"x{j},y{j} or {name}_x,{name}_y")
        xs.append(x)
        ys.append(y)
        ss.append(s)
    if absent:
        more = f" (and {len(absent) - 2} more joints)" if len(absent) > 2 else ""
        raise fail(path, f"CSV header lacks columns {'; '.join(absent[:2])}{more}; "
                         "expected x0,y0[,s0]...x16,y16 or <coco_joint>_x,<coco_joint>_y[,<coco_joint>_score]")
    return xs, ys, ss  # type: ignore[return-value]


def read_csv(path: Path, *, person: int | str = "auto", max_bytes: int | None = None) -> PoseSequence:
    """Read a COCO-17 keypoint CSV (forms in the module docstring).

    Examples
    --------
    >>> import tempfile
    >>> f = Path(tempfile.mkdtemp()) / "a.csv"
    >>> header = ",".join(f"x{j},y{j}" for j in range(17))
    >>> _ = f.write_text(header + "\\n" + ",".join(["3.5"] * 34) + "\\n")
    >>> seq = read_csv(f)
    >>> len(seq), float(seq.keypoints[0, 16, 1]), float(seq.scores[0, 0])
    (1, 3.5, 1.0)
    """
    check_size(path, max_bytes)
    with path.open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.reader(fh) if any(c.strip() for c in r)]
    if not rows:
        raise fail(path, "is empty")
    header = [c.strip().lower() for c in rows[0]]
    xs, ys, ss = _csv_columns(header, path)
    if len(rows) == 1:
        raise fail(path, "has a header but zero frames")
    have_scores = all(s is not None for s in ss)
    cols = xs + ys + (ss if have_scores else [])
    values = np.empty((len(rows) - 1, len(cols)))
    for t, row in enumerate(rows[1:]):
        if len(row) != len(header):
            raise fail(path, f"row {t + 2} has {len(row)} cells, the header has {len(header)}")
        values[t] = as_float_array([row[k] if row[k].strip() else "nan" for k in cols], path, f"row {t + 2}")
    arr = np.stack([values[:, :17], values[:, 17:34]], axis=2)
    if have_scores:
        scores = np.where(np.isnan(values[:, 34:]), 0.0, values[:, 34:])
        arr = np.concatenate([arr, scores[..., None]], axis=2)
    return _from_array(arr, None, None, path)


def write_npy(seq: PoseSequence, path: Path) -> None:
    """Write (T, 17, 3): x, y, score."""
    np.save(path, np.concatenate([seq.keypoints, seq.scores[..., None]], axis=2))


def write_npz(seq: PoseSequence, path: Path) -> None:
    """Write ``keypoints`` (T, 17, 2), ``scores`` (T, 17) and, when known, ``fps``."""
    extra = {"fps": np.float64(seq.fps)} if seq.fps else {}
    np.savez(path, keypoints=seq.keypoints, scores=seq.scores, **extra)


def write_csv(seq: PoseSequence, path: Path) -> None:
    """Write the named form: ``frame, nose_x, nose_y, nose_score, ...``."""
    header = ["frame"] + [f"{n}_{c}" for n in COCO17_JOINTS for c in ("x", "y", "score")]
    data = np.concatenate([seq.keypoints, seq.scores[..., None]], axis=2).reshape(len(seq), -1)
    with Path(path).open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(header)
        for t, row in enumerate(data):
            out.writerow([t, *(repr(float(v)) for v in row)])
