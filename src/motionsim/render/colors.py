"""Part score -> colour, one scale for frames, plots and the report (docs/method.md §5: thresholded at 0.4).

The scale runs red -> yellow -> green, like Sports2D's ``RdYlGn`` keypoints but more saturated so that it stays
visible on video and next to white outlines:

- at or above the threshold: yellow at the threshold, greener towards 1 (same motion);
- below the threshold: yellow turning orange then red, fully red at 0 and below (a cosine of 0 means
  unrelated motion; negative cosines, opposite motion, are no worse for feedback, so they stay red).
"""

from __future__ import annotations

import math

BGR = tuple[int, int, int]

# RGB stops; the score positions are set from the threshold in `_stops`.
_RED = (215, 38, 38)
_ORANGE = (240, 130, 20)
_YELLOW = (245, 205, 0)
_LIGHT_GREEN = (130, 200, 40)
_GREEN = (20, 160, 70)
#: Colour of joints that belong to no part (head) and of missing scores.
NEUTRAL_BGR: BGR = (200, 200, 200)


def _stops(threshold: float) -> list[tuple[float, tuple[int, int, int]]]:
    red_at = min(0.0, threshold - 0.2)  # red at 0, or below the threshold when the threshold is <= 0
    green_at = max(1.0, threshold + 1e-6)
    return [
        (red_at, _RED),
        ((red_at + threshold) / 2, _ORANGE),
        (threshold, _YELLOW),
        ((threshold + green_at) / 2, _LIGHT_GREEN),
        (green_at, _GREEN),
    ]


def score_rgb(score: float, threshold: float = 0.4) -> tuple[int, int, int]:
    """RGB colour of a score (see the module docstring); NaN gives the neutral grey."""
    if score is None or not math.isfinite(score):
        return NEUTRAL_BGR[::-1]
    stops = _stops(threshold)
    if score <= stops[0][0]:
        return stops[0][1]
    for (s0, c0), (s1, c1) in zip(stops, stops[1:]):
        if score <= s1:
            f = (score - s0) / (s1 - s0)
            return tuple(int(round(a + f * (b - a))) for a, b in zip(c0, c1))  # type: ignore[return-value]
    return stops[-1][1]


def scale_stops(threshold: float = 0.4) -> list[tuple[float, str]]:
    """The stops of the scale as (score, ``#rrggbb``): `score_rgb` blends linearly in RGB between the two around a
    score and rounds (the colour of the first stop below it, of the last above it). The Live page's script
    draws with these, so the page and the feedback video agree."""
    return [(s, "#{:02x}{:02x}{:02x}".format(*c)) for s, c in _stops(threshold)]


def score_color(score: float, threshold: float = 0.4) -> BGR:
    """OpenCV (B, G, R) colour of a part score: yellow at ``threshold``, greener above, redder below.

    Examples
    --------
    >>> score_color(1.0), score_color(0.4), score_color(-0.5)
    ((70, 160, 20), (0, 205, 245), (38, 38, 215))
    """
    r, g, b = score_rgb(score, threshold)
    return (b, g, r)


def score_hex(score: float, threshold: float = 0.4) -> str:
    """CSS / matplotlib colour (``#rrggbb``) of a score."""
    return "#{:02x}{:02x}{:02x}".format(*score_rgb(score, threshold))


def legend(threshold: float = 0.4) -> list[tuple[float, str, BGR]]:
    """Fixed legend entries ``(score, label, bgr)``, best first: what a colour means, for every drawing."""
    red_at = min(0.0, threshold - 0.2)
    return [
        (1.0, "1.0 same motion", score_color(1.0, threshold)),
        (threshold, f"{threshold:.2g} threshold", score_color(threshold, threshold)),
        (red_at, f"{red_at:.2g} or less: different", score_color(red_at, threshold)),
    ]
