"""Each loss against its formula on hand-made tensors."""

import math

import pytest
import torch

from motionsim.train import losses as L


def vec(*angles_deg):
    return torch.tensor([[math.cos(math.radians(a)), math.sin(math.radians(a))] for a in angles_deg])


def test_cosine_distance_range():
    d = L.cosine_distance(vec(0, 0, 0), vec(0, 90, 180))
    assert d.tolist() == pytest.approx([0.0, 0.5, 1.0], abs=1e-6)


def test_triplet_loss_formula():
    a, p, n = vec(0, 0), vec(60, 10), vec(90, 120)
    # d(a,p) = (1-cos)/2: 0.25, ~0.0076; d(a,n) = 0.5, 0.75; margin 0.5
    expected = (max(0, 0.5 + 0.25 - 0.5) + max(0, 0.5 + (1 - math.cos(math.radians(10))) / 2 - 0.75)) / 2
    assert float(L.triplet_loss(a, p, n, margin=0.5)) == pytest.approx(expected, abs=1e-6)


def test_variation_loss_formula():
    p, sp = vec(0, 0), vec(90, 0)
    var = torch.tensor([1.0, 0.5])
    expected = ((0.5 - 0.2 * 1.0) ** 2 + (0.0 - 0.2 * 0.5) ** 2) / 2
    assert float(L.variation_loss(p, sp, var, beta=0.2)) == pytest.approx(expected, abs=1e-6)


def test_quadruplet_adds_two_triplets_and_variation():
    a, p, sp, n = vec(0), vec(30), vec(60), vec(45)
    var = torch.tensor([0.5])
    expected = (L.triplet_loss(a, p, n, 0.5) + L.triplet_loss(a, sp, n, 0.5)
                + 1.0 * L.variation_loss(p, sp, var, 0.2))
    got = L.motion_quadruplet_loss(a, p, sp, n, var, margin=0.5, alpha=1.0, beta=0.2)
    assert float(got) == pytest.approx(float(expected))
    no_var = L.motion_quadruplet_loss(a, p, sp, n, var, margin=0.5, alpha=1.0, beta=0.2, use_variation=False)
    assert float(no_var) == pytest.approx(float(L.triplet_loss(a, p, n, 0.5) + L.triplet_loss(a, sp, n, 0.5)))


def test_anchor_gets_no_gradient():
    a = vec(0).requires_grad_(True)
    p, sp, n = vec(80).requires_grad_(True), vec(60), vec(10)
    L.motion_quadruplet_loss(a, p, sp, n, torch.tensor([0.5]), 0.5, 1.0, 0.2).backward()
    assert a.grad is None and p.grad is not None and p.grad.abs().sum() > 0


def test_info_nce_prefers_matching_rows():
    a = torch.eye(4)
    assert float(L.info_nce(a, a, 0.1)) < float(L.info_nce(a, a.roll(1, dims=0), 0.1))
    expected = -math.log(math.exp(10) / (math.exp(10) + 3))  # cos 1 vs 0, temperature 0.1
    assert float(L.info_nce(a, a, 0.1)) == pytest.approx(expected, rel=1e-3)


def test_foot_velocity_uses_ankle_and_hip_motion():
    leg = torch.zeros(1, 6, 3)
    leg[0, 4] = torch.tensor([0.0, 1.0, 3.0])  # ankle x relative to hip
    torso = torch.zeros(1, 14, 3)
    torso[0, 12] = torch.tensor([0.0, 0.5, 0.5])  # hip velocity x
    vel = L.foot_velocity(leg, torso)
    assert vel[0, 0].tolist() == pytest.approx([1.5, 2.5])
    assert vel[0, 1].tolist() == pytest.approx([0.0, 0.0])
