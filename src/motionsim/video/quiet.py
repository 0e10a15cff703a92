"""Keep native log lines (TensorFlow Lite, absl, glog) off the user's terminal.

MediaPipe's C++ core writes straight to file descriptor 2, below Python's ``sys.stderr``, so a page of
"INFO: Created TensorFlow Lite XNNPACK delegate" and "W0000 ... inference_feedback_manager" lines would
precede every extraction. `native_stderr_silenced` points fd 2 at /dev/null for the duration and hands back a
stream on the real terminal for what the user should see (the progress bar).
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO


def quiet_native_logging() -> None:
    """Ask the native libraries to log only errors (read when they are first imported)."""
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


_lock = threading.Lock()
_users = 0  # blocks inside native_stderr_silenced, across threads
_saved: int | None = None  # the real stderr while fd 2 points at /dev/null


@contextmanager
def native_stderr_silenced(enabled: bool = True) -> Iterator[TextIO]:
    """Silence fd 2 while the block runs (unless ``enabled`` is False); yields a stream on the real stderr.

    Two videos are estimated side by side in two threads: the first block in saves and redirects fd 2, the
    last one out restores it (one thread restoring what the other saved would leave stderr silenced for good).
    """
    global _users, _saved
    if not enabled:
        yield sys.stderr
        return
    fd = sys.__stderr__.fileno() if sys.__stderr__ else 2
    with _lock:
        if _users == 0:
            try:
                saved = os.dup(fd)
            except (OSError, ValueError):  # no real stderr (embedded interpreter): nothing to silence
                saved = None
            if saved is not None:
                sys.stderr.flush()
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, fd)
                os.close(devnull)
                _saved = saved
        counted = _saved is not None
        if counted:
            _users += 1
            terminal: TextIO = os.fdopen(os.dup(_saved), "w", buffering=1)
    if not counted:
        yield sys.stderr
        return
    try:
        yield terminal
    finally:
        terminal.flush()
        terminal.close()
        with _lock:
            _users -= 1
            if _users == 0 and _saved is not None:
                sys.stderr.flush()
                os.dup2(_saved, fd)
                os.close(_saved)
                _saved = None
