"""Each loss against its formula on hand-made tensors."""

import math

import pytest
import torch

from motionsim.train import losses


def vec(*angles_deg):
    return torch.tensor([[math.cos(math.radians(a)), math.sin(math.radians(a))] for a in angles_deg])


def test_cosine_distance_range():
    d = losses.cosine_distance(vec(0, 0, 0), vec(0, 90, 180))
    assert d.tolist() == pytest.approx([0.0, 0.5, 1.0], abs=1e-6)


def test_triplet_loss_formula():
    a, p, n = vec(0, 0), vec(60, 10), vec(90, 120)
    # d(a,p) = (1-cos)/2: 0.25, ~0.0076; d(a,n) = 0.5, 0.75; margin 0.5
    expected = (max(0, 0.5 + 0.25 - 0.5) + max(0, 0.5 + (1 - math.cos(math.radians(10))) / 2 - 0.75)) / 2
    assert float(losses.triplet_loss(a, p, n, margin=0.5)) == pytest.approx(expected, abs=1e-6)


def test_variation_loss_formula():
    p, sp = vec(0, 0), vec(90, 0)
    var = torch.tensor([1.0, 0.5])
    expected = ((0.5 - 0.2 * 1.0) ** 2 + (0.0 - 0.2 * 0.5) ** 2) / 2
    assert float(losses.variation_loss(p, sp, var, beta=0.2)) == pytest.approx(expected, abs=1e-6)


def test_quadruplet_adds_two_triplets_and_variation():
    a, p, sp, n = vec(0), vec(30), vec(60), vec(45)
    var = torch.tensor([0.5])
    expected = (losses.triplet_loss(a, p, n, 0.5) + losses.triplet_loss(a, sp, n, 0.5)
                + 1.0 * losses.variation_loss(p, sp, var, 0.2))
    got = losses.motion_quadruplet_loss(a, p, sp, n, var, margin=0.5, alpha=1.0, beta=0.2)
    assert float(got) == pytest.approx(float(expected))
    no_var = losses.motion_quadruplet_loss(a, p, sp, n, var, margin=0.5, alpha=1.0, beta=0.2, use_variation=False)
    assert float(no_var) == pytest.approx(float(losses.triplet_loss(a, p, n, 0.5) + losses.triplet_loss(a, sp, n, 0.5)))


def test_anchor_gets_no_gradient():
    a = vec(0).requires_grad_(True)
    p, sp, n = vec(80).requires_grad_(True), vec(60), vec(10)
    losses.motion_quadruplet_loss(a, p, sp, n, torch.tensor([0.5]), 0.5, 1.0, 0.2).backward()
    assert a.grad is None and p.grad is not None and p.grad.abs().sum() > 0


def test_info_nce_prefers_matching_rows():
    a = torch.eye(4)
    assert float(losses.info_nce(a, a, 0.1)) < float(losses.info_nce(a, a.roll(1, dims=0), 0.1))
    expected = -math.log(math.exp(10) / (math.exp(10) + 3))  # cos 1 vs 0, temperature 0.1
    assert float(losses.info_nce(a, a, 0.1)) == pytest.approx(expected, rel=1e-3)


def test_foot_velocity_uses_ankle_and_hip_motion():
    leg = torch.zeros(1, 6, 3)
    leg[0, 4] = torch.tensor([0.0, 1.0, 3.0])  # ankle x relative to hip
    torso = torch.zeros(1, 14, 3)
    torso[0, 12] = torch.tensor([0.0, 0.5, 0.5])  # hip velocity x
    vel = losses.foot_velocity(leg, torso)
    assert vel[0, 0].tolist() == pytest.approx([1.5, 2.5])
    assert vel[0, 1].tolist() == pytest.approx([0.0, 0.0])


def test_triplet_weights_scale_each_item():
    a, p, n = vec(0, 0), vec(60, 10), vec(90, 120)
    per_item = [max(0, 0.5 + 0.25 - 0.5), max(0, 0.5 + (1 - math.cos(math.radians(10))) / 2 - 0.75)]
    got = losses.triplet_loss(a, p, n, margin=0.5, weight=torch.tensor([0.0, 2.0]))
    assert float(got) == pytest.approx((0 * per_item[0] + 2 * per_item[1]) / 2, abs=1e-6)
    quad = losses.motion_quadruplet_loss(a, p, p, n, torch.zeros(2), 0.5, 0.0, 0.2,
                                         negative_weight=torch.tensor([1.0, 0.0]))
    assert float(quad) == pytest.approx(2 * per_item[0] / 2, abs=1e-6)


def test_shared_part_loss_formula():
    a, b = vec(0, 0, 0), vec(90, 180, 0)
    w = torch.tensor([1.0, 0.5, 1.0])
    expected = (1.0 * 0.5 ** 2 + 0.5 * 1.0 ** 2 + 0.0) / 3
    assert float(losses.shared_part_loss(a, b, w)) == pytest.approx(expected, abs=1e-6)


def test_info_nce_ignores_masked_negatives():
    a = torch.eye(3)
    ignore = torch.tensor([[True, True, False], [False, False, False], [False, False, False]])
    # pair (0, 1) leaves the negatives: row 0 of a -> b and row 1 of b -> a keep one negative each;
    # the diagonal (0, 0) is never ignored
    one_negative = -math.log(math.exp(10) / (math.exp(10) + 1))
    full = -math.log(math.exp(10) / (math.exp(10) + 2))
    expected = (one_negative + 2 * full) / 3
    got = losses.info_nce(a, a, 0.1, ignore)
    assert float(got) < float(losses.info_nce(a, a, 0.1))
    assert float(got) == pytest.approx(expected, rel=1e-3)


def test_shared_pairs_loss_formula():
    a, b = vec(0, 90), vec(0, 180)
    same = torch.tensor([[False, True], [True, False]])
    # marked pairs: (a0, b1) at 180 degrees -> d = 1; (a1, b0) at 90 degrees -> d = 0.5
    assert float(losses.shared_pairs_loss(a, b, same)) == pytest.approx((1.0 + 0.25) / 2, abs=1e-6)
    assert float(losses.shared_pairs_loss(a, b, torch.zeros(2, 2, dtype=torch.bool))) == 0.0
