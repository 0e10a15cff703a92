import math

import numpy as np
import pytest

from motionsim.render.colors import NEUTRAL_BGR, legend, score_color, score_hex


def greenness(bgr: tuple[int, int, int]) -> int:
    b, g, r = bgr
    return g - r


def test_scale_is_monotone_from_red_to_green():
    values = [greenness(score_color(s)) for s in np.linspace(-1, 1, 201)]
    assert all(b >= a for a, b in zip(values, values[1:]))
    assert values[-1] > values[0]


@pytest.mark.parametrize("threshold", [0.4, 0.7, -0.2])
def test_threshold_is_yellow(threshold):
    b, g, r = score_color(threshold, threshold)
    assert r > 200 and g > 180 and b < 60


def test_above_is_green_below_is_red():
    for s in (0.6, 0.8, 1.0):
        b, g, r = score_color(s)
        assert g > r and g > b, s
    for s in (0.3, 0.1, 0.0, -0.5, -1.0):
        b, g, r = score_color(s)
        assert r > g and r > b, s
    assert score_color(0.0) == score_color(-1.0)  # red at 0 and below (documented)
    assert greenness(score_color(1.0)) > greenness(score_color(0.6))


def test_types_and_formats():
    colour = score_color(0.55)
    assert len(colour) == 3 and all(isinstance(c, int) and 0 <= c <= 255 for c in colour)
    assert score_hex(0.55) == "#{:02x}{:02x}{:02x}".format(*colour[::-1])
    assert score_color(math.nan) == NEUTRAL_BGR


def test_legend_marks_the_threshold():
    entries = legend(0.5)
    scores = [s for s, _, _ in entries]
    assert scores == sorted(scores, reverse=True) and 0.5 in scores
    assert all(colour == score_color(s, 0.5) for s, _, colour in entries)
    assert any("threshold" in label for _, label, _ in entries)
