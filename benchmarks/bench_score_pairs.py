"""`score-pairs` at NTU scale: 1,600 sequences of 60-120 frames (NTU refined JSON files), 20,000 pairs.

Target (issue 2): under 60 s on 2 cores, each sequence embedded once; peak memory reported. Issue 14: the
onnxruntime backend no slower than PyTorch, and where the time goes (JSON parsing, embedding, DTW), measured
by running the stages of `score_pairs` one by one in one thread after the whole command. Issue 23: under 10 s
with --flip (the median of --repeat runs; the command's own split: embedding, which overlaps reading and
preprocessing with the model, and scoring, in threads).
The data is generated into a temporary folder first (not timed).

    .venv/bin/python benchmarks/bench_score_pairs.py [--flip] [--backend onnx|torch] [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

from motionsim.clips import embed_clips
from motionsim.dtw import BULK
from motionsim.evaluate.toy import random_motion
from motionsim.io import as_pose_sequence, save_pose
from motionsim.model.runtime import resolve_model
from motionsim.pairs import index_samples, load_samples, score_pairs
from motionsim.similarity import compare_embeddings


def make_dataset(root: Path, n_seq: int, n_pairs: int, rng: np.random.Generator) -> Path:
    for i in range(n_seq):
        action = root / f"A{i % 21:03d}"
        action.mkdir(exist_ok=True)
        seq = as_pose_sequence(random_motion(int(rng.integers(60, 121)), rng))
        save_pose(seq, action / f"S{i:05d}.json")
    pairs = root / "pairs.csv"
    a, b = rng.integers(0, n_seq, n_pairs), rng.integers(0, n_seq, n_pairs)
    lines = ["num,sample1,sample2,AMT_score"] + [f"{k},S{i:05d},S{j:05d},1" for k, (i, j) in enumerate(zip(a, b))]
    pairs.write_text("\n".join(lines) + "\n")
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--flip", action="store_true")
    parser.add_argument("--sequences", type=int, default=1600)
    parser.add_argument("--pairs", type=int, default=20000)
    parser.add_argument("--backend", choices=["onnx", "torch"], default="onnx")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the whole command (the median is reported)")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    ckpt = resolve_model(None, args.backend)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        pairs = make_dataset(root, args.sequences, args.pairs, rng)
        print(f"made {args.sequences} JSON sequences and {args.pairs} pairs in {time.perf_counter() - t0:.1f} s")
        runs = []
        for _ in range(max(1, args.repeat)):
            t0, c0 = time.perf_counter(), time.process_time()
            summary = score_pairs(pairs, root, root / "out.csv", ckpt, window=32, stride=2, flip=args.flip,
                                  progress=False)
            runs.append((time.perf_counter() - t0, time.process_time() - c0, summary))
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        stages = _stages(root, pairs, ckpt, args.flip)
    elapsed, cpu, summary = sorted(runs, key=lambda run: run[0])[len(runs) // 2]
    print(f"score-pairs (w=32, r=2, flip={args.flip}, {ckpt.backend} {ckpt.name}): {summary.n_scored} pairs from "
          f"{summary.n_sequences} sequences in {elapsed:.1f} s, the median of {len(runs)} runs "
          f"({', '.join(f'{run[0]:.1f}' for run in runs)} s); {summary.n_scored / elapsed:,.0f} pairs/s; "
          f"CPU {cpu:.1f} s; "
          + ", ".join(f"{k} {v:.1f} s" for k, v in summary.seconds.items())
          + f"; peak RSS {peak_mb:.0f} MB; load average {os.getloadavg()[0]:.1f}")
    print("one stage at a time in one thread, where the CPU goes (wall / CPU): "
          + ", ".join(f"{k} {w:.1f} / {c:.1f} s" for k, (w, c) in stages.items()))


def _stages(root: Path, pairs: Path, ckpt, flip: bool) -> dict[str, float]:
    """The same work as `score_pairs`, stage by stage (the files are in the OS cache by now, as they were)."""
    import csv

    rows = list(csv.DictReader(pairs.open()))
    names = sorted({r["sample1"] for r in rows} | {r["sample2"] for r in rows})
    index = index_samples(root)
    t0, c0 = time.perf_counter(), time.process_time()
    load_samples(names, index, progress=False)
    t1, c1 = time.perf_counter(), time.process_time()
    clips, _ = embed_clips([str(index[n]) for n in names], ckpt, 32, 2, flips=(None, "body") if flip else (None,))
    embeddings = {n: clips[str(index[n])].variants for n in names}
    t2, c2 = time.perf_counter(), time.process_time()
    for row in rows:
        a, b = embeddings[row["sample1"]], embeddings[row["sample2"]]
        compare_embeddings(a[0], b[0], a[1] if flip else None, timeline=False, kernel=BULK)
    t3, c3 = time.perf_counter(), time.process_time()
    return {"reading JSON": (t1 - t0, c1 - c0),
            "preprocessing + embedding": ((t2 - t1) - (t1 - t0), (c2 - c1) - (c1 - c0)),
            "scoring (cosines + DTW)": (t3 - t2, c3 - c2)}


if __name__ == "__main__":
    main()
