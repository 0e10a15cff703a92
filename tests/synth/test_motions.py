"""The motion library: breadth, characteristic variations that really change the motion, part localisation."""

import numpy as np
import pytest

from motionsim.skeleton import BODY_PARTS
from motionsim.synth.characters import TRAIN_CHARACTERS, VAL_CHARACTERS
from motionsim.synth.motion_base import CATEGORIES, variation_score
from motionsim.synth.motions import (
    MOTION_LIBRARY,
    get_motion,
    list_motions,
    motion_3d,
    part_distances,
    part_effects,
    part_poses,
    variation_grid,
)
from motionsim.synth.random_motion import random_floor_motion_spec, random_motion_spec

CASES = [(m.name, var, sign) for m in MOTION_LIBRARY.values() for var in m.variables for sign in (-1.0, 1.0)]


def test_library_breadth_and_metadata():
    assert len(MOTION_LIBRARY) >= 40
    for cat in ("combat", "adventure", "sport", "dance", "everyday", "exercise"):
        assert len(list_motions(cat)) >= 5, cat
    for m in MOTION_LIBRARY.values():
        assert 2 <= m.n_variables <= 3 and all("_" not in v for v in m.variables), m.name
        assert m.category in CATEGORIES and set(m.parts) <= set(BODY_PARTS) and m.parts
        assert 60 <= m.n_frames <= 150


def test_split_by_motion_families_and_characters_is_disjoint():
    train, val = set(list_motions(split="train")), set(list_motions(split="val"))
    assert train and val and not train & val and train | val == set(MOTION_LIBRARY)
    fam = {get_motion(n).family for n in train} & {get_motion(n).family for n in val}
    assert not fam
    assert len(TRAIN_CHARACTERS) == 12 and len(VAL_CHARACTERS) == 6
    assert not {c.name for c in TRAIN_CHARACTERS} & {c.name for c in VAL_CHARACTERS}


def _dist(a, b):
    """Mean displacement over time of the joint that moves most (a wave changes the wrist, not the feet)."""
    return float(np.linalg.norm(a - b, axis=-1).mean(axis=0).max())


@pytest.mark.parametrize("name,variable,sign", CASES)
def test_characteristic_value_changes_motion_measurably_and_monotonically(name, variable, sign):
    base = motion_3d(name, None, "ada")
    half = motion_3d(name, {variable: 0.5 * sign}, "ada")
    full = motion_3d(name, {variable: sign}, "ada")
    d_half, d_full = _dist(base, half), _dist(base, full)
    assert d_full > 0.02, f"{name}.{variable}={sign} moves joints by only {d_full:.4f} m on average"
    assert d_half < d_full


def test_variation_score_matches_eq2():
    assert variation_score([0, 0, 0], [0, 0, 0]) == 0.0
    assert variation_score([-1, -1], [1, 1]) == 1.0
    assert variation_score([0.5, -1, 0], [0, 0, 1]) == pytest.approx(2.5 / 6)
    with pytest.raises(ValueError):
        variation_score([0, 1], [0])


def test_variation_grid_covers_sara_levels():
    grid = variation_grid("clap")
    assert grid.shape == (125, 3) and set(np.unique(grid)) == {-1.0, -0.5, 0.0, 0.5, 1.0}


@pytest.mark.parametrize("name,variable,part", [("wave_right", "Height", "right_arm"),
                                                 ("wave_left", "Energy", "left_arm"),
                                                 ("front_kick", "Height", "right_leg")])
def test_variation_is_localised_to_its_part(name, variable, part):
    eff = part_effects(name, variable)
    others = [v for k, v in eff.items() if k != part]
    assert eff[part] > 0.015 and eff[part] > 20 * max(others)


def test_left_motion_is_mirror_of_right():
    right = motion_3d("wave_right", None, "ada")
    left = motion_3d("wave_left", None, "ada")
    from motionsim.skeleton import COCO17_SWAP
    assert np.allclose(left, right[:, list(COCO17_SWAP)] * [-1, 1, 1], atol=1e-4)


def test_bad_values_raise_clear_errors():
    with pytest.raises(ValueError, match="takes 3"):
        get_motion("clap").channels([0, 0])
    with pytest.raises(ValueError, match="no variable"):
        get_motion("clap").channels({"Nope": 1})
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        get_motion("clap").channels([2, 0, 0])
    with pytest.raises(ValueError, match="unknown motion"):
        get_motion("moonwalk")


def test_random_motions_are_seeded_smooth_and_varied():
    a, b, c = random_motion_spec(7), random_motion_spec(7), random_motion_spec(8)
    ja, jb, jc = (motion_3d(s, None, "ada") for s in (a, b, c))
    assert np.array_equal(ja, jb) and not np.allclose(ja, jc)
    accel = np.abs(np.diff(ja, 2, axis=0)).max()
    assert accel < 0.05  # metres per frame^2: no jumps between frames
    amp = motion_3d(a, {"Amplitude": 1.0}, "ada")
    assert _dist(ja, amp) > 0.01


def test_random_floor_motions_lie_kneel_invert_and_roll_over():
    """The random floor family covers what standing motions cannot: the trunk far from upright."""
    specs = [random_floor_motion_spec(seed) for seed in range(40)]
    assert np.array_equal(motion_3d(specs[3], None, "ada"), motion_3d(random_floor_motion_spec(3), None, "ada"))
    trunk_angles, rolled = [], 0
    for spec in specs:
        j = motion_3d(spec, None, "ada")
        assert j[..., 1].min() > 0.0 and np.isfinite(j).all()
        up = j[:, (5, 6)].mean(axis=1) - j[:, (11, 12)].mean(axis=1)  # hips -> shoulders
        trunk_angles.append(np.degrees(np.arccos(np.clip(up[:, 1] / np.linalg.norm(up, axis=1), -1, 1))))
        rolled += "rolling over" in spec.description
    angles = np.concatenate(trunk_angles)
    assert (angles > 60).mean() > 0.4 and (angles > 150).mean() > 0.05  # lying and upside down are common
    assert 4 <= rolled <= 25  # about 30 % roll over once
    amp = motion_3d(specs[0], {"Amplitude": 1.0}, "ada")
    assert _dist(motion_3d(specs[0], None, "ada"), amp) > 0.01


def test_part_poses_ignore_body_size_and_see_only_the_changed_part():
    small, tall = min(TRAIN_CHARACTERS, key=lambda c: c.stature), max(TRAIN_CHARACTERS, key=lambda c: c.stature)
    base = part_poses(motion_3d("wave_right", None, small))
    same = part_poses(motion_3d("wave_right", None, small))
    other_body = part_poses(motion_3d("wave_right", None, tall))
    changed = part_poses(motion_3d("wave_right", {"Height": 1.0}, small))
    assert part_distances(base, same) == pytest.approx(np.zeros(5), abs=1e-6)
    body = part_distances(base, other_body)
    change = part_distances(base, changed)
    arm = BODY_PARTS.index("right_arm")
    assert change.argmax() == arm and change[arm] > 3 * body.max()
    assert np.delete(change, arm).max() < 0.2 * change[arm]
    # broadcasting: a (2, 1) set against a (1, 2) set gives the 2 x 2 table
    pair = {p: np.stack([base[p], changed[p]]) for p in base}
    table = part_distances({p: v[:, None] for p, v in pair.items()}, {p: v[None] for p, v in pair.items()})
    assert table.shape == (2, 2, 5) and table[0, 1] == pytest.approx(change, rel=1e-5)
