import numpy as np
import pytest

from motionsim.render.timeline import (
    frame_alignment,
    frame_part_scores,
    least_similar_moments,
    physical_part_scores,
)
from motionsim.skeleton import BODY_PARTS


def make_result(n_a, window=32, stride=8, matched=None, scores=None, fps=None):
    """A result dict shaped like compare().to_dict() with hand-set matches and scores."""
    windows = []
    starts = list(range(0, max(n_a - window, 0) + 1, stride))
    for i, start in enumerate(starts):
        s = scores[i] if scores is not None else 0.5
        windows.append({
            "index": i, "start_frame": start, "end_frame": min(start + window, n_a),
            "matched_start_frame": matched[i] if matched is not None else start,
            "similarity": float(np.mean(s)) if np.ndim(s) else s,
            "body_parts": {p: float(np.broadcast_to(s, 5)[k]) for k, p in enumerate(BODY_PARTS)},
        })
    result = {"similarity": 0.5, "body_parts": dict.fromkeys(BODY_PARTS, 0.5), "flipped": False,
              "windows": windows, "window": window, "stride": stride, "frames": {"a": n_a, "b": n_a}}
    if fps:
        result["fps"] = {"a": fps[0], "b": fps[1]}
    return result


def test_identity_when_windows_match_themselves():
    assert np.array_equal(frame_alignment(make_result(64), 64, 64), np.arange(64))


def test_offset_shifts_and_clips():
    result = make_result(64, matched=[s + 10 for s in range(0, 33, 8)])
    assert np.array_equal(frame_alignment(result, 64, 100), np.arange(64) + 10)
    clipped = frame_alignment(result, 64, 50)
    assert clipped.max() == 49 and np.array_equal(clipped[:40], np.arange(10, 50))


def test_monotone_and_in_range_for_backward_matches():
    result = make_result(96, matched=[40, 0, 56, 8, 24, 80, 16, 64, 72, 88][:9])
    align = frame_alignment(result, 96, 90)
    assert align.shape == (96,) and align.dtype.kind == "i"
    assert np.all(np.diff(align) >= 0)
    assert align.min() >= 0 and align.max() <= 89


def test_fps_scaling():
    starts = range(0, 97, 8)
    result = make_result(128, matched=[2 * s for s in starts], fps=(30.0, 60.0))
    align = frame_alignment(result, 128, 300)
    assert np.abs(align - 2 * np.arange(128)).max() <= 1
    result["fps"] = {"a": 30.0, "b": None}  # one rate unknown: no scaling
    assert np.abs(frame_alignment(result, 128, 300)[:40] - 2 * np.arange(40) - 0).max() > 5


def test_without_windows_stretches_a_over_b():
    result = make_result(11)
    result["windows"] = []
    assert np.array_equal(frame_alignment(result, 11, 21), 2 * np.arange(11))
    assert frame_alignment(result, 0, 5).shape == (0,)
    with pytest.raises(ValueError):
        frame_alignment(result, 3, 0)


def test_part_scores_mean_of_covering_windows_and_nearest_elsewhere():
    result = make_result(10, window=4, stride=2)
    result["windows"] = result["windows"][:3]  # windows [0,4) [2,6) [4,8); frames 8, 9 uncovered
    for w, s in zip(result["windows"], (1.0, 0.0, -1.0)):
        w["body_parts"] = {p: s + 0.1 * k for k, p in enumerate(BODY_PARTS)}
    scores = frame_part_scores(result, 10)
    assert scores.shape == (10, 5)
    assert np.allclose(scores[:, 0], [1, 1, 0.5, 0.5, -0.5, -0.5, -1, -1, -1, -1])
    assert np.allclose(scores[:, 4] - scores[:, 0], 0.4)


def test_part_scores_gap_takes_nearest_window():
    result = make_result(8, window=2, stride=6)  # windows [0,2) and [6,8)
    result["windows"][0]["body_parts"] = dict.fromkeys(BODY_PARTS, 1.0)
    result["windows"][1]["body_parts"] = dict.fromkeys(BODY_PARTS, 0.0)
    assert np.allclose(frame_part_scores(result, 8)[:, 2], [1, 1, 1, 1, 0, 0, 0, 0])


def test_part_scores_without_windows_use_overall():
    result = make_result(5)
    result["windows"] = []
    result["body_parts"] = {p: float(k) for k, p in enumerate(BODY_PARTS)}
    assert np.array_equal(frame_part_scores(result, 5), np.tile(np.arange(5.0), (5, 1)))


def test_least_similar_moments_are_worst_and_disjoint():
    sims = [0.9, 0.1, 0.2, 0.8, 0.05, 0.7, 0.6, 0.3, 0.95]
    result = make_result(96, scores=[np.array([s, s, s - 0.2, s, s]) for s in sims])
    moments = least_similar_moments(result, k=3)
    # window 4 = frames [32, 64) is worst; 1, 2, 7, 6, 5, 3 overlap it; 0 = [0, 32) and 8 = [64, 96) do not
    assert [m["index"] for m in moments] == [4, 0, 8]
    spans = sorted((m["start_frame"], m["end_frame"]) for m in moments)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
    assert all(m["worst_part"] == "right_leg" for m in moments)
    assert len(least_similar_moments(result, k=1)) == 1
    assert least_similar_moments({"windows": []}) == []


def test_physical_part_scores_swap_sides_when_flipped():
    scores = {"right_arm": 1.0, "left_arm": 2.0, "right_leg": 3.0, "left_leg": 4.0, "torso": 5.0}
    assert physical_part_scores(scores, False) == scores
    swapped = physical_part_scores(scores, True)
    assert swapped["left_arm"] == 1.0 and swapped["right_leg"] == 4.0 and swapped["torso"] == 5.0
