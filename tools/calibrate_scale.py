#!/usr/bin/env python
"""Derive the bone fractions of ``motionsim.preprocess.SCALE_BONES`` from the synthetic library (docs/scaling.md).

Renders every library motion (random characteristic values) on the character bank plus random bodies from
orthographic views (the paper's grid and random pitch/yaw/roll), measures each bone group's 90th-percentile
2-D length and the old height (90th percentile of ankle-mean y - nose y), and prints, per bone group, the
median of length / old height over the *upright* renderings (old height >= 0.92 x the character's standing
nose-to-ankle height, so crouches and bows do not bias it). It then checks the current constants: new / old
height on upright renderings and new / true height on all of them.

    python tools/calibrate_scale.py [--seed 0]
"""

from __future__ import annotations

import argparse

import numpy as np

from motionsim.preprocess import (
    BONE_PERCENTILE,
    SCALE_BONES,
    coco_to_internal,
    frame_heights,
    sequence_heights,
)
from motionsim.skeleton import INTERNAL15_INDEX
from motionsim.synth import CHARACTERS, VIEW_GRID, list_motions, random_character, random_views
from motionsim.synth.camera import project
from motionsim.synth.motions import channels_to_3d, get_motion


def bone_lengths(points: np.ndarray, a: str, b: str) -> np.ndarray:
    """High-percentile 2-D length of bone a-b over time: (..., T, 15, 2) -> (...)."""
    length = np.linalg.norm(points[..., INTERNAL15_INDEX[a], :] - points[..., INTERNAL15_INDEX[b], :], axis=-1)
    return np.percentile(length, BONE_PERCENTILE, axis=-1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    views = np.concatenate([np.stack([v.as_array() for v in VIEW_GRID]), random_views(rng, 27, perspective=0.0)])
    bodies = list(CHARACTERS) + [random_character(rng, f"random_{i}") for i in range(6)]
    old, true, groups, new = [], [], [], []
    for name in list_motions():
        spec = get_motion(name)
        for body in bodies[::3] + bodies[1::6]:
            values = rng.choice([-1.0, -0.5, 0.0, 0.5, 1.0], spec.n_variables)
            joints = channels_to_3d(spec.channels(values)[None], [body])[0]
            picked = views[rng.choice(len(views), 8, replace=False)]
            pts = coco_to_internal(project(np.broadcast_to(joints, (8, *joints.shape)), picked))
            old.append(np.percentile(frame_heights(pts), 90, axis=-1))
            true.append(np.full(len(pts), body.nose_to_ankle))
            new.append(sequence_heights(pts))
            per_group = []
            for group in SCALE_BONES:
                lengths = np.stack([bone_lengths(pts, a, b) for (a, b), _ in group])  # (bones, views)
                if len({f for _, f in group}) == 1:  # left and right share a fraction: the longer one counts
                    lengths = lengths.max(axis=0, keepdims=True)
                per_group.append(lengths)
            groups.append(per_group)
    old_h, true_h, new_h = np.concatenate(old), np.concatenate(true), np.concatenate(new)
    upright = old_h >= 0.92 * true_h
    print(f"{len(old_h)} renderings, {upright.mean():.0%} upright")
    for k, group in enumerate(SCALE_BONES):
        rows = group if len({f for _, f in group}) > 1 else group[:1]
        for i, ((a, b), current) in enumerate(rows):
            length = np.concatenate([g[k][i] for g in groups])
            label = f"{a}-{b}" if len(rows) > 1 or len(group) == 1 else f"{a}-{b} (or left)"
            print(f"{label:28s} fraction {np.median(length[upright] / old_h[upright]):.4f} (in use {current:.4f}); "
                  f"of the standing nose-to-ankle height {np.median(length / true_h):.4f}")
    ratio = new_h / old_h
    low, high = np.percentile(ratio[upright], [5, 95])
    print(f"upright new/old: median {np.median(ratio[upright]):.3f}, 5-95 % {low:.3f}-{high:.3f}")
    spread = lambda x: x.std() / x.mean()  # noqa: E731
    print(f"all renderings, coefficient of variation of height / standing nose-to-ankle: "
          f"new {spread(new_h / true_h):.3f}, old {spread(old_h / true_h):.3f}")


if __name__ == "__main__":
    main()
