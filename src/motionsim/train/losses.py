"""Training losses (paper §III-A2, eq. 3 and 5; docs/method.md §4). Each is a small function of tensors so a test
can check it against its formula on hand-made inputs."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def cosine_distance(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """d = (1 - cos) / 2 in [0, 1], row-wise over (N, D)."""
    return (1.0 - F.cosine_similarity(a, b, dim=1, eps=1e-6)) / 2.0


def triplet_loss(anchor: torch.Tensor, positive: torch.Tensor, negative: torch.Tensor, margin: float,
                 weight: torch.Tensor | None = None) -> torch.Tensor:
    """mean(w * max(0, margin + d(a, p) - d(a, n))) with the cosine distance (w = 1 unless given, (N,))."""
    loss = torch.clamp(margin + cosine_distance(anchor, positive) - cosine_distance(anchor, negative), min=0)
    return (loss if weight is None else loss * weight).mean()


def variation_loss(positive: torch.Tensor, semi_positive: torch.Tensor, variation: torch.Tensor,
                   beta: float) -> torch.Tensor:
    """(d(z_m, z_m'') - beta * var)^2: how far a variation of the same motion should sit (eq. 3)."""
    return ((cosine_distance(positive, semi_positive) - beta * variation) ** 2).mean()


def motion_quadruplet_loss(anchor: torch.Tensor, positive: torch.Tensor, semi_positive: torch.Tensor,
                           negative: torch.Tensor, variation: torch.Tensor, margin: float, alpha: float,
                           beta: float, use_variation: bool = True,
                           negative_weight: torch.Tensor | None = None) -> torch.Tensor:
    """The motion-embedding loss of one part: the same motion seen with another body and view (positive)
    and its variation (semi-positive) must both be closer to the anchor than another motion, by a margin;
    plus alpha x the variation loss. The anchor is detached, as in the authors' code. ``negative_weight``
    (N,) scales the two triplets per item (0 where the other motion does the same thing with this part)."""
    anchor = anchor.detach()
    loss = (triplet_loss(anchor, positive, negative, margin, negative_weight)
            + triplet_loss(anchor, semi_positive, negative, margin, negative_weight))
    if use_variation:
        loss = loss + alpha * variation_loss(positive, semi_positive, variation, beta)
    return loss


def info_nce(a: torch.Tensor, b: torch.Tensor, temperature: float, ignore: torch.Tensor | None = None) -> torch.Tensor:
    """Symmetric InfoNCE: row i of ``a`` must pick row i of ``b`` among every row of the batch.

    ``ignore`` (N, N) bool drops pairs (i, j), i != j, from the negatives: rows that are not really different
    (another item whose part does the same thing), which InfoNCE would otherwise push apart.
    """
    a, b = F.normalize(a, dim=1), F.normalize(b, dim=1)
    logits = a @ b.T / temperature
    if ignore is not None:
        ignore = ignore & ~torch.eye(len(a), dtype=torch.bool, device=a.device)
        logits = logits.masked_fill(ignore, float("-inf"))
    target = torch.arange(len(a), device=a.device)
    return (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2


def shared_part_loss(a: torch.Tensor, b: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """mean(w * d(a, b)^2): pulls together a part that two different motions move the same way (w in [0, 1],
    (N,)), seen with different bodies and views, so that the part's embedding ignores them."""
    return (weight * cosine_distance(a, b) ** 2).mean()


def shared_pairs_loss(a: torch.Tensor, b: torch.Tensor, same: torch.Tensor) -> torch.Tensor:
    """Mean d(a_i, b_j)^2 over the pairs marked ``same`` (N, N): rows of different items whose part does the
    same thing, seen with different bodies and views, pulled together (0 when no pair is marked)."""
    d = (1.0 - F.normalize(a, dim=1) @ F.normalize(b, dim=1).T) / 2.0
    same = same.float()
    return (same * d**2).sum() / same.sum().clamp(min=1.0)


def norm_loss(z: torch.Tensor) -> torch.Tensor:
    """Keeps embedding norms near 1 so cosine geometry is well conditioned."""
    return ((z.norm(dim=1) - 1.0) ** 2).mean()


def foot_velocity(leg: torch.Tensor, torso: torch.Tensor) -> torch.Tensor:
    """Absolute ankle velocity of a leg block (N, 6, T): ankle-relative motion + mid-hip velocity."""
    ankle = leg[:, 4:6]
    return (ankle[..., 1:] - ankle[..., :-1]) + torso[:, 12:14, 1:]


def foot_loss(output_legs: tuple[torch.Tensor, torch.Tensor], target_legs: tuple[torch.Tensor, torch.Tensor],
              output_torso: torch.Tensor, target_torso: torch.Tensor) -> torch.Tensor:
    """MSE of reconstructed vs true foot velocities (against foot skating in the decoder)."""
    loss = 0.0
    for out, tgt in zip(output_legs, target_legs):
        loss = loss + F.mse_loss(foot_velocity(out, output_torso), foot_velocity(tgt, target_torso))
    return loss / 2
