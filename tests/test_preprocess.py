import numpy as np
import pytest

from helpers import make_motion
from motionsim.errors import PoseFormatError, SequenceTooShortError
from motionsim.io import as_pose_sequence
from motionsim.pose import PoseSequence
from motionsim.preprocess import (
    NormStats,
    fill_missing,
    mirror,
    part_channels,
    prepare_points,
    preprocess,
    sequence_height,
    to_internal15,
)
from motionsim.skeleton import N_CHANNELS, PART_SLICES


def channels_of(array: np.ndarray) -> np.ndarray:
    return part_channels(prepare_points(as_pose_sequence(array)))


def test_channel_count_and_layout(wave):
    ch = channels_of(wave)
    assert ch.shape == (N_CHANNELS, len(wave)) == (38, 64)
    # each limb's first joint is its reference joint, so its relative coordinates are zero
    for part in ("right_arm", "left_arm", "right_leg", "left_leg"):
        assert np.allclose(ch[PART_SLICES[part]][:2], 0)


@pytest.mark.parametrize("shift", [(0.0, 0.0), (300.0, -120.0), (-1e4, 5e3)])
@pytest.mark.parametrize("scale", [1.0, 0.25, 3.0])
def test_invariant_to_translation_and_uniform_scale(wave, shift, scale):
    base = channels_of(wave)
    moved = channels_of(wave * scale + np.array(shift, dtype=np.float32))
    np.testing.assert_allclose(moved, base, atol=1e-4)


def test_height_is_canonical(wave):
    points = prepare_points(as_pose_sequence(wave * 7.0), target_height=1.0)
    assert sequence_height(points) == pytest.approx(1.0, rel=1e-5)


@pytest.mark.parametrize("parts", ["body", "arms", "legs"])
def test_flip_twice_is_identity(wave, parts):
    ch = channels_of(wave)
    np.testing.assert_array_equal(mirror(mirror(ch, parts), parts), ch)
    assert not np.allclose(mirror(ch, parts), ch)


def test_body_flip_equals_mirrored_input(wave):
    """Mirroring the channels == mirroring the image (x -> -x) and relabelling left/right joints."""
    from motionsim.skeleton import COCO17_SWAP

    mirrored = wave.copy()
    mirrored[..., 0] *= -1
    mirrored = mirrored[:, list(COCO17_SWAP)]
    np.testing.assert_allclose(mirror(channels_of(wave), "body"), channels_of(mirrored), atol=1e-5)


def test_missing_joints_filled_forward_then_backward():
    points = np.arange(5 * 15 * 2, dtype=np.float32).reshape(5, 15, 2)
    present = np.ones((5, 15), bool)
    present[0, 3] = present[1, 3] = False  # missing at the start -> backward fill from frame 2
    present[3, 4] = present[4, 4] = False  # missing at the end -> forward fill from frame 2
    out = fill_missing(points, present)
    np.testing.assert_array_equal(out[0, 3], points[2, 3])
    np.testing.assert_array_equal(out[1, 3], points[2, 3])
    np.testing.assert_array_equal(out[4, 4], points[2, 4])
    np.testing.assert_array_equal(out[2], points[2])


def test_joint_never_seen_takes_its_parent():
    points = np.random.default_rng(0).normal(size=(4, 15, 2)).astype(np.float32)
    present = np.ones((4, 15), bool)
    present[:, 4] = False  # r_wrist never detected
    out = fill_missing(points, present)
    np.testing.assert_array_equal(out[:, 4], points[:, 3])  # sits on the r_elbow


def test_low_confidence_counts_as_missing(wave):
    arr = np.concatenate([wave, np.ones((*wave.shape[:2], 1), np.float32)], axis=2)
    arr[10, 10, 2] = 0.01  # right wrist barely seen
    _, present = to_internal15(as_pose_sequence(arr))
    assert not present[10, 4] and present[11, 4]


def test_short_sequence_refused_or_padded(wave):
    seq = as_pose_sequence(wave[:20])
    with pytest.raises(SequenceTooShortError, match="20 frames"):
        preprocess(seq, NormStats.identity(), min_frames=32)
    padded = preprocess(seq, NormStats.identity(), min_frames=32, pad_short=True)
    assert padded.shape == (38, 32)
    np.testing.assert_array_equal(padded[:6, 20:], np.repeat(padded[:6, 19:20], 12, axis=1))


