"""Throughput of the synthetic training sampler (items/s of `SynthSampler.sample_batch`). Prints numbers.

One item = 12 renderings of a 32-frame window (3 motions x 2 skeletons x 2 views). Run:
    .venv/bin/python benchmarks/bench_synth.py
"""

from __future__ import annotations

import os
import time

import numpy as np

from motionsim.synth import SynthSampler


def _rate(sampler: SynthSampler, batch: int, n_batches: int, seed: int) -> float:
    t0 = time.perf_counter()
    for k in range(n_batches):
        sampler.sample_batch(batch, np.random.default_rng(seed + k))
    return batch * n_batches / (time.perf_counter() - t0)


def main() -> None:
    print(f"cores available: {os.cpu_count()}")
    t0 = time.perf_counter()
    sampler = SynthSampler(random_state=0)
    sampler.sample_batch(8, np.random.default_rng(0))  # compiles the FK kernel (cached on disk afterwards)
    print(f"start-up incl. kernel load: {time.perf_counter() - t0:.2f} s")
    print(f"cold cache (channels computed on first use): {_rate(sampler, 256, 4, 1):8.0f} items/s")
    for _ in range(40):  # fill the (motion, characteristic vector) channel cache
        sampler.sample_batch(256, np.random.default_rng(_ + 100))
    print(f"cached channels: {len(sampler._cache)} (motion, variation) pairs")
    for batch in (64, 256, 1024):
        print(f"warm, batch {batch:5d}: {_rate(sampler, batch, max(2, 2048 // batch), 500):8.0f} items/s "
              f"({12 * 32} frames rendered per item)")
    mixed = SynthSampler(random_state=0, n_random_motions=50, random_character_prob=0.3, random_view_prob=0.3,
                         perspective_prob=0.2)
    for _ in range(40):
        mixed.sample_batch(256, np.random.default_rng(_ + 100))
    print(f"warm, batch 256, random motions/bodies/views: {_rate(mixed, 256, 8, 900):8.0f} items/s")


if __name__ == "__main__":
    main()
