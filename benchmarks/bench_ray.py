"""`score-pairs` on the Ray engine (2 local workers) against the local engine, on the 20,000-pair benchmark of
bench_score_pairs.py (1,600 NTU JSON clips); checks that both CSVs are byte-identical. The Ray time includes
starting the private cluster on 127.0.0.1 and the workers loading the model.

    .venv/bin/python benchmarks/bench_ray.py [--sequences 1600] [--pairs 20000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from bench_score_pairs import make_dataset
from motionsim.engine.jobs import score_pairs_on

from motionsim.engine.ray_engine import RayEngine
from motionsim.model.runtime import resolve_model
from motionsim.pairs import score_pairs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sequences", type=int, default=1600)
    parser.add_argument("--pairs", type=int, default=20000)
    args = parser.parse_args()
    ckpt = resolve_model(None)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        pairs = make_dataset(root, args.sequences, args.pairs, np.random.default_rng(0))
        t0 = time.perf_counter()
        score_pairs(pairs, root, root / "local.csv", ckpt, progress=False)
        local = time.perf_counter() - t0
        t0 = time.perf_counter()
        score_pairs_on(RayEngine(num_cpus=2), pairs, root, root / "ray.csv", ckpt, progress=False,
                       work_dir=root / ".ray.work")
        remote = time.perf_counter() - t0
        same = (root / "local.csv").read_bytes() == (root / "ray.csv").read_bytes()
    print(f"score-pairs {args.pairs} pairs / {args.sequences} clips: local {local:.1f} s, ray (2 workers, incl. "
          f"start-up) {remote:.1f} s ({remote / local - 1:+.0%}); byte-identical: {same}")


if __name__ == "__main__":
    main()
