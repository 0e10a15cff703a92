"""`score-pairs` on the Ray engine (2 local workers) against the in-process run, checking that both CSVs are
byte-identical, in two settings:

1. the 20,000-pair benchmark of bench_score_pairs.py (1,600 NTU JSON clips, r = 2): time;
2. pair scoring in blocks beyond the object store (issue 27): clips whose embeddings (r = 2, with --flip)
   are several times a deliberately small object store; peak memory of the whole process tree (this
   process, Ray's processes and workers: the sum of their proportional set sizes, sampled every 0.2 s) and
   the bytes Ray spilled to disk, against the embeddings' size and the in-process run's peak.

The Ray times include starting the private cluster on 127.0.0.1 and the workers loading the model.

    .venv/bin/python benchmarks/bench_ray.py [--sequences 1600] [--pairs 20000] [--big-clips 3000]
        [--big-pairs 30000] [--object-store-mb 128] [--skip-small]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from motionsim.engine.ray_engine import RayEngine
from motionsim.evaluate.toy import random_motion
from motionsim.io import as_pose_sequence, save_pose
from motionsim.model.runtime import resolve_model
from motionsim.pairs import score_pairs


def make_dataset(root: Path, n_seq: int, n_pairs: int, rng: np.random.Generator) -> Path:
    """bench_score_pairs.py's data: NTU refined JSON clips of 60-120 frames in 21 action folders, random pairs."""
    for i in range(n_seq):
        action = root / f"A{i % 21:03d}"
        action.mkdir(exist_ok=True)
        save_pose(as_pose_sequence(random_motion(int(rng.integers(60, 121)), rng)), action / f"S{i:05d}.json")
    pairs = root / "pairs.csv"
    a, b = rng.integers(0, n_seq, n_pairs), rng.integers(0, n_seq, n_pairs)
    lines = ["num,sample1,sample2,AMT_score"] + [f"{k},S{i:05d},S{j:05d},1" for k, (i, j) in enumerate(zip(a, b))]
    pairs.write_text("\n".join(lines) + "\n")
    return pairs


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            tree.setdefault(ppid, []).append(int(entry))
    return tree


def tree_pss(root: int) -> int:
    """Bytes: the proportional set size of ``root`` and all its descendants (shared pages counted once)."""
    tree, todo, total = _children(), [root], 0
    while todo:
        pid = todo.pop()
        todo.extend(tree.get(pid, []))
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
                    break
        except OSError:
            continue
    return total


class PeakMemory:
    """Samples `tree_pss` of this process, and the bytes Ray has spilled to disk (`spilled_bytes`), every
    ``every`` seconds while in a ``with`` block; keeps the peaks."""

    def __init__(self, every: float = 0.2) -> None:
        self.every, self.peak, self.spilled = every, 0, 0
        self._stop = threading.Event()

    def __enter__(self) -> PeakMemory:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_pss(os.getpid()))
            self.spilled = max(self.spilled, spilled_bytes())
            self._stop.wait(self.every)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def spilled_bytes() -> int:
    """Bytes now in the spill folders of this process's Ray session (0 without one)."""
    import ray

    try:
        session = Path(ray._private.worker.global_worker.node.get_session_dir_path())  # noqa: SLF001
    except Exception:  # noqa: BLE001 - not connected (yet)
        return 0
    total = 0
    for folder in session.glob("ray_spilled_objects*"):
        for f in folder.rglob("*"):
            try:
                total += f.stat().st_size if f.is_file() else 0
            except OSError:  # deleted while counted
                continue
    return total


