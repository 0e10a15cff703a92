"""Atomic writes: a failed or interrupted command never leaves a partial file at the output path."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_output(out_path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``out_path``; rename it onto ``out_path`` only if the block succeeds.

    The temporary file lives in the same folder (so the rename is atomic) and keeps the suffix (so writers
    that pick a format from the name still work). On any exception it is deleted and the exception re-raised.
    """
    out = Path(out_path)
    if not out.parent.is_dir():
        raise FileNotFoundError(2, "output folder does not exist", str(out.parent))
    tmp = out.with_name(f".{out.stem}.{secrets.token_hex(4)}.part{out.suffix}")
    try:
        yield tmp
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
