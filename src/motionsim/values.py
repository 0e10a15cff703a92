"""Option values every front end checks the same way (the command line, the web API, the Python API): each
function takes text or a number and returns the value, or raises `ValueError` with the words users see
(``expected a positive integer, got 0``). The command line wraps them as argparse types (`motionsim.cli.options`)."""

from __future__ import annotations

import math


def _int_at_least(text: str | int, minimum: int, wanted: str) -> int:
    try:
        value = int(str(text).strip())
    except ValueError:
        raise ValueError(f"expected {wanted}, got {text!r}") from None
    if value < minimum:
        raise ValueError(f"expected {wanted}, got {value}")
    return value


def positive_int(text: str | int) -> int:
    return _int_at_least(text, 1, "a positive integer")


def nonnegative_int(text: str | int) -> int:
    return _int_at_least(text, 0, "an integer >= 0")


def window_length(text: str | int) -> int:
    """A window length in frames: a positive multiple of 8 (the encoder halves time three times)."""
    value = positive_int(text)
    if value % 8:
        raise ValueError(f"the window must be a multiple of 8 (the encoder halves time 3 times), got {value}")
    return value


def _float_where(text: str | float, ok, wanted: str) -> float:
    try:
        value = float(str(text).strip())
    except ValueError:
        raise ValueError(f"expected {wanted}, got {text!r}") from None
    if not (math.isfinite(value) and ok(value)):
        raise ValueError(f"expected {wanted}, got {value}")
    return value


def unit_float(text: str | float) -> float:
    """A float in [-1, 1], such as a cosine threshold."""
    return _float_where(text, lambda v: -1.0 <= v <= 1.0, "a number in [-1, 1]")


def positive_float(text: str | float) -> float:
    return _float_where(text, lambda v: v > 0, "a positive number")
