"""Motion library search (issue 16): build time and size of a library of synthetic clips (60-300 frames),
query latency after loading, and recall@10 of the indexed search against exhaustive Algorithm 1 over the
whole library, overall and per part. Also embedding throughput (windows/s) and DTW pairs/s for docs/scale.md.

    .venv/bin/python benchmarks/bench_index.py [--clips 20000] [--queries 20]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from motionsim.dtw import warm_up
from motionsim.embed import embed_sequences
from motionsim.evaluate.toy import random_motion
from motionsim.index import KEYS, MotionIndex
from motionsim.index.search import clip_embedding, clip_weights, rank
from motionsim.io import load_pose
from motionsim.resample import resample
from motionsim.skeleton import BODY_PARTS


def make_clips(folder: Path, n: int, rng: np.random.Generator) -> list[str]:
    paths = []
    for i in range(n):
        path = folder / f"clip{i:06d}.npy"
        np.save(path, random_motion(int(rng.integers(60, 301)), rng).astype(np.float32))
        paths.append(str(path))
    return paths


def folder_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.iterdir()) / 1e6


def exhaustive_ranking(lib: MotionIndex, query: np.ndarray) -> dict[str, list[int]]:
    """Every clip scored exactly once; the top-10 clip numbers per key."""
    from motionsim.io import as_pose_sequence

    q = embed_sequences([resample(as_pose_sequence(query))], lib.model, lib.meta.window, lib.meta.stride,
                        pad_short=True)
    every = rank(q, lib.parts, lib.meta.clips, np.arange(len(lib)), "overall", len(lib))
    weights = clip_weights(q[0], lib.meta.clips)  # the overall score weighs the parts by their movement
    out = {}
    for key in KEYS:
        if key == "overall":
            def value(c, s):
                return float(sum(w * s[p] for w, p in zip(weights[c], BODY_PARTS)))
        else:
            def value(c, s, k=key):
                return s[k]
        out[key] = [c for c, _, s in sorted(every, key=lambda t: (-value(t[0], t[2]), t[0]))[:10]]
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clips", type=int, default=20000)
    parser.add_argument("--queries", type=int, default=20)
    parser.add_argument("--candidates", type=int, default=None, help="clips re-ranked exactly per query")
    parser.add_argument("--keep", type=Path, default=None,
                        help="build the clips and library in this folder, or reuse them if already there")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    warm_up()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        (root / "clips").mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        paths = make_clips(root / "clips", args.clips, rng)
        print(f"made {len(paths)} clips in {time.perf_counter() - t0:.1f} s")
        if not (root / "lib").exists():
            t0 = time.perf_counter()
            lib = MotionIndex.build(paths, root / "lib", progress=False)
            build = time.perf_counter() - t0
            n_win = lib.meta.n_windows
            print(f"build: {build:.1f} s for {len(lib)} clips / {n_win} windows ({n_win / build:,.0f} windows/s "
                  f"end to end), size {folder_mb(root / 'lib'):.0f} MB, ann {lib.meta.ann}")
        t0 = time.perf_counter()
        lib = MotionIndex.load(root / "lib")
        n_win = lib.meta.n_windows
        print(f"load: {time.perf_counter() - t0:.2f} s ({len(lib)} clips, {n_win} windows, "
              f"{folder_mb(root / 'lib'):.0f} MB)")
        picks = rng.choice(len(paths), args.queries, replace=False)
        queries = []
        for c in picks:
            clip = np.load(paths[c])
            start = int(rng.integers(0, max(1, len(clip) - 60)))
            queries.append(clip[start:start + int(rng.integers(48, 121))] + rng.normal(0, 3, clip[:1].shape))
        lib.search(queries[0], top=10)  # first call loads numba kernels
        latency = {k: [] for k in KEYS}
        recall = {k: [] for k in KEYS}
        for q in queries:
            truth = exhaustive_ranking(lib, q)
            for key in KEYS:
                t0 = time.perf_counter()
                hits = lib.search(q, part=key, top=10, **({} if args.candidates is None else
                                                          {"candidates": args.candidates}))
                latency[key].append(time.perf_counter() - t0)
                found = {h.clip for h in hits}
                recall[key].append(len(found & {lib.meta.clips[c].path for c in truth[key]}) / 10)
        for key in KEYS:
            print(f"{key:>9}: recall@10 {np.mean(recall[key]):.3f} (min {min(recall[key]):.1f}), query median "
                  f"{np.median(latency[key]) * 1000:.0f} ms, max {max(latency[key]) * 1000:.0f} ms")
        q = embed_sequences([resample(load_pose(paths[0]))], lib.model, 32, 8)[0]
        sample = np.arange(min(2000, len(lib)))
        t0 = time.perf_counter()
        rank([q], lib.parts, lib.meta.clips, sample, "overall", 1)
        dt = time.perf_counter() - t0
        mean_w = n_win / len(lib)
        print(f"exact Algorithm 1 (5 parts, {q.n_windows} x {mean_w:.0f} windows): {len(sample) / dt:,.0f} pairs/s")
        emb = clip_embedding(lib.parts, lib.meta.clips[0], 32, 8)
        assert set(emb.parts) == set(BODY_PARTS)


if __name__ == "__main__":
    main()
