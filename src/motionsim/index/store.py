"""The library folder: metadata (JSON), window embeddings per part (.npy) and what proposes candidates.

Two versions are read. Version 2 (written by default): window embeddings in float16 (`EMBEDDING_DTYPES`;
exact re-ranking reads them converted to float32) and, per part, a *sketch*: each window projected on the
`SKETCH_DIMS` leading principal directions of the library's windows (``sketch_<part>.npy``, float16, with the
projection in ``sketch_basis_<part>.npy``), which the sketch scan of large libraries reads instead of the
embeddings; no vector index. Version 1: float32 embeddings and faiss indexes (``ann_<key>.faiss``, `ann`),
still opened, searched and extended exactly as before.

The metadata file is written last and names the format and version, so a half-written, foreign or damaged
folder is recognised and refused with one clear message rather than searched.
"""

from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..atomic import atomic_output
from ..errors import MotionsimError
from ..skeleton import BODY_PARTS

FORMAT = "motionsim-index"
VERSION = 2  # what new libraries are written as
READABLE = (1, 2)
EMBEDDING_DTYPES = {1: np.dtype(np.float32), 2: np.dtype(np.float16)}  # window embeddings by version
META_FILE = "motionsim-index.json"
KEYS = (*BODY_PARTS, "overall")
SKETCH_DIMS = 32  # dimensions of a window's sketch per part (version 2)


class IndexFormatError(MotionsimError, ValueError):
    """A folder is not a motionsim library, or one of its files is missing or damaged."""


@dataclass
class ClipRecord:
    """One clip of the library: where it came from and which rows of the window tables are its windows."""

    path: str
    frames: int
    fps: float | None
    first_window: int
    n_windows: int
    movement: list[float] | None = None  # `preprocess.part_movement` (None: indexed before it was recorded)

    @property
    def windows(self) -> slice:
        return slice(self.first_window, self.first_window + self.n_windows)


@dataclass(frozen=True)
class ClipArrays:
    """The numbers of many clips as arrays: what a scan reads per clip (computed once per library, not once
    per query: for 100,000 clips the Python loops took ~50 ms of every query)."""

    firsts: np.ndarray  # int64, first window row
    n_windows: np.ndarray  # int64
    movement: np.ndarray  # float64 (clips, 5), NaN where unknown

    @classmethod
    def of(cls, clips: list[ClipRecord]) -> ClipArrays:
        unknown = [np.nan] * len(BODY_PARTS)
        return cls(np.array([c.first_window for c in clips], dtype=np.int64),
                   np.array([c.n_windows for c in clips], dtype=np.int64),
                   np.array([c.movement if c.movement is not None else unknown for c in clips],
                            dtype=np.float64).reshape(-1, len(BODY_PARTS)))

    def take(self, subset: np.ndarray) -> ClipArrays:
        return ClipArrays(self.firsts[subset], self.n_windows[subset], self.movement[subset])


class ClipList(list):
    """A library's clip records, keeping their `ClipArrays` (made again when clips are appended)."""

    _arrays: tuple[int, ClipArrays] | None = None

    def arrays(self) -> ClipArrays:
        if self._arrays is None or self._arrays[0] != len(self):
            self._arrays = (len(self), ClipArrays.of(self))
        return self._arrays[1]


def clip_arrays(clips: Any) -> ClipArrays:
    """`ClipArrays` of a list of clip records (kept when it is a library's `ClipList`)."""
    return clips.arrays() if isinstance(clips, ClipList) else ClipArrays.of(list(clips))


@dataclass
class LibraryMeta:
    """Everything about a library except the arrays."""

    model: str
    window: int
    stride: int
    clips: list[ClipRecord] = field(default_factory=ClipList)
    ann: dict[str, Any] = field(default_factory=dict)  # version 1: the faiss indexes
    version: int = VERSION
    sketch: dict[str, Any] = field(default_factory=dict)  # version 2: {"dims", "fitted_on" (windows then)}

    @property
    def n_windows(self) -> int:
        return sum(c.n_windows for c in self.clips)

    @property
    def dtype(self) -> np.dtype:
        """The dtype of the window embeddings on disk."""
        return EMBEDDING_DTYPES[self.version]

    def to_dict(self) -> dict[str, Any]:
        head = {"format": FORMAT, "version": self.version, "model": self.model, "window": self.window,
                "stride": self.stride, "n_windows": self.n_windows}
        if self.version == 1:
            head["ann"] = self.ann
        else:
            head.update(embeddings=self.dtype.name, sketch=self.sketch)
        return {**head, "parts": list(BODY_PARTS), "clips": [vars(c) for c in self.clips]}


