"""Part changes on real motion: does a method see *which* part changed, and *how much*?

Issue 17's second hidden set turns one body part by 15-90 degrees in real clips seen from another camera and
body, and asks two things of a method with part scores: does the changed part lose the most (names the
part), and does its loss grow with the angle (Spearman of the drop with the angle, pooled over all trials).
`tools/build_real_motion.py` renders the same kind of trials from our real set (``part_changes`` in the
manifest): for each segment, the segment unchanged and with each part turned by each angle, all from one
other camera and body; the reference is the segment's first rendering.

    drop[q] = part score q of (reference, unchanged) - part score q of (reference, changed)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..pose import PoseSequence
from ..skeleton import BODY_PARTS
from .method_base import Method
from .metrics import spearman


@dataclass
class PartChangeScores:
    """How a method's part scores react to one part turned by a known angle."""

    names_part: float  # share of trials whose changed part has the largest drop
    drop_vs_angle: float  # Spearman of the changed part's drop with the angle, all trials pooled
    trials: int
    by_part: dict[str, float] = field(default_factory=dict)  # drop_vs_angle of each part's trials alone

    def to_dict(self) -> dict[str, Any]:
        def r(x: float) -> float | None:
            return None if math.isnan(x) else round(float(x), 4)

        return {"names_part": r(self.names_part), "drop_vs_angle": r(self.drop_vs_angle), "trials": self.trials,
                "by_part": {k: r(v) for k, v in self.by_part.items()}}


def has_part_scores(method: Method) -> bool:
    """Whether a method scores body parts separately (BPE, joint distance, joint angles)."""
    return callable(getattr(method, "part_scores", None))


def part_drops(method: Method, references: dict[str, Any], feats: Sequence[Any],
               trials: Sequence[dict[str, Any]]) -> np.ndarray:
    """(trials, 5) score drops of every part, for each trial against its segment's unchanged rendering."""
    scores = np.array([[method.part_scores(references[t["reference"]], f)[p] for p in BODY_PARTS]
                       for t, f in zip(trials, feats)])
    unchanged = {t["segment"]: scores[k] for k, t in enumerate(trials) if t["part"] is None}
    return np.array([unchanged[t["segment"]] - scores[k] for k, t in enumerate(trials)])


def score_part_changes(drops: np.ndarray, trials: Sequence[dict[str, Any]]) -> PartChangeScores:
    """The numbers of `PartChangeScores` from the drops of `part_drops` (unchanged renderings left out)."""
    keep = [k for k, t in enumerate(trials) if t["part"] is not None]
    part_idx = np.array([BODY_PARTS.index(trials[k]["part"]) for k in keep])
    angle = np.array([trials[k]["angle"] for k in keep], dtype=float)
    d = drops[keep]
    own = d[np.arange(len(keep)), part_idx]
    names = float(np.mean(d.argmax(axis=1) == part_idx)) if keep else math.nan
    by_part = {p: spearman(own[part_idx == i], angle[part_idx == i]) for i, p in enumerate(BODY_PARTS)
               if (part_idx == i).sum() > 2}
    return PartChangeScores(names, spearman(own, angle) if keep else math.nan, len(keep), by_part)


def evaluate_part_changes(method: Method, references: dict[str, Any], clips: Sequence[PoseSequence],
                          trials: Sequence[dict[str, Any]]) -> PartChangeScores:
    """Prepare the part-change renderings with ``method`` and score them against the prepared references
    (rendering id -> features)."""
    return score_part_changes(part_drops(method, references, method.prepare(clips), trials), trials)


def format_part_changes(rows: Sequence[tuple[str, PartChangeScores]]) -> list[str]:
    """Lines of the plain-text report: one row per method with part scores."""
    if not rows:
        return []
    width = max(len("method"), *(len(n) for n, _ in rows)) + 2
    head = (f"{'method':<{width}}{'names part':>11}{'drop~angle':>11}"
            + "".join(f"{p.replace('_', ' '):>11}" for p in BODY_PARTS))
    lines = ["", f"Part changes: one part turned 15-90 degrees, seen from another camera and body "
                 f"({rows[0][1].trials} trials); drop~angle = Spearman of the part's score drop with the angle",
             "", head, "-" * len(head)]
    for name, s in rows:
        cells = "".join(f"{s.by_part.get(p, math.nan):>11.3f}" for p in BODY_PARTS)
        lines.append(f"{name:<{width}}{s.names_part:>11.3f}{s.drop_vs_angle:>11.3f}{cells}")
    return lines