@pytest.mark.parametrize("bad", ["nan", "zeros"])
def test_unusable_sequences_raise(bad):
    arr = np.full((40, 17, 2), np.nan if bad == "nan" else 0.0, np.float32)
    with pytest.raises(PoseFormatError):
        preprocess(PoseSequence(arr, np.ones((40, 17)), source="x"), NormStats.identity())


def test_norm_stats_standardise():
    rng = np.random.default_rng(0)
    data = rng.normal(3.0, 2.0, size=(50, 38, 32)).astype(np.float32)
    stats = NormStats.from_channels(data)
    z = stats.normalize(np.moveaxis(data, 1, 0).reshape(38, -1))
    np.testing.assert_allclose(z.mean(axis=1), 0, atol=1e-4)
    np.testing.assert_allclose(z.std(axis=1), 1, atol=1e-3)


def test_make_motion_helper_differs_by_kind():
    assert not np.allclose(make_motion(kind="wave"), make_motion(kind="kick"))


@pytest.mark.parametrize("frames", [1, 2, 5, 9, 200])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_smoothing_equals_scipys_gaussian_filter_to_the_last_bit(frames, dtype):
    from scipy.ndimage import gaussian_filter1d

    from motionsim.preprocess import smooth_over_time

    points = (np.random.default_rng(frames).normal(size=(frames, 15, 2)) * 300).astype(dtype)
    for axis, sigma in ((0, 2.0), (1, 1.5)):
        expected = gaussian_filter1d(points, sigma, axis=axis, mode="nearest")
        got = smooth_over_time(points, sigma, axis=axis)
        assert got.dtype == expected.dtype and np.array_equal(got, expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(50, 17, 2), (3, 40, 15, 2), (0, 17, 2)])
def test_take_joints_is_fancy_indexing_bit_for_bit(dtype, shape):
    """`take_joints` moves each (x, y) as one item: the same bytes as ``points[..., index, :]``, NaN payloads
    and negative zeros included, and the plain indexing for arrays it cannot view that way."""
    from motionsim.preprocess import take_joints

    rng = np.random.default_rng(len(shape))
    points = rng.normal(size=shape).astype(dtype)
    flat = points.reshape(-1)
    if flat.size:
        flat[::7] = np.nan
        flat[3::11] = -0.0
        flat[5::13] = np.inf
        flat.view(np.uint32 if dtype == np.float32 else np.uint64)[1::17] |= 0x7F800001 if dtype == np.float32 \
            else 0x7FF0000000000001  # signalling-NaN bit patterns
    index = [0, 5, 6, 5, shape[-2] - 1, 2]
    for array in (points, points[..., ::-1, :], np.asfortranarray(points)):  # contiguous, and two that are not
        got, want = take_joints(array, index), array[..., index, :]
        assert got.shape == want.shape and got.dtype == want.dtype
        assert got.tobytes() == np.ascontiguousarray(want).tobytes()


def test_part_channels_are_each_part_relative_to_its_reference(wave):
    """The 38 channels, part by part as docs/method.md defines them, to the last bit: joints minus the part's
    reference joint, x and y joint-major, the torso's block closed by the mid-hip velocity."""
    from motionsim.skeleton import BODY_PARTS, PART_JOINTS, PART_REFERENCE

    points = prepare_points(as_pose_sequence(wave))
    channels = part_channels(points)
    for part in BODY_PARTS:
        rel = points[:, list(PART_JOINTS[part]), :] - points[:, [PART_REFERENCE[part]], :]
        block = channels[PART_SLICES[part]]
        assert block[: rel.shape[1] * 2].tobytes() == np.ascontiguousarray(rel.reshape(len(points), -1).T).tobytes()
    centre = points[:, PART_REFERENCE["torso"]]
    velocity = np.vstack([np.zeros((1, 2), np.float32), centre[1:] - centre[:-1]])
    assert channels[-2:].tobytes() == np.ascontiguousarray(velocity.T).tobytes()