def embeddings_file(folder: Path, part: str) -> Path:
    return folder / f"windows_{part}.npy"


def sketch_file(folder: Path, part: str) -> Path:
    return folder / f"sketch_{part}.npy"


def basis_file(folder: Path, part: str) -> Path:
    return folder / f"sketch_basis_{part}.npy"


def read_meta(folder: str | Path) -> LibraryMeta:
    """The metadata of ``folder``; `IndexFormatError` unless it is a motionsim library of this version."""
    folder = Path(folder)
    path = folder / META_FILE
    if not folder.is_dir():
        raise IndexFormatError(f"{folder}: library folder not found")
    if not path.is_file():
        raise IndexFormatError(f"{folder}: not a motionsim library (no {META_FILE}); build one with "
                               f"`motionsim index build CLIPS... -o {folder}`")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise IndexFormatError(f"{path}: not a motionsim library file (format {data.get('format')!r})")
        version = data.get("version")
        if version not in READABLE:
            raise IndexFormatError(f"{path}: library format version {version}, this motionsim reads "
                                   f"{' and '.join(map(str, READABLE))}; rebuild it")
        clips = ClipList(ClipRecord(**c) for c in data["clips"])
        meta = LibraryMeta(data["model"], int(data["window"]), int(data["stride"]), clips,
                           dict(data["ann"]) if version == 1 else {}, version,
                           {} if version == 1 else {"dims": int(data["sketch"]["dims"]),
                                                    "fitted_on": int(data["sketch"]["fitted_on"])})
    except IndexFormatError:
        raise
    except (ValueError, KeyError, TypeError) as exc:
        raise IndexFormatError(f"{path}: damaged library metadata ({type(exc).__name__}: {exc})") from exc
    if meta.n_windows != data.get("n_windows"):
        raise IndexFormatError(f"{path}: damaged library metadata (window counts disagree)")
    return meta


def _read_table(path: Path, rows: int | None, dtype: np.dtype, what: str, cols: int | None = None,
                longer: bool = False) -> np.ndarray:
    """A memory-mapped (rows, cols) table of ``dtype``; `IndexFormatError` naming ``path`` if it is not one.
    ``longer``: the table may hold rows beyond ``rows`` (left by an interrupted `index add`), which are cut."""
    try:
        arr = np.load(path, mmap_mode="r")
    except (OSError, ValueError) as exc:
        raise IndexFormatError(f"{path}: missing or damaged {what} ({exc})") from exc
    fits = rows is None or arr.shape[0] == rows or (longer and arr.ndim == 2 and arr.shape[0] > rows)
    if arr.ndim != 2 or not fits or arr.dtype != dtype or (cols is not None and arr.shape[1] != cols):
        raise IndexFormatError(f"{path}: shape {arr.shape} {arr.dtype} does not match the library's "
                               f"{rows} windows; the folder is damaged, rebuild it")
    return arr if rows is None or arr.shape[0] == rows else arr[:rows]


def read_embeddings(folder: Path, meta: LibraryMeta) -> dict[str, np.ndarray]:
    """Window embeddings per part, checked against the metadata (memory-mapped: loading is instant)."""
    return {p: _read_table(embeddings_file(folder, p), meta.n_windows, meta.dtype, "window embeddings",
                           longer=meta.version >= 2) for p in BODY_PARTS}


def read_sketches(folder: Path, meta: LibraryMeta) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """(sketch tables, projections) per part of a version-2 library, memory-mapped and checked."""
    dims = meta.sketch["dims"]
    bases = {p: np.ascontiguousarray(_read_table(basis_file(folder, p), None, np.dtype(np.float32),
                                                 "sketch projection", dims)) for p in BODY_PARTS}
    tables = {p: _read_table(sketch_file(folder, p), meta.n_windows, np.dtype(np.float16), "window sketches", dims,
                             longer=True) for p in BODY_PARTS}
    return tables, bases


