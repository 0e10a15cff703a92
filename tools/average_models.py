#!/usr/bin/env python
"""Average the weights of BPE models fine-tuned from one another (a "model soup", Wortsman et al., ICML 2022).

The shipped model is 0.7 x F (standing motion) + 0.3 x H (F fine-tuned on the widened generator with floor and
acrobatic motion); docs/training.md ("Issue 17") has the measurements. Averaging only makes sense for networks
of one architecture that read the same normalised input and share a training ancestry, so both are checked.

    python tools/average_models.py runs/F/best.safetensors:0.7 runs/H/best.safetensors:0.3 -o OUT.safetensors
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch

from motionsim.model.checkpoint import load_model, save_model


def parse_member(text: str) -> tuple[str, float]:
    path, _, weight = text.rpartition(":")
    if not path:
        raise argparse.ArgumentTypeError(f"{text!r}: expected MODEL.safetensors:WEIGHT")
    try:
        return path, float(weight)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: the weight after ':' must be a number") from None


def average(members: list[tuple[str, float]]) -> object:
    """A checkpoint whose every floating-point tensor is the weighted mean of the members' (weights sum to 1)."""
    total = sum(w for _, w in members)
    if abs(total - 1.0) > 1e-6 or any(w < 0 for _, w in members):
        raise SystemExit(f"the weights must be non-negative and sum to 1, they sum to {total:g}")
    ckpts = [load_model(path) for path, _ in members]
    first = ckpts[0]
    for (path, _), c in zip(members[1:], ckpts[1:]):
        if c.model.config.to_dict() != first.model.config.to_dict():
            raise SystemExit(f"{path}: another architecture than {members[0][0]}")
        if not (np.array_equal(c.stats.mean, first.stats.mean) and np.array_equal(c.stats.std, first.stats.std)):
            raise SystemExit(f"{path}: other normalisation statistics than {members[0][0]}; average only models "
                             "fine-tuned from one another")
    states = [c.model.state_dict() for c in ckpts]
    merged = {}
    for key, value in states[0].items():
        if value.is_floating_point():
            merged[key] = sum(w * s[key].to(torch.float64) for (_, w), s in zip(members, states)).to(value.dtype)
        else:  # BatchNorm's batch counters
            merged[key] = value
    first.model.load_state_dict(merged)
    data = sorted({c.training.get("data", "?") for c in ckpts})
    first.training = {"trained": True, "data": "+".join(data), "recipe": "weight average (tools/average_models.py)",
                      "members": [{"model": path, "weight": w, "training": c.training}
                                  for (path, w), c in zip(members, ckpts)]}
    first.path = None
    return first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("members", nargs="+", type=parse_member, metavar="MODEL:WEIGHT")
    parser.add_argument("-o", "--out", required=True, type=Path, help="the averaged model (.safetensors)")
    args = parser.parse_args(argv)
    ckpt = average(args.members)
    save_model(ckpt, args.out)
    print(f"wrote {args.out} ({', '.join(f'{w:g} x {p}' for p, w in args.members)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
