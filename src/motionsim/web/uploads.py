"""Getting inputs onto disk safely, and off it when no comparison needs them any more: uploads streamed to
``<sha256>.<ext>`` with a size cap and a type found from the first bytes (never from the name), and ``--data``
picks that must be regular files (or OpenPose folders of them) under the real path of the data folder. A user's
file name is only ever displayed, never used as a path.

Uploads are shared by content, so one stored file can belong to several jobs and to requests still in flight.
`UploadLeases` counts the requests that hold a stored upload they have not yet recorded in a job row; the
one `remove_unused_uploads` deletes a file only when no job row and no such request refers to it, under the
same lock as the store of a new upload.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import os
import stat
import tempfile
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from ..digest import CHUNK, file_sha256
from ..io import VIDEO_EXTENSIONS
from ..io.openpose import frame_files

if TYPE_CHECKING:  # pragma: no cover
    from .history import Store

ACCEPTED = ".json, .csv, .npy, .npz, " + ", ".join(sorted(VIDEO_EXTENSIONS))
_PICKABLE = {".json", ".csv", ".npy", ".npz", *VIDEO_EXTENSIONS}
#: Bytes of a file that type detection reads (never more).
SNIFF_BYTES = 4096
#: Prefix of the temporary files an upload is streamed into (removed at start if a server was killed mid-upload).
PARTIAL_PREFIX = ".upload-"
#: Longest --data name accepted (bytes), and longest path component (the usual file-system limits).
MAX_NAME_BYTES, MAX_COMPONENT_BYTES = 4096, 255
#: At most this many folder entries are visited to list --data.
MAX_LISTED_ENTRIES = 200_000
#: Kinds of input stored in the uploads folder (and removed with the last job using them): uploads, and the poses
#: and kept camera videos of live takes (`live_save`). ``data`` files are the user's and never removed.
STORED_KINDS = frozenset({"upload", "live"})


class InputRejected(Exception):
    """An input the page refuses before any comparison runs; ``status`` is the HTTP code."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class UploadLeases:
    """Stored uploads held by requests in flight (saved, not yet in a job row), counted per path, and the lock
    under which uploads are stored and removed."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._held: Counter[str] = Counter()

    def store(self, tmp: Path, target: Path) -> None:
        """Move a finished upload to its place and hold it, in one step that no removal can interleave with."""
        with self.lock:
            os.replace(tmp, target)
            self._held[str(target)] += 1

    def release(self, items: Iterable[Mapping[str, str]]) -> None:
        """Let go of the uploads among ``items`` (once their job row exists, or when the request gave up)."""
        with self.lock:
            for item in items:
                if item["kind"] in STORED_KINDS and self._held[item["path"]] > 0:
                    self._held[item["path"]] -= 1
                    if not self._held[item["path"]]:
                        del self._held[item["path"]]

    def held(self, path: str) -> bool:
        """Whether a request in flight holds ``path`` (call with `lock` held)."""
        return self._held.get(path, 0) > 0


def sniff(path: Path, name: str) -> str:
    """The extension motionsim should read ``path`` with, from its first `SNIFF_BYTES` bytes: video containers by
    magic bytes, NumPy headers (an archive whose first member is a ``.npy``), JSON by its first character, a CSV
    sniff. ``name`` only labels the error; the reader checks the whole file later, within its limits."""
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
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
        name_length = int.from_bytes(head[26:28], "little")
        if head[30:30 + name_length].endswith(b".npy"):
            return ".npz"
    elif _is_json(head):
        return ".json"
    elif _is_csv(head):
        return ".csv"
    raise InputRejected(f"{name}: not a file motionsim reads (checked by content); accepted: {ACCEPTED}", 415)


def _text(head: bytes) -> str | None:
    """The prefix as UTF-8 text (a character cut at the end is allowed), or None."""
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return None
    return None if "\x00" in text else text


def _is_json(head: bytes) -> bool:
    text = _text(head)
    return text is not None and text.lstrip()[:1] in ("{", "[")


def _is_csv(head: bytes) -> bool:
    text = _text(head)
    if text is None:
        return False
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 2:
        return False
    try:
        dialect = csv.Sniffer().sniff("\n".join(lines[:20]), delimiters=",;\t")
        widths = {len(row) for row in csv.reader(lines[:20], dialect)}
    except csv.Error:
        return False
    return min(widths) >= 2


def save_upload(stream: BinaryIO, name: str, upload_dir: Path, limit: int, leases: UploadLeases) -> dict[str, str]:
    """Copy an uploaded stream to ``upload_dir/<sha256>.<ext>``, refusing more than ``limit`` bytes (413) or
    content motionsim does not read (415). Identical uploads share one file. The stored file is held in
    ``leases`` until the caller releases it (after recording it in a job row)."""
    digest, size = hashlib.sha256(), 0
    fd, tmp_name = tempfile.mkstemp(dir=upload_dir, prefix=PARTIAL_PREFIX)
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
        leases.store(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return {"name": _display(name), "sha256": digest.hexdigest(), "path": str(target), "kind": "upload"}


def _shown(name: str) -> str:
    """A requested name as messages show it: printable characters, at most 80."""
    text = "".join(c if c.isprintable() else "?" for c in name)
    return text if len(text) <= 80 else text[:77] + "..."


def _check_name(name: str) -> None:
    """Refuse names no file system accepts (400), before any system call sees them."""
    encoded = name.encode("utf-8", "surrogateescape")
    if "\x00" in name:
        raise InputRejected(f"{_shown(name)}: not a valid file name (it contains a NUL byte)")
    if len(encoded) > MAX_NAME_BYTES:
        raise InputRejected(f"{_shown(name)}: not a valid file name (longer than {MAX_NAME_BYTES} bytes)")
    if any(len(part.encode("utf-8", "surrogateescape")) > MAX_COMPONENT_BYTES for part in name.split("/")):
        raise InputRejected(f"{_shown(name)}: not a valid file name (a part is longer than {MAX_COMPONENT_BYTES} "
                            f"bytes)")


def _inside(path: str, folder: Path) -> bool:
    return path == str(folder) or path.startswith(str(folder).rstrip(os.sep) + os.sep)


def _regular_inside(path: Path, data_dir: Path) -> bool:
    """Whether ``path`` resolves (symlinks followed) to a regular file under ``data_dir`` (a real path)."""
    try:
        real = os.path.realpath(path, strict=True)
        return _inside(real, data_dir) and stat.S_ISREG(os.stat(real).st_mode)
    except (OSError, ValueError):
        return False


def resolve_data(name: str, data_dir: Path | None) -> dict[str, str]:
    """A file picked by its name relative to the data folder: a regular file, or an OpenPose folder of them,
    whose real path is under the data folder's real path. Anything else is refused with one line (403 outside,
    404 missing, 400 not a regular file or not a valid name)."""
    if data_dir is None:
        raise InputRejected(f"{_shown(name)}: no data folder to pick from (start the server with --data DIR)")
    _check_name(name)
    shown = _shown(name)
    if not _inside(os.path.normpath(os.path.join(data_dir, name)), data_dir):  # ../ and absolute names, unread
        raise InputRejected(f"{shown}: not inside the data folder", 403)
    try:
        path = Path(os.path.realpath(data_dir / name, strict=True))
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise InputRejected(f"{shown}: file not found", 404) from None
    except OSError as exc:  # a symlink loop, a name too long, a component that is a file
        raise InputRejected(f"{shown}: cannot be opened ({exc.strerror or exc})") from None
    if not _inside(str(path), data_dir):
        raise InputRejected(f"{shown}: not inside the data folder", 403)
    if stat.S_ISDIR(mode):
        return {"name": _display(name), "sha256": _folder_sha256(path, data_dir, shown), "path": str(path),
                "kind": "data"}
    if not stat.S_ISREG(mode):
        raise InputRejected(f"{shown}: not a regular file (a pipe, device or socket is never read)")
    if path.suffix.lower() != sniff(path, shown) and not _same_family(path):
        raise InputRejected(f"{shown}: its content does not match its extension {path.suffix}", 415)
    return {"name": _display(name), "sha256": file_sha256(path), "path": str(path), "kind": "data"}


def _same_family(path: Path) -> bool:
    """Containers whose magic bytes do not tell the extension apart (mp4/mov, webm/mkv)."""
    return path.suffix.lower() in {".mp4", ".mov", ".mkv", ".webm"}


def _folder_sha256(folder: Path, data_dir: Path, shown: str) -> str:
    """SHA-256 of an OpenPose folder's frame files (the files the reader reads: names and bytes, streamed),
    each of which must be a regular file under the data folder."""
    try:
        files = frame_files(folder)
    except OSError as exc:
        raise InputRejected(f"{shown}: cannot be opened ({exc.strerror or exc})") from None
    if not files:
        raise InputRejected(f"{shown}: a folder without OpenPose '*_keypoints.json' files")
    digest = hashlib.sha256()
    for child in files:
        if not _regular_inside(child, data_dir):
            raise InputRejected(f"{shown}/{_shown(child.name)}: not a regular file inside the data folder", 403)
        digest.update(child.name.encode("utf-8", "surrogateescape"))
        with child.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
    return digest.hexdigest()


def list_data(data_dir: Path | None, skip: Path | None = None, limit: int = 2000) -> list[str]:
    """Files under the data folder that motionsim reads, relative and sorted: regular files whose real path is
    under the data folder (symlinks out of it, pipes, devices, broken links and loops left out), outside the
    folder ``skip`` (the server's own state). Symlinked folders are not entered."""
    if data_dir is None or not data_dir.is_dir():
        return []
    found: list[str] = []
    visited = 0
    for folder, dirs, files in os.walk(data_dir, followlinks=False):
        if skip is not None and _inside(folder, skip):
            dirs[:] = []
            continue
        dirs.sort()
        for file in sorted(files):
            visited += 1
            path = Path(folder, file)
            if path.suffix.lower() in _PICKABLE and _regular_inside(path, data_dir):
                found.append(path.relative_to(data_dir).as_posix())
        visited += len(dirs)
        if len(found) >= limit or visited >= MAX_LISTED_ENTRIES:
            break
    return sorted(found)[:limit]


def _display(name: str) -> str:
    """A user's file name for display: its last component, printable, at most 120 characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1] or "upload"
    return "".join(c for c in base if c.isprintable())[:120]


def remove_unused_uploads(store: Store, items: Iterable[Mapping[str, str]], upload_dir: Path, leases: UploadLeases,
                          exclude: str = "") -> None:
    """Delete the stored uploads among ``items`` that no job other than ``exclude`` refers to and no request in
    flight holds (uploads are shared by content; ``--data`` files are never touched)."""
    with leases.lock:
        for item in items:
            path = Path(item["path"])
            if (item["kind"] in STORED_KINDS and path.parent == upload_dir and not leases.held(item["path"])
                    and not store.path_in_use(item["path"], exclude)):
                path.unlink(missing_ok=True)


def remove_partial_uploads(upload_dir: Path) -> int:
    """Delete the temporary files of uploads a killed server left half-written; returns how many."""
    partial = [p for p in upload_dir.glob(f"{PARTIAL_PREFIX}*") if p.is_file()]
    for path in partial:
        path.unlink(missing_ok=True)
    return len(partial)
