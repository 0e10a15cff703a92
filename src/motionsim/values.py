"""Option values every front end checks the same way (the command line, the web API, the Python API): each
function takes text or a number and returns the value, or raises `ValueError` with the words users see
(``expected a positive integer, got 0``). The command line wraps them as argparse types (`motionsim.cli.options`)."""

from __future__ import annotations

import math

#: Characters of a refused value that a message quotes (a 5,000-digit number is shown cut).
SHOWN_CHARS = 40


def _shown(value: object, quoted: bool = False) -> str:
    """``value`` for a message, quoted (repr) or not, cut after `SHOWN_CHARS` characters with its length."""
    text = str(value)
    if len(text) <= SHOWN_CHARS:
        return repr(value) if quoted else text
    cut = text[:SHOWN_CHARS] + "..."
    return f"{cut!r} ({len(text)} characters)" if quoted else f"{cut} ({len(text)} characters)"


def _int_at_least(text: str | int, minimum: int, wanted: str) -> int:
    try:
        value = int(str(text).strip())
    except ValueError:
        raise ValueError(f"expected {wanted}, got {_shown(text, quoted=True)}") from None
    if value < minimum:
        raise ValueError(f"expected {wanted}, got {_shown(value)}")
    return value


def positive_int(text: str | int) -> int:
    return _int_at_least(text, 1, "a positive integer")


def nonnegative_int(text: str | int) -> int:
    return _int_at_least(text, 0, "an integer >= 0")


#: Longest window, in frames (4.5 minutes at 30 fps): a longer one only makes padding allocate without bound.
MAX_WINDOW = 8192


def window_length(text: str | int) -> int:
    """A window length in frames: a positive multiple of 8 (the encoder halves time three times), at most
    `MAX_WINDOW`."""
    value = positive_int(text)
    if value > MAX_WINDOW:
        raise ValueError(f"the window must be at most {MAX_WINDOW} frames, got {_shown(value)}")
    if value % 8:
        raise ValueError(f"the window must be a multiple of 8 (the encoder halves time 3 times), got {_shown(value)}")
    return value


#: Largest window stride, in frames (over 9 hours at 30 fps: one window per sequence); a stride beyond int64
#: broke NumPy's indexing.
MAX_STRIDE = 1_000_000


def stride_length(text: str | int) -> int:
    """A window stride in frames: a positive integer, at most `MAX_STRIDE`."""
    value = positive_int(text)
    if value > MAX_STRIDE:
        raise ValueError(f"the stride must be at most {MAX_STRIDE:,} frames, got {_shown(value)}")
    return value


def _float_where(text: str | float, ok, wanted: str) -> float:
    try:
        value = float(str(text).strip())
    except ValueError:
        raise ValueError(f"expected {wanted}, got {_shown(text, quoted=True)}") from None
    if not (math.isfinite(value) and ok(value)):
        raise ValueError(f"expected {wanted}, got {value}")
    return value


def unit_float(text: str | float) -> float:
    """A float in [-1, 1], such as a cosine threshold."""
    return _float_where(text, lambda v: -1.0 <= v <= 1.0, "a number in [-1, 1]")


def positive_float(text: str | float) -> float:
    return _float_where(text, lambda v: v > 0, "a positive number")
