"""Keep native log lines (TensorFlow Lite, absl, glog) off the user's terminal.

MediaPipe's C++ core writes straight to file descriptor 2, below Python's ``sys.stderr``, so a page of
"INFO: Created TensorFlow Lite XNNPACK delegate" and "W0000 ... inference_feedback_manager" lines would
precede every extraction. `native_stderr_silenced` points fd 2 at /dev/null for the duration and hands back a
stream on the real terminal for what the user should see (the progress bar).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO


def quiet_native_logging() -> None:
    """Ask the native libraries to log only errors (read when they are first imported)."""
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@contextmanager
def native_stderr_silenced(enabled: bool = True) -> Iterator[TextIO]:
    """Silence fd 2 while the block runs (unless ``enabled`` is False); yields a stream on the real stderr."""
    if not enabled:
        yield sys.stderr
        return
    try:
        fd = sys.__stderr__.fileno() if sys.__stderr__ else 2
        saved = os.dup(fd)
    except (OSError, ValueError):  # no real stderr (embedded interpreter): nothing to silence
        yield sys.stderr
        return
    sys.stderr.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)
    terminal = os.fdopen(os.dup(saved), "w", buffering=1)
    try:
        yield terminal
    finally:
        terminal.flush()
        sys.stderr.flush()
        os.dup2(saved, fd)
        os.close(saved)
        terminal.close()
