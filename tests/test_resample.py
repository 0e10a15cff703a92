"""Frame-rate resampling: what the model sees is the same motion whatever rate the camera ran at."""

import numpy as np
import pytest

from helpers import make_motion
from motionsim.pose import PoseSequence
from motionsim.resample import MODEL_FPS, StreamResampler, needs_resampling, resample, to_source_frame
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


def test_every_path_reports_the_same_frames_and_padding(tmp_path):
    """A 50-frame clip filmed at 60 fps is 25 frames at the model's rate: shorter than one window, so padded.
    compare, score-pairs' clip embedding and the plain embedding API must all say so (one owner resamples)."""
    from motionsim.clips import embed_clips
    from motionsim.embed import embed_sequences
    from motionsim.io import save_pose
    from motionsim.model.runtime import resolve_model

    short = PoseSequence(make_motion(50, seed=4, kind="wave", fps=60.0), np.ones((50, 17)), fps=60.0)
    path = save_pose(short, tmp_path / "short60.json")
    other = _at_rate(MODEL_FPS, seconds=3.0)
    model = resolve_model(None)
    result = compare(path, other, pad_short=True).to_dict()
    assert result["frames"]["a"] == 50 and result["padded"]["a"] is True and result["resampled_to"] == MODEL_FPS
    clips, errors = embed_clips([str(path)], model, 32, 2, pad_short=True)
    by_file = clips[str(path)].variants[0]
    by_api = embed_sequences([short], model, 32, 8, pad_short=True)[0]
    for emb in (by_file, by_api):
        assert (emb.n_frames, emb.padded, emb.source_frames, emb.source_fps) == (25, True, 50, 60.0)
    assert not errors and clips[str(path)].frames == 50


@pytest.mark.parametrize("fps", [24.0, 25.0, 29.97, 30.0, 50.0, 60.0])
def test_stream_resampler_gives_resample_frames_one_frame_at_a_time(fps):
    seq = _at_rate(fps)
    seq.scores[21, 9] = 0.0  # a gap: blended as resample blends it (StreamResampler's docstring: one exception)
    seq.keypoints[21, 9] = 0.0
    whole = resample(seq)
    stream = StreamResampler(fps)
    got = [f for n in range(len(seq)) for f in stream.push(n, seq.keypoints[n], seq.scores[n])]
    got += stream.flush(len(whole))
    assert [k for k, _, _ in got] == list(range(len(whole)))
    assert np.abs(np.stack([kp for _, kp, _ in got]) - whole.keypoints).max() < 1e-3  # float32 rounding only
    assert np.array_equal(np.stack([sc for _, _, sc in got]) > 0, whole.scores > 0)


def test_stream_resampler_interpolates_across_dropped_frames():
    stream = StreamResampler(30.0)
    a, b = np.zeros((17, 2), np.float32), np.full((17, 2), 30.0, np.float32)
    assert [k for k, _, _ in stream.push(0, a, np.ones(17))] == [0]
    frames = stream.push(3, b, np.ones(17))  # frames 1 and 2 were dropped
    assert [k for k, _, _ in frames] == [1, 2, 3]
    assert [float(kp[0, 0]) for _, kp, _ in frames] == pytest.approx([10.0, 20.0, 30.0])
    with pytest.raises(ValueError, match="in order"):
        stream.push(2, a, np.ones(17))
