"""Forward kinematics: constant bone lengths, known poses where expected, floor contact, joint limits."""

import numpy as np
import pytest

from motionsim.synth.characters import CHARACTERS, skeleton_arrays
from motionsim.synth.kinematics import (
    CH,
    CHANNEL_LIMITS,
    CHANNELS,
    FLOOR_CLEARANCE,
    N_CHANNELS,
    clip_to_limits,
    forward_kinematics,
)
from motionsim.synth.motions import MOTION_LIBRARY, get_motion, motion_3d

BONES = [(5, 7), (7, 9), (6, 8), (8, 10), (11, 13), (13, 15), (12, 14), (14, 16), (11, 12)]


def _fk(channels, char=CHARACTERS[0], use_kernel=True):
    off, face, _ = skeleton_arrays([char])
    return forward_kinematics(np.asarray(channels, np.float32)[None], off[:, None], face[:, None], use_kernel)[0]


@pytest.mark.parametrize("name", ["wave_right", "golf_swing", "jump", "spin", "lunge", "swim"])
def test_bone_lengths_constant_over_time(name):
    joints = motion_3d(name, None, "bruno")
    lengths = np.stack([np.linalg.norm(joints[:, a] - joints[:, b], axis=-1) for a, b in BONES], axis=1)
    assert np.ptp(lengths, axis=0).max() < 1e-4


def test_neutral_pose_is_upright_and_symmetric():
    joints = _fk(np.zeros((1, N_CHANNELS)))[0]
    off, _, _ = skeleton_arrays([CHARACTERS[0]])
    leg = -(off[0, 14, 1] + off[0, 15, 1])  # thigh + shank
    assert np.allclose(joints[11] - joints[15], [0, leg, 0], atol=1e-5)
    assert joints[5, 0] > 0 > joints[6, 0]  # the body's left is +x
    assert np.allclose(joints[5] * [-1, 1, 1], joints[6], atol=1e-5)


def test_arm_abducted_90_points_sideways_and_flexed_90_points_forward():
    ch = np.zeros((1, N_CHANNELS))
    ch[0, CH["r_sh_abd"]] = 90
    ch[0, CH["l_sh_flex"]] = 90
    j = _fk(ch)[0]
    off, _, _ = skeleton_arrays([CHARACTERS[0]])
    arm = -(off[0, 7, 1] + off[0, 8, 1])
    assert np.allclose(j[10] - j[6], [-arm, 0, 0], atol=1e-5)  # right wrist out to the right
    assert np.allclose(j[9] - j[5], [0, 0, arm], atol=1e-5)  # left wrist straight forward


def test_knee_bends_backward_and_bow_keeps_legs_vertical():
    ch = np.zeros((1, N_CHANNELS))
    ch[0, CH["l_knee"]] = 90
    ch[0, CH["pitch"]] = 45
    j = _fk(ch)[0]
    assert j[15, 2] < j[13, 2] - 0.1  # the left ankle is behind the knee
    assert abs(j[14, 2] - j[12, 2]) < 1e-5 and abs(j[16, 2] - j[14, 2]) < 1e-5  # right leg still vertical
    assert j[0, 2] > 0.3  # the head went forward


def test_numba_kernel_matches_numpy():
    ch = get_motion("throw_overhand").channels(None)
    assert np.allclose(_fk(ch), _fk(ch, use_kernel=False), atol=1e-5)


ON_THE_FLOOR = {"floor", "acrobatic"}


@pytest.mark.parametrize("name", [n for n, m in MOTION_LIBRARY.items() if m.category not in ON_THE_FLOOR])
def test_feet_on_floor_unless_lifted(name):
    spec = get_motion(name)
    joints = motion_3d(spec, None, "ada")
    lift = spec.channels(None)[:, CH["lift"]]
    _, _, ankle = skeleton_arrays([CHARACTERS[0]])
    low = joints[:, (15, 16), 1].min(axis=1)
    assert np.allclose(low, ankle[0] + np.clip(lift, 0, None), atol=1e-4)
    assert joints[..., 1].min() > 0.0  # nothing below the floor