def write_library(folder: Path, meta: LibraryMeta, embeddings: dict[str, np.ndarray]) -> None:
    """Write a library of format 1 whole: the arrays, then the metadata (each file atomically; the metadata
    last marks it complete). Format 2 is written clip by clip (`writer.LibraryWriter`)."""
    folder.mkdir(parents=True, exist_ok=True)
    for part in BODY_PARTS:
        with atomic_output(embeddings_file(folder, part)) as tmp, tmp.open("wb") as f:
            np.save(f, np.ascontiguousarray(embeddings[part], dtype=meta.dtype))
    write_meta(folder, meta)


def write_meta(folder: Path, meta: LibraryMeta) -> None:
    """Write the metadata (atomically): what makes the folder a library, so it is written last."""
    with atomic_output(folder / META_FILE) as tmp:
        tmp.write_text(json.dumps(meta.to_dict(), indent=1) + "\n", encoding="utf-8")


def overall_vectors(parts: dict[str, np.ndarray]) -> np.ndarray:
    """The whole-body vector of each window: the five unit part vectors joined, scaled to unit length, so a
    dot product is the mean of the five part cosines."""
    return np.ascontiguousarray(np.concatenate([parts[p] for p in BODY_PARTS], axis=1) / np.sqrt(len(BODY_PARTS)),
                                dtype=np.float32)


def vectors(parts: dict[str, np.ndarray], key: str) -> np.ndarray:
    """Rows to index or query for ``key`` (a part or "overall")."""
    return overall_vectors(parts) if key == "overall" else np.ascontiguousarray(parts[key], dtype=np.float32)


class TableWriter:
    """Rows appended to a .npy table (``dtype``, ``dim`` columns) in place, its header rewritten with the row
    count when closed: numpy pads a .npy header so the row count can grow without moving the data. An existing
    table is first cut back to ``keep`` rows (rows beyond a library's metadata are left over from an
    interrupted `index add`: the metadata, written last, says which rows are the library's)."""

    def __init__(self, path: Path, dtype: Any, dim: int, keep: int | None = None) -> None:
        self.path, self.dtype, self.dim = Path(path), np.dtype(dtype), dim
        if keep is None:
            self.file = self.path.open("wb")
            self.rows = 0
            self.file.write(self._header(0))
            self.offset = self.file.tell()
            return
        self.file = self.path.open("r+b")
        try:
            version = np.lib.format.read_magic(self.file)
            read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                           (2, 0): np.lib.format.read_array_header_2_0}[version]
            shape, fortran, found = read_header(self.file)
        except (ValueError, KeyError) as exc:
            self.file.close()
            raise IndexFormatError(f"{path}: damaged table ({exc})") from exc
        if fortran or found != self.dtype or len(shape) != 2 or shape[1] != dim or shape[0] < keep:
            self.file.close()
            raise IndexFormatError(f"{path}: shape {shape} {found} does not match the library's {keep} windows; "
                                   f"the folder is damaged, rebuild it")
        self.offset = self.file.tell()
        self.rows = keep
        self.file.seek(self.offset + keep * dim * self.dtype.itemsize)
        self.file.truncate()

    def _header(self, rows: int) -> bytes:
        buf = io.BytesIO()
        np.lib.format.write_array_header_1_0(buf, {"descr": np.lib.format.dtype_to_descr(self.dtype),
                                                   "fortran_order": False, "shape": (rows, self.dim)})
        return buf.getvalue()

    def append(self, rows: np.ndarray) -> None:
        rows = np.ascontiguousarray(rows, dtype=self.dtype)
        if rows.ndim != 2 or rows.shape[1] != self.dim:
            raise ValueError(f"{self.path}: rows of shape {rows.shape}, the table has {self.dim} columns")
        self.file.write(rows.data)
        self.rows += len(rows)

    def close(self) -> None:
        """Write the row count into the header and make the file durable."""
        header = self._header(self.rows)
        if len(header) != self.offset:  # cannot happen below 10**21 rows; never write over the data
            raise IndexFormatError(f"{self.path}: the table header would move its data")
        self.file.flush()
        self.file.seek(0)
        self.file.write(header)
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
