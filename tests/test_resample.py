"""Frame-rate resampling: what the model sees is the same motion whatever rate the camera ran at."""

import numpy as np
import pytest

from helpers import make_motion
from motionsim.pose import PoseSequence
from motionsim.resample import MODEL_FPS, needs_resampling, resample, to_source_frame
from motionsim.similarity import compare


def _at_rate(fps: float, seconds: float = 4.0) -> PoseSequence:
    """The same smooth motion (make_motion's wave, seed 3) sampled at ``fps``."""
    return PoseSequence(make_motion(int(seconds * fps), seed=3, kind="wave", fps=fps),
                        np.ones((int(seconds * fps), 17)), fps=fps)


@pytest.mark.parametrize("fps", [24.0, 25.0, 50.0, 60.0])
def test_resampled_motion_matches_the_motion_filmed_at_30(fps):
    ref, got = _at_rate(MODEL_FPS), resample(_at_rate(fps))
    assert got.fps == MODEL_FPS and got.meta["source_fps"] == fps
    n = min(len(ref), len(got))
    assert abs(len(ref) - len(got)) <= 1
    # make_motion adds 0.5 px noise per frame; interpolation keeps the error at that level, the motion spans ~100 px
    assert np.abs(ref.keypoints[:n] - got.keypoints[:n]).mean() < 2.0


def test_rates_close_to_30_or_unknown_are_left_alone():
    seq = _at_rate(29.97)
    assert resample(seq) is seq
    unknown = PoseSequence(seq.keypoints, seq.scores, fps=None)
    assert resample(unknown) is unknown and not needs_resampling(None)


def test_missing_joints_are_not_blended_with_zeros():
    seq = _at_rate(60.0)
    seq.scores[10:14, 9] = 0.0
    seq.keypoints[10:14, 9] = 0.0
    out = resample(seq)
    present = out.scores[:, 9] > 0
    assert np.all(np.abs(out.keypoints[present, 9]).sum(axis=1) > 100)  # no point dragged towards (0, 0)
    assert (~present).sum() >= 1


def test_compare_across_frame_rates_reports_source_frames(tmp_path):
    a, b = _at_rate(60.0), _at_rate(30.0)
    result = compare(a, b, stride=8)
    assert result.resampled_to == MODEL_FPS and result.fps == {"a": 60.0, "b": 30.0}
    assert result.frames == {"a": len(a), "b": len(b)}
    last = result.windows[-1]
    assert last["end_frame"] <= len(a) and last["end_frame"] - last["start_frame"] == 64  # 32 frames at 30 = 64 at 60
    assert all(0 <= w["matched_start_frame"] < len(b) for w in result.windows)
    # the same motion at two rates scores like the motion against itself
    assert result.similarity > 0.97
    assert compare(a, b, stride=8).to_dict()["body_parts"] == pytest.approx(
        compare(resample(a), b, stride=8).to_dict()["body_parts"], abs=1e-6)


def test_to_source_frame_round_trip():
    assert to_source_frame(0, 60.0) == 0 and to_source_frame(30, 25.0) == 25 and to_source_frame(7, 30.0) == 7
