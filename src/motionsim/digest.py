"""SHA-256 of files, read in 1 MB chunks (a 1 GB video takes about a second): the pose cache keys videos by it,
the ONNX export records its source weights by it, the web page names uploads by it."""

from __future__ import annotations

import hashlib
from pathlib import Path

CHUNK = 1 << 20


def file_sha256(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
