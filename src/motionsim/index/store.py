"""The library folder: metadata (JSON), window embeddings per part (.npy) and the vector indexes.

The metadata file is written last and names the format and version, so a half-written, foreign or damaged
folder is recognised and refused with one clear message rather than searched.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..atomic import atomic_output
from ..errors import MotionsimError
from ..skeleton import BODY_PARTS

FORMAT = "motionsim-index"
VERSION = 1
META_FILE = "motionsim-index.json"
KEYS = (*BODY_PARTS, "overall")


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


@dataclass
class LibraryMeta:
    """Everything about a library except the arrays."""

    model: str
    window: int
    stride: int
    clips: list[ClipRecord] = field(default_factory=list)
    ann: dict[str, Any] = field(default_factory=dict)

    @property
    def n_windows(self) -> int:
        return sum(c.n_windows for c in self.clips)

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, "version": VERSION, "model": self.model, "window": self.window,
                "stride": self.stride, "n_windows": self.n_windows, "ann": self.ann, "parts": list(BODY_PARTS),
                "clips": [vars(c) for c in self.clips]}


def embeddings_file(folder: Path, part: str) -> Path:
    return folder / f"windows_{part}.npy"


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
        if data.get("version") != VERSION:
            raise IndexFormatError(f"{path}: library format version {data.get('version')}, this motionsim reads "
                                   f"{VERSION}; rebuild it")
        clips = [ClipRecord(**c) for c in data["clips"]]
        meta = LibraryMeta(data["model"], int(data["window"]), int(data["stride"]), clips, dict(data["ann"]))
    except IndexFormatError:
        raise
    except (ValueError, KeyError, TypeError) as exc:
        raise IndexFormatError(f"{path}: damaged library metadata ({type(exc).__name__}: {exc})") from exc
    if meta.n_windows != data.get("n_windows"):
        raise IndexFormatError(f"{path}: damaged library metadata (window counts disagree)")
    return meta


def read_embeddings(folder: Path, meta: LibraryMeta) -> dict[str, np.ndarray]:
    """Window embeddings per part, checked against the metadata (memory-mapped: loading is instant)."""
    out = {}
    for part in BODY_PARTS:
        path = embeddings_file(folder, part)
        try:
            arr = np.load(path, mmap_mode="r")
        except (OSError, ValueError) as exc:
            raise IndexFormatError(f"{path}: missing or damaged window embeddings ({exc})") from exc
        if arr.ndim != 2 or arr.shape[0] != meta.n_windows or arr.dtype != np.float32:
            raise IndexFormatError(f"{path}: shape {arr.shape} {arr.dtype} does not match the library's "
                                   f"{meta.n_windows} windows; the folder is damaged, rebuild it")
        out[part] = arr
    return out


def write_library(folder: Path, meta: LibraryMeta, embeddings: dict[str, np.ndarray]) -> None:
    """Write the arrays, then the metadata (each file atomically; the metadata last marks it complete)."""
    folder.mkdir(parents=True, exist_ok=True)
    for part in BODY_PARTS:
        with atomic_output(embeddings_file(folder, part)) as tmp, tmp.open("wb") as f:
            np.save(f, np.ascontiguousarray(embeddings[part], dtype=np.float32))
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
