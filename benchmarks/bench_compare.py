"""Speed of `motionsim.compare` on two 3.5-minute, 24 fps sequences (5,040 frames each).

Preprocessing + network + similarity, pose estimation excluded (as in the paper, which did ~670 frames/s).
Target (issue 2): >= 20,000 frames/s end to end with w=32, r=32 on 2 cores; r=2 reported too.

    .venv/bin/python benchmarks/bench_compare.py [--backend onnx|torch] [--runs 10]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

import motionsim
from motionsim.evaluate.toy import random_motion
from motionsim.model.runtime import resolve_model


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["onnx", "torch"], default="onnx")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    a, b = random_motion(5040, rng), random_motion(5040, rng)
    ckpt = resolve_model(None, args.backend)
    motionsim.compare(a[:200], b[:200], model=ckpt)  # warm up (numba load, runtime init)
    print(f"backend: {ckpt.backend}, model: {ckpt.name}")
    print(f"load average {os.getloadavg()[0]:.1f}; {args.runs} runs each, each result kept as a caller keeps it")
    for stride in (32, 8, 2):
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            result = motionsim.compare(a, b, model=ckpt, window=32, stride=stride)
            times.append(time.perf_counter() - t0)
        best, median = min(times), statistics.median(times)
        print(f"w=32 r={stride:>2}: median {median:.3f} s, min {best:.3f} s for 2 x 5040 frames = "
              f"{2 * 5040 / median:,.0f} frames/s at the median ({len(result.windows)} windows per sequence)")


if __name__ == "__main__":
    main()
