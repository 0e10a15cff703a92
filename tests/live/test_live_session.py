"""`LiveSession`: poses pushed one at a time are scored against the right part of the reference, in follow and in
free mode, mirrored or not, at any frame rate, and agree with `compare` on the same take."""

from __future__ import annotations

import numpy as np
import pytest

import motionsim
from motionsim.evaluate.toy import random_motion
from motionsim.live import LiveSession
from motionsim.pose import PoseSequence, mirror_points
from motionsim.similarity import compare

N = 240


@pytest.fixture(scope="module")
def reference() -> PoseSequence:
    arr = random_motion(N, np.random.default_rng(7))
    return PoseSequence(arr[..., :2], arr[..., 2], fps=30.0, source="reference")


def _stream(session, keypoints, scores=None, frames=None):
    scores = np.ones(keypoints.shape[:2], np.float32) if scores is None else scores
    frames = range(len(keypoints)) if frames is None else frames
    return [s for f in frames if (s := session.push(keypoints[f], scores[f], f)) is not None]


def test_the_reference_against_itself_scores_one_at_its_own_frame(reference):
    scores = _stream(LiveSession(reference, fps=30.0), reference.keypoints)
    assert len(scores) == N - 31  # one per frame once a window is full
    assert min(s.similarity for s in scores) > 0.99
    assert all(s.reference_frame == s.frame for s in scores)
    assert not any(s.flipped for s in scores)
    line = scores[-1].to_dict()
    assert set(line) >= {"time", "frame", "reference_frame", "similarity", "body_parts", "latency_ms"}
    assert line["time"] == pytest.approx((N - 1) / 30.0, abs=1e-3) and len(line["body_parts"]) == 5


def test_the_facade_exports_the_session(reference):
    assert motionsim.LiveSession is LiveSession


def test_follow_mode_allows_a_late_user_up_to_max_lag(reference):
    late = np.concatenate([np.repeat(reference.keypoints[:1], 12, axis=0), reference.keypoints[:-12]])
    scores = _stream(LiveSession(reference, fps=30.0), late)
    tail = scores[30:]  # after the held start
    assert np.median([s.frame - s.reference_frame for s in tail]) == 12
    assert np.mean([s.similarity for s in tail]) > 0.98
    strict = _stream(LiveSession(reference, fps=30.0, max_lag=0.1), late)[30:]
    assert np.mean([s.similarity for s in strict]) < np.mean([s.similarity for s in tail]) - 0.05


def test_a_mirror_image_is_recognised_with_flip(reference):
    mirrored = mirror_points(reference.keypoints, about_x=640.0)
    flipped = _stream(LiveSession(reference, fps=30.0, flip=True), mirrored)
    plain = _stream(LiveSession(reference, fps=30.0, flip=False), mirrored)
    assert all(s.flipped for s in flipped[5:])
    assert np.mean([s.similarity for s in flipped]) > 0.98
    assert np.mean([s.similarity for s in plain]) < np.mean([s.similarity for s in flipped]) - 0.05


def test_a_60_fps_take_is_followed_on_its_own_clock(reference):
    t = np.arange(2 * N) / 2.0  # the same motion filmed at 60 fps (linear between the 30 fps frames)
    i0 = np.minimum(np.floor(t).astype(int), N - 1)
    i1 = np.minimum(i0 + 1, N - 1)
    w = (t - i0)[:, None, None]
    at60 = (1 - w) * reference.keypoints[i0] + w * reference.keypoints[i1]
    scores = _stream(LiveSession(reference, fps=60.0), at60)
    assert len(scores) == N - 31  # one per new frame at the model's rate: every other 60 fps frame
    assert all(s.frame % 2 == 0 and s.reference_frame == s.frame // 2 for s in scores)
    assert scores[-1].time == pytest.approx(scores[-1].frame / 60.0)
    assert min(s.similarity for s in scores) > 0.99


def test_dropped_frames_are_interpolated(reference):
    every = _stream(LiveSession(reference, fps=30.0), reference.keypoints)
    some = _stream(LiveSession(reference, fps=30.0), reference.keypoints, frames=range(0, N, 3))
    assert {s.frame for s in some} <= {s.frame for s in every} and len(some) >= (N - 32) // 3
    assert min(s.similarity for s in some) > 0.98


def test_free_mode_finds_the_place_of_a_slower_user_with_a_pause(reference):
    src = np.concatenate([np.arange(0, 120, 0.75), np.full(30, 119.0), np.arange(120, N - 1, 0.75)])
    i0 = np.floor(src).astype(int)
    w = (src - i0)[:, None, None]
    slow = (1 - w) * reference.keypoints[i0] + w * reference.keypoints[np.minimum(i0 + 1, N - 1)]
    free = _stream(LiveSession(reference, fps=30.0, mode="free"), slow)
    follow = _stream(LiveSession(reference, fps=30.0, mode="follow"), slow)
    error = np.array([s.reference_frame - src[s.frame] for s in free])
    assert np.median(np.abs(error[20:])) <= 6  # frames: within 0.2 s of where the user is
    assert np.mean([s.similarity for s in free]) > np.mean([s.similarity for s in follow]) + 0.05


def test_streamed_scores_agree_with_compare_on_the_same_take(reference):
    """The documented tolerance (docs/live.md): against `compare` at the same stride, per window, the streamed
    score differs by a few thousandths typically (causal preprocessing, a local best match instead of the DTW
    path)."""
    rng = np.random.default_rng(1)
    take = np.concatenate([np.repeat(reference.keypoints[:1], 8, axis=0), reference.keypoints[:-8]])
    take = take + rng.normal(scale=2.0, size=take.shape).astype(np.float32)
    streamed = _stream(LiveSession(reference, fps=30.0), take)
    result = compare(PoseSequence(take, np.ones(take.shape[:2]), fps=30.0), reference, flip=True, stride=1)
    windows = {w["start_frame"]: w for w in result.windows}
    diff = np.array([s.similarity - windows[s.frame - 31]["similarity"] for s in streamed])
    assert np.median(np.abs(diff)) < 0.02 and np.percentile(np.abs(diff), 95) < 0.08
    assert np.mean([s.similarity for s in streamed]) == pytest.approx(result.similarity, abs=0.03)


def test_bad_options_are_refused(reference):
    with pytest.raises(ValueError, match="mode"):
        LiveSession(reference, mode="jog")
    with pytest.raises(ValueError, match="weighting"):
        LiveSession(reference, weighting="loud")