def make_big(root: Path, n_clips: int, n_pairs: int, rng: np.random.Generator) -> tuple[Path, int]:
    """Clips of 150-300 frames (.npy) and random pairs; returns (pairs CSV, bytes of their embeddings at r = 2
    with --flip: windows x 1,536 floats x 4 bytes x 2 variants)."""
    windows = 0
    for i in range(n_clips):
        frames = int(rng.integers(150, 301))
        np.save(root / f"C{i:05d}.npy", random_motion(frames, rng).astype(np.float32))
        windows += -(-(frames - 31) // 2)
    a, b = rng.integers(0, n_clips, n_pairs), rng.integers(0, n_clips, n_pairs)
    lines = ["num,sample1,sample2"] + [f"{k},C{i:05d},C{j:05d}" for k, (i, j) in enumerate(zip(a, b))]
    (root / "pairs.csv").write_text("\n".join(lines) + "\n")
    return root / "pairs.csv", windows * 1536 * 4 * 2


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sequences", type=int, default=1600)
    parser.add_argument("--pairs", type=int, default=20000)
    parser.add_argument("--big-clips", type=int, default=3000)
    parser.add_argument("--big-pairs", type=int, default=30000)
    parser.add_argument("--object-store-mb", type=int, default=128)
    parser.add_argument("--skip-small", action="store_true", help="only the run beyond the object store")
    args = parser.parse_args()
    import ray

    ckpt = resolve_model(None)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at start", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if not args.skip_small:
            small = root / "small"
            small.mkdir()
            pairs = make_dataset(small, args.sequences, args.pairs, np.random.default_rng(0))
            t0 = time.perf_counter()
            score_pairs(pairs, small, root / "local.csv", ckpt, progress=False)
            local = time.perf_counter() - t0
            t0 = time.perf_counter()
            score_pairs(pairs, small, root / "ray.csv", ckpt, progress=False, engine=RayEngine(num_cpus=2),
                        work_dir=root / ".ray.work")
            remote = time.perf_counter() - t0
            ray.shutdown()
            same = (root / "local.csv").read_bytes() == (root / "ray.csv").read_bytes()
            print(f"score-pairs {args.pairs} pairs / {args.sequences} clips: local {local:.1f} s, ray (2 workers, "
                  f"incl. start-up) {remote:.1f} s ({remote / local - 1:+.0%}); byte-identical: {same}", flush=True)

        big = root / "big"
        big.mkdir()
        pairs, emb_bytes = make_big(big, args.big_clips, args.big_pairs, np.random.default_rng(1))
        store = args.object_store_mb * 2**20
        print(f"blocks: {args.big_clips} clips (150-300 frames), {args.big_pairs} pairs, r = 2 with --flip: "
              f"embeddings {emb_bytes / 2**20:,.0f} MiB, object store {args.object_store_mb} MiB", flush=True)
        base = tree_pss(os.getpid())
        with PeakMemory() as remote_peak:
            t0 = time.perf_counter()
            summary = score_pairs(pairs, big, root / "big-ray.csv", ckpt, flip=True, progress=False,
                                  engine=RayEngine(num_cpus=2, object_store_memory=store))
            remote = time.perf_counter() - t0
        ray.shutdown()
        print(f"  ray, 2 workers: {summary.n_scored} pairs in {remote:.0f} s ({summary.n_scored / remote:,.0f} "
              f"pairs/s); peak memory of all processes {remote_peak.peak / 2**20:,.0f} MiB (this process "
              f"{base / 2**20:,.0f} MiB before); at most {remote_peak.spilled / 2**20:,.0f} MiB spilled to disk at "
              f"once", flush=True)
        with PeakMemory() as local_peak:
            t0 = time.perf_counter()
            score_pairs(pairs, big, root / "big-local.csv", ckpt, flip=True, progress=False)
            local = time.perf_counter() - t0
        same = (root / "big-local.csv").read_bytes() == (root / "big-ray.csv").read_bytes()
        print(f"load average {os.getloadavg()[0]:.1f} at the end", flush=True)
        print(f"  in-process: {local:.0f} s ({summary.n_scored / local:,.0f} pairs/s, "
              f"{summary.n_scored / local / 2:,.0f} per core); peak memory {local_peak.peak / 2**20:,.0f} MiB; "
              f"byte-identical CSV: {same}", flush=True)


if __name__ == "__main__":
    main()
