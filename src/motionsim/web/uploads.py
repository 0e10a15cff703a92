"""Getting inputs onto disk safely, and off it when no comparison needs them any more: uploads streamed to
``<sha256>.<ext>`` with a size cap and a type found from the bytes (never from the name), and ``--data`` picks
resolved inside the data folder. A user's file name is only ever displayed, never used as a path."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from ..digest import file_sha256
from ..io import VIDEO_EXTENSIONS

if TYPE_CHECKING:  # pragma: no cover
    from .history import Store

CHUNK = 1024 * 1024
ACCEPTED = ".json, .csv, .npy, .npz, " + ", ".join(sorted(VIDEO_EXTENSIONS))
_PICKABLE = {".json", ".csv", ".npy", ".npz", *VIDEO_EXTENSIONS}


class InputRejected(Exception):
    """An input the page refuses before any comparison runs; ``status`` is the HTTP code."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def sniff(path: Path, name: str) -> str:
    """The extension motionsim should read ``path`` with, from its content: video containers by magic bytes,
    NumPy headers, a JSON parse, a CSV sniff. ``name`` only labels the error."""
    with path.open("rb") as fh:
        head = fh.read(4096)
    if not head:
        raise InputRejected(f"{name}: is empty")
    if head[4:8] == b"ftyp":
        return ".mov" if head[8:12] == b"qt  " else ".mp4"
    if head[4:8] in (b"moov", b"mdat", b"wide", b"free"):
        return ".mov"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return ".webm" if b"webm" in head[:64] else ".mkv"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return ".avi"
    if head[:6] == b"\x93NUMPY":
        return ".npy"
    if head[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(path) as zf:
                names = zf.namelist()
        except zipfile.BadZipFile:
            names = []
        if names and all(n.endswith(".npy") for n in names):
            return ".npz"
    elif _is_json(path):
        return ".json"
    elif _is_csv(head):
        return ".csv"
    raise InputRejected(f"{name}: not a file motionsim reads (checked by content); accepted: {ACCEPTED}", 415)


def _is_json(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            json.load(fh)
    except (ValueError, UnicodeDecodeError):
        return False
    return True


def _is_csv(head: bytes) -> bool:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    if "\x00" in text:
        return False
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 2:
        return False
    try:
        dialect = csv.Sniffer().sniff("\n".join(lines[:20]), delimiters=",;\t")
    except csv.Error:
        return False
    widths = {len(row) for row in csv.reader(lines[:20], dialect)}
    return min(widths) >= 2


def save_upload(stream: BinaryIO, name: str, upload_dir: Path, limit: int) -> dict[str, str]:
    """Copy an uploaded stream to ``upload_dir/<sha256>.<ext>``, refusing more than ``limit`` bytes (413) or
    content motionsim does not read (415). Identical uploads share one file."""
    digest, size = hashlib.sha256(), 0
    fd, tmp_name = tempfile.mkstemp(dir=upload_dir, prefix=".upload-")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise InputRejected(f"{name}: larger than the upload limit of {limit / 1024 / 1024:g} MB "
                                        f"(motionsim serve --max-upload-mb raises it)", 413)
                digest.update(chunk)
                out.write(chunk)
        ext = sniff(tmp, name)
        target = upload_dir / f"{digest.hexdigest()}{ext}"
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return {"name": _display(name), "sha256": digest.hexdigest(), "path": str(target), "kind": "upload"}


def resolve_data(name: str, data_dir: Path | None) -> dict[str, str]:
    """A file picked by its name relative to the data folder; refuses anything that resolves outside it."""
    if data_dir is None:
        raise InputRejected(f"{name}: no data folder to pick from (start the server with --data DIR)")
    path = (data_dir / name).resolve()
    if not path.is_relative_to(data_dir):
        raise InputRejected(f"{name}: not inside the data folder", 403)
    if not path.exists():
        raise InputRejected(f"{name}: file not found", 404)
    if path.is_file() and path.suffix.lower() != sniff(path, name) and not _same_family(path):
        raise InputRejected(f"{name}: its content does not match its extension {path.suffix}", 415)
    return {"name": _display(name), "sha256": sha256_of(path), "path": str(path), "kind": "data"}


def _same_family(path: Path) -> bool:
    """Containers whose magic bytes do not tell the extension apart (mp4/mov, webm/mkv)."""
    return path.suffix.lower() in {".mp4", ".mov", ".mkv", ".webm"}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    if path.is_dir():  # an OpenPose folder: hash its file names and bytes
        for child in sorted(p for p in path.rglob("*") if p.is_file()):
            digest.update(child.relative_to(path).as_posix().encode())
            digest.update(child.read_bytes())
        return digest.hexdigest()
    return file_sha256(path)


def list_data(data_dir: Path | None, skip: Path | None = None, limit: int = 2000) -> list[str]:
    """Files under the data folder that motionsim reads, relative and sorted (symlinks out of it and the
    folder ``skip``, the server's own state, left out)."""
    if data_dir is None or not data_dir.is_dir():
        return []
    found = []
    for path in sorted(data_dir.rglob("*")):
        if skip is not None and path.is_relative_to(skip):
            continue
        if path.is_file() and path.suffix.lower() in _PICKABLE and path.resolve().is_relative_to(data_dir):
            found.append(path.relative_to(data_dir).as_posix())
            if len(found) >= limit:
                break
    return found


def _display(name: str) -> str:
    """A user's file name for display: its last component, printable, at most 120 characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1] or "upload"
    return "".join(c for c in base if c.isprintable())[:120]


def remove_unused_uploads(store: Store, items: Iterable[Mapping[str, str]], upload_dir: Path,
                          exclude: str = "") -> None:
    """Delete the stored uploads among ``items`` that no job other than ``exclude`` refers to (uploads are
    shared by content; ``--data`` files are never touched)."""
    for item in items:
        path = Path(item["path"])
        if item["kind"] == "upload" and path.parent == upload_dir and not store.path_in_use(item["path"], exclude):
            path.unlink(missing_ok=True)
