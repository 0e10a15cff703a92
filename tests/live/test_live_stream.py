"""The streaming pieces of live scoring: causal preprocessing against the whole-sequence pipeline, and the online
alignment of free practice."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import make_motion
from motionsim.live.align import OnlineAligner
from motionsim.live.preprocess import SMOOTH_RADIUS, StreamPreprocessor, internal15
from motionsim.pose import PoseSequence
from motionsim.preprocess import part_channels, prepare_points, sequence_height, to_internal15


def _motion(n: int = 160) -> PoseSequence:
    seq = PoseSequence(make_motion(n, seed=4, kind="wave"), np.ones((n, 17), np.float32), fps=30.0)
    seq.scores[50:53, 10] = 0.0  # the right wrist lost for three frames
    seq.keypoints[50:53, 10] = 0.0
    return seq


def test_internal15_is_to_internal15_of_one_frame():
    seq = _motion(40)
    seq.scores[5, 5] = 0.05  # below the score threshold
    points, present = to_internal15(seq)
    for t in range(len(seq)):
        p, m = internal15(seq.keypoints[t], seq.scores[t])
        assert np.array_equal(p, points[t]) and np.array_equal(m, present[t])


def test_with_full_lookahead_the_window_is_the_offline_window_up_to_scale():
    """Lookahead 8 smooths the scored window with real neighbours, so it is the whole-sequence pipeline's window
    at the body height known so far (part channels are linear in the scale)."""
    seq = _motion()
    prep = StreamPreprocessor(target_height=1.0, window=32, lookahead=SMOOTH_RADIUS)
    offline = prepare_points(seq)  # filled, smoothed, scaled by the whole sequence's height
    offline_height = sequence_height(*_filled_smoothed(seq))
    checked = 0
    for t in range(len(seq)):
        assert prep.push(seq.keypoints[t], seq.scores[t])
        window = prep.latest_window()
        if window is None:
            assert t < 32 + SMOOTH_RADIUS - 1
            continue
        end = t - SMOOTH_RADIUS + 1
        expected = part_channels(offline[max(end - 33, 0):end])[:, -32:]
        rescaled = window * (prep.height / offline_height)
        if t < len(seq) - SMOOTH_RADIUS:  # the last frames of the offline sequence are smoothed at its end
            np.testing.assert_allclose(rescaled, expected, atol=1e-4)
            checked += 1
    assert checked > 100


def _filled_smoothed(seq):
    from motionsim.preprocess import fill_missing, smooth_over_time
    points, present = to_internal15(seq)
    return smooth_over_time(fill_missing(points, present)), present


def test_without_lookahead_only_the_newest_frames_differ_a_little():
    seq = _motion()
    prep = StreamPreprocessor(target_height=1.0, window=32, lookahead=0)
    offline = prepare_points(seq)
    offline_height = sequence_height(*_filled_smoothed(seq))
    errors = []
    for t in range(len(seq)):
        prep.push(seq.keypoints[t], seq.scores[t])
        window = prep.latest_window()
        if window is not None and t < len(seq) - SMOOTH_RADIUS:
            expected = part_channels(offline[max(t - 32, 0):t + 1])[:, -32:]
            errors.append(np.abs(window * (prep.height / offline_height) - expected).max(axis=0))
    errors = np.array(errors)  # (moments, 32 frames of the window)
    assert errors[:, :32 - SMOOTH_RADIUS].max() < 1e-4  # frames whose neighbours were all seen: as offline
    assert 1e-4 < errors[:, -1].mean() < 0.05  # the newest frame lacks its future: close, not equal


def test_nobody_seen_yet_is_skipped_and_a_joint_never_seen_borrows_its_neighbour():
    prep = StreamPreprocessor(target_height=1.0, window=32)
    assert not prep.push(np.zeros((17, 2)), np.zeros(17))
    seq = _motion(40)
    seq.scores[:, 9] = 0.0  # left wrist never seen
    for t in range(40):
        assert prep.push(seq.keypoints[t], seq.scores[t])
    window = prep.latest_window()
    assert window is not None and np.isfinite(window).all()
    l_wrist, l_elbow = 7, 6  # internal joints: the wrist sits on the elbow (the offline rule for a lost joint)
    raw = prep._raw[-1]
    assert np.array_equal(raw[l_wrist], raw[l_elbow])


def test_memory_stays_bounded_however_long_the_take():
    prep = StreamPreprocessor(target_height=1.0, window=32, scale_seconds=2.0)
    seq = _motion(400)
    for t in range(400):
        prep.push(seq.keypoints[t], seq.scores[t])
    assert len(prep._raw) == prep._raw.maxlen == 32 + 1 + SMOOTH_RADIUS
    assert len(prep._final) == prep._final.maxlen == 60


def test_aligner_follows_pauses_and_repeats():
    """A stream walks a 60-window reference at half speed, pauses, jumps back 30 windows and goes on."""
    rng = np.random.default_rng(0)
    ref = rng.normal(size=(60, 16))
    ref /= np.linalg.norm(ref, axis=1, keepdims=True)
    path = [i // 2 for i in range(40)] + [19] * 15 + list(range(20, 45)) + list(range(15, 40))
    tracker = OnlineAligner(len(ref))
    got = []
    for j in path:
        query = ref[j] + rng.normal(scale=0.3, size=16)
        got.append(tracker.update(1.0 - ref @ (query / np.linalg.norm(query))))
    got, path = np.array(got), np.array(path)
    assert np.mean(got == path) > 0.8
    assert np.abs(got[-20:] - path[-20:]).max() <= 1  # back on track after the repeat


def test_aligner_checks_its_input():
    with pytest.raises(ValueError):
        OnlineAligner(0)
    with pytest.raises(ValueError, match="expected 5"):
        OnlineAligner(5).update(np.zeros(4))