@pytest.mark.parametrize("name", [n for n, m in MOTION_LIBRARY.items() if m.category in ON_THE_FLOOR])
def test_floor_motions_rest_on_their_lowest_joint(name):
    """Lying, crawling or upside down, whichever joint is lowest touches the floor (at its clearance)."""
    spec = get_motion(name)
    joints = motion_3d(spec, None, "ada")
    lift = spec.channels(None)[:, CH["lift"]]
    _, _, ankle = skeleton_arrays([CHARACTERS[0]])
    clearance = np.where(np.isnan(FLOOR_CLEARANCE), ankle[0], FLOOR_CLEARANCE)
    low = (joints[..., 1] - clearance).min(axis=1)
    assert np.allclose(low, np.clip(lift, 0, None), atol=1e-4)
    assert joints[..., 1].min() > 0.0


@pytest.mark.parametrize("name,support,tolerance", [("push_up", (9, 10, 15, 16), 0.03),
                                                    ("mountain_climber", (9, 10), 0.15),
                                                    ("crawl", (9, 10, 13, 14), 0.15)])
def test_supported_floor_exercises_keep_hands_and_feet_down(name, support, tolerance):
    """A push-up rests on hands and feet, crawling on hands and knees: no support floats off the floor.

    The body is rigid about the pelvis (no closed-chain solve), so a crawl or a mountain climber rocks a
    little between its hands and its knees or feet; the tolerance says how much."""
    joints = motion_3d(name, None, "ada")
    _, _, ankle = skeleton_arrays([CHARACTERS[0]])
    clearance = np.where(np.isnan(FLOOR_CLEARANCE), ankle[0], FLOOR_CLEARANCE)
    gap = (joints[..., 1] - clearance)[:, list(support)]
    for side in range(0, len(support), 2):  # at least one joint of each support pair is near the floor
        assert gap[:, side:side + 2].min(axis=1).max() < tolerance, (name, support[side])


@pytest.mark.parametrize("name,channel,value,low_joints", [
    ("get_up_face_down", "body_pitch", 90, (0, 5, 6, 9, 10, 11, 12)),  # starts lying face down
    ("get_up_face_up", "body_pitch", -90, (3, 4, 5, 6, 11, 12)),  # starts lying on the back
    ("handstand", "body_pitch", 180, (9, 10)),  # upside down on the hands mid-clip
])
def test_whole_body_turn_lays_the_body_down_or_upside_down(name, channel, value, low_joints):
    spec = get_motion(name)
    ch = spec.channels(None)
    frame = int(np.argmin(np.abs(ch[:, CH[channel]] - value)))
    j = motion_3d(spec, None, "ada")[frame]
    assert j[:, 1].argmin() in low_joints
    if value == 180:
        assert j[(15, 16), 1].min() > j[(0, 5, 6), 1].max() > j[(9, 10), 1].max()  # feet above head above hands
    else:
        assert np.ptp(j[(0, 11, 15), 1]) < 0.35  # head, hip and ankle all near the floor


def test_rolls_and_cartwheels_travel_and_turn_over():
    for name, axis in (("forward_roll", 2), ("cartwheel", 0)):
        j = motion_3d(name, None, "ada")
        mid_hip = j[:, (11, 12)].mean(axis=1)
        assert abs(mid_hip[-1, axis] - mid_hip[0, axis]) > 0.5, name  # contacts carry the body along
        up = j[:, (5, 6), 1].mean(axis=1) - mid_hip[:, 1]
        assert up.min() < -0.2 < 0.2 < up[0], name  # shoulders go below the hips at some point


def test_body_turn_matches_between_kernel_and_numpy():
    ch = np.random.default_rng(0).normal(0, 30, (6, N_CHANNELS)).astype(np.float32)
    ch[:, CH["body_pitch"]] = [0, 90, -90, 180, 45, 400]
    ch[:, CH["body_roll"]] = [0, 0, 30, 90, 200, -120]
    assert np.allclose(_fk(ch), _fk(ch, use_kernel=False), atol=1e-5)


def test_clip_to_limits_respects_every_limit():
    rng = np.random.default_rng(0)
    wild = rng.uniform(-400, 400, (500, N_CHANNELS))
    out = clip_to_limits(wild)
    lo = np.array([CHANNEL_LIMITS[c][0] for c in CHANNELS])
    hi = np.array([CHANNEL_LIMITS[c][1] for c in CHANNELS])
    assert (out >= lo - 1e-4).all() and (out <= hi + 1e-4).all()
    swing = np.hypot(out[:, CH["l_sh_flex"]], out[:, CH["l_sh_abd"]])
    assert swing.max() <= 180 + 1e-3
