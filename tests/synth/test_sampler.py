"""Training items: shapes, labels consistent with eq. 2, reproducibility, splits respected."""

import numpy as np
import pytest

from motionsim.synth.camera import VIEW_GRID, View, as_view_array
from motionsim.synth.characters import VAL_CHARACTERS
from motionsim.synth.motion_base import variation_score
from motionsim.synth.motions import get_motion, list_motions
from motionsim.synth.sampler import SynthSampler, render


@pytest.fixture(scope="module")
def batch():
    sampler = SynthSampler(n_random_motions=5, random_state=1)
    return sampler, sampler.sample_batch(16, np.random.default_rng(0))


def test_batch_shapes_and_labels(batch):
    sampler, b = batch
    assert b.renderings.shape == (16, 3, 2, 2, 32, 17, 2) and b.renderings.dtype == np.float32
    assert np.isfinite(b.renderings).all()
    for i in range(len(b)):
        m, ms, mn = b.motions[i]
        assert m == ms != mn
        va, vs, _ = b.values[i]
        assert va != vs and b.variation[i] == pytest.approx(variation_score(va, vs))
        assert 0 < b.variation[i] <= 1
        assert b.characters[i, 0] != b.characters[i, 1]
    grid = as_view_array(list(VIEW_GRID))
    for v in b.views.reshape(-1, 4):
        assert np.isclose(grid, v, atol=1e-6).all(axis=1).any()


def test_renderings_differ_by_skeleton_and_view_but_not_by_chance(batch):
    _, b = batch
    r = b.renderings
    assert not np.allclose(r[:, 0, 0, 0], r[:, 0, 1, 0])  # s vs s'
    assert not np.allclose(r[:, 0, 0, 0], r[:, 0, 0, 1])  # c vs c'


def test_sampling_is_reproducible():
    s = SynthSampler(random_state=0)
    a, b = s.sample_batch(4, np.random.default_rng(5)), s.sample_batch(4, np.random.default_rng(5))
    assert np.array_equal(a.renderings, b.renderings) and (a.motions == b.motions).all()
    c = s.sample_batch(4, np.random.default_rng(6))
    assert not np.array_equal(a.renderings, c.renderings)


def test_item_and_same_window_for_m_and_m2():
    s = SynthSampler(motions=["wave_right", "squat"], characters=VAL_CHARACTERS, random_state=0)
    item = s.sample_item(np.random.default_rng(2))
    assert item.renderings.shape == (3, 2, 2, 32, 17, 2)
    full = render(item.motions[0], item.values[0], item.characters[0], View(*item.views[0]))
    start = item.starts[0]
    assert np.allclose(item.renderings[0, 0, 0] - item.renderings[0, 0, 0, 0, 11],
                       full[start:start + 32] - full[start, 11], atol=1e-3)


def test_default_sampler_uses_only_training_motions():
    s = SynthSampler(random_state=0)
    assert {m.name for m in s.motions} == set(list_motions(split="train"))


def test_render_shape_and_errors():
    out = render("clap", [0, 0.5, -1], "ada", View(yaw=0.3), n_frames=40)
    assert out.shape == (40, 17, 2)
    with pytest.raises(ValueError):
        SynthSampler(characters=["ada"])
    with pytest.raises(ValueError):
        SynthSampler(motions=["clap"])
    assert get_motion("clap").n_variables == 3


def test_part_labels_match_the_sampled_motions(batch):
    _, b = batch
    n = len(b)
    assert b.part_change.shape == b.part_negative.shape == (n, 5) and b.part_pairwise.shape == (n, n, 5)
    assert (b.part_change >= 0).all() and (b.part_negative >= 0).all()
    # m and m'' differ somewhere; the same motion on two bodies differs less than two different motions
    assert (b.part_change.max(axis=1) > 0).all()
    same_motion = np.diagonal(b.part_pairwise).T  # (n, 5): m of item i on body s vs on body s'
    names = b.motions[:, 0]
    other = b.part_pairwise[names[:, None] != names[None, :]]
    assert np.median(same_motion) < 0.5 * np.median(other)


def test_part_labels_see_a_one_part_variation():
    from motionsim.skeleton import BODY_PARTS

    sampler = SynthSampler(motions=["wave_right", "squat"], random_state=0)
    b = sampler.sample_batch(32, np.random.default_rng(0))
    arm = BODY_PARTS.index("right_arm")
    waves = b.motions[:, 0] == "wave_right"
    moved = b.part_change[waves]
    # rows that changed the arm's variables change the arm most (Speed moves everything a little in time)
    assert (moved.argmax(axis=1) == arm).mean() > 0.5
