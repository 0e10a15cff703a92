"""Per-part training targets from the generator's 3-D ground truth: how far each part of a variation moved,
and which other motions move a part the same way (so it is no negative for that part)."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .batches import Batch
from .config import TrainConfig


@dataclass
class PartTargets:
    """What each part of each item should learn, from the batch's per-part 3-D differences.

    variation (B, 5): var(m, m'') of eq. 2 given to the parts the variation moved, in proportion to how much
    each moved (a raised arm is no reason for the legs' embeddings to move);
    negative_weight (B, 5): 0 where m' moves the part as m does (no reason to push it away), 1 where it
    clearly differs; ignore (B, B, 5): pairs of items whose part does the same thing (not InfoNCE negatives).
    Distances are measured in units of the batch's median m-vs-m' distance of that part.
    """

    variation: torch.Tensor
    negative_weight: torch.Tensor
    ignore: torch.Tensor | None


def part_targets(variation: torch.Tensor, batch: Batch, cfg: TrainConfig) -> PartTargets | None:
    """`PartTargets` of a batch, or None when the source gives no per-part labels or they are switched off
    (then every part gets the whole-body var and every m' is a negative, as in the paper)."""
    if not cfg.part_targets or getattr(batch, "part_change", None) is None or batch.part_negative is None:
        return None
    negative = torch.as_tensor(batch.part_negative, dtype=torch.float32)
    unit = negative.median(dim=0).values.clamp(min=1e-6)  # (5,)
    lo, hi = cfg.shared_part_below, cfg.shared_part_above
    change = torch.as_tensor(batch.part_change, dtype=torch.float32) / unit
    share = change / change.max(dim=1, keepdim=True).values.clamp(min=1e-6)
    weight = ((negative / unit - lo) / (hi - lo)).clamp(0.0, 1.0)
    ignore = None
    if batch.part_pairwise is not None:
        ignore = torch.as_tensor(batch.part_pairwise, dtype=torch.float32) / unit < lo
    return PartTargets(variation[:, None] * share, weight, ignore)
