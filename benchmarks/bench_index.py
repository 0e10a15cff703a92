"""Motion library search (issues 16 and 27): build time and size of a library of synthetic clips (60-300
frames), load time, query latency after loading, and recall@10 of the search against exhaustive Algorithm 1
on float32 embeddings over the whole library, overall and per part. Also exact Algorithm 1 pairs/s on one
core for docs/scale.md.

    .venv/bin/python benchmarks/bench_index.py [--clips 20000] [--queries 30] [--shards N] [--engine ray]
        [--keep DIR]

With ``--keep DIR`` the clips, the library and the reference are made once in DIR and reused by later runs
(a 200,000-clip library takes ~13 GB there, its clips 7 GB).

The reference is computed once, while the library is built (`Reference`; its time is measured and left out
of the build time): for each query, every clip's float32 windows are scored by the compiled scan (equal to
exact scoring within 1e-6) and the best 30 per key re-scored exactly (`search.rank`); the top 10 of that are
exhaustive Algorithm 1's on float32. It is kept in DIR/truth-<shards>-<queries>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from motionsim.dtw import warm_up
from motionsim.embed import embed_sequences
from motionsim.evaluate.toy import random_motion
from motionsim.index import KEYS, MotionIndex, ShardedIndex, open_library
from motionsim.index.embedding import embed_into, record_of
from motionsim.index.search import SKETCH_PROPOSALS, SKETCH_SHARE, clip_weights, rank, scan, sketch_scan
from motionsim.index.sharded import Manifest, ShardedWriter, shard_name
from motionsim.index.store import ClipRecord, LibraryMeta
from motionsim.index.writer import LibraryWriter
from motionsim.io import as_pose_sequence
from motionsim.model.runtime import resolve_model
from motionsim.resample import resample
from motionsim.skeleton import BODY_PARTS

CHUNK_CLIPS = 10_000  # clips the reference scores at a time


def make_clips(folder: Path, n: int, rng: np.random.Generator) -> list[str]:
    """``n`` synthetic clips, written once (a later run with the same folder reuses them)."""
    folder.mkdir(parents=True, exist_ok=True)
    done = folder / f"made-{n}"
    paths = [str(folder / f"clip{i:06d}.npy") for i in range(n)]
    lengths = rng.integers(60, 301, n)
    if not done.exists():
        for path, length in zip(paths, lengths):
            np.save(path, random_motion(int(length), rng).astype(np.float32))
        done.touch()
    return paths


def folder_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


class Reference:
    """Exhaustive Algorithm 1 on float32 for the queries, computed while the library is built: every clip's
    float32 windows (as the network gives them, before the library stores them in float16) are scored for
    every query, a chunk of clips at a time, by the compiled scan (equal to exact scoring within 1e-6); the best
    `KEPT` per query and key keep their windows, and are re-scored exactly (`search.rank`) at the end."""

    KEPT = 30

    def __init__(self, queries: list[list]) -> None:
        self.queries = queries
        self.buffer: list = []
        self.n_clips = 0
        self.best: list[dict[str, list[tuple[float, int]]]] = [{k: [] for k in KEYS} for _ in queries]
        self.kept: dict[int, tuple[ClipRecord, dict[str, np.ndarray]]] = {}
        self.seconds = 0.0

    def add(self, clip) -> None:
        t0 = time.perf_counter()
        self.buffer.append(clip)
        if len(self.buffer) == CHUNK_CLIPS:
            self._score()
        self.seconds += time.perf_counter() - t0

    def _score(self) -> None:
        if not self.buffer:
            return
        records, row = [], 0
        for clip in self.buffer:
            records.append(record_of(clip, row))
            row += records[-1].n_windows
        tables = {p: np.concatenate([c.variants[0].parts[p] for c in self.buffer]) for p in BODY_PARTS}
        first = self.n_clips
        for qi, q in enumerate(self.queries):
            per_part = {p: scan(q, tables, records, p) for p in BODY_PARTS}
            weights = clip_weights(q[0], records)
            per_part["overall"] = sum(weights[:, k] * per_part[p] for k, p in enumerate(BODY_PARTS))
            for key in KEYS:
                scored = self.best[qi][key] + [(float(v), first + c) for c, v in enumerate(per_part[key])]
                self.best[qi][key] = sorted(scored, key=lambda t: (-t[0], t[1]))[:self.KEPT]
        wanted = {c for per_query in self.best for top in per_query.values() for _, c in top}
        self.kept = {c: v for c, v in self.kept.items() if c in wanted}
        for c in wanted - set(self.kept):
            clip = self.buffer[c - first]
            # copies: a clip's windows are views of its whole shard's batch, which they would keep alive
            self.kept[c] = (record_of(clip, 0), {p: np.array(clip.variants[0].parts[p]) for p in BODY_PARTS})
        self.n_clips += len(self.buffer)
        self.buffer = []
        print(f"  reference: {self.n_clips} clips scored", flush=True)

    def finish(self) -> list[dict[str, list[str]]]:
        """Per query and key, the paths of exhaustive Algorithm 1's top 10."""
        t0 = time.perf_counter()
        self._score()
        numbers = sorted(self.kept)
        records, row = [], 0
        for c in numbers:
            record = self.kept[c][0]
            records.append(ClipRecord(record.path, record.frames, record.fps, row, record.n_windows, record.movement))
            row += record.n_windows
        tables = {p: np.concatenate([self.kept[c][1][p] for c in numbers]) for p in BODY_PARTS}
        position = {c: i for i, c in enumerate(numbers)}
        truth = []
        for qi, q in enumerate(self.queries):
            truth.append({key: [records[i].path for i, _, _ in
                                rank(q, tables, records, sorted(position[c] for _, c in self.best[qi][key]), key, 10)]
                          for key in KEYS})
        self.seconds += time.perf_counter() - t0
        return truth


def build(paths: list[str], lib: Path, shards: int, reference: Reference) -> list[dict[str, list[str]]]:
    """The library (as `index build` writes it) and the exhaustive reference of the queries."""
    model = resolve_model(None)
    if shards > 1:
        manifest = Manifest(model.name, 32, 8, [{"folder": shard_name(i), "clips": 0, "windows": 0}
                                                for i in range(shards)])
        writer = ShardedWriter(lib, manifest, [LibraryMeta(model.name, 32, 8) for _ in range(shards)])
    else:
        writer = LibraryWriter(lib, LibraryMeta(model.name, 32, 8))

    def both(clip) -> None:
        writer.add(clip)
        reference.add(clip)

    t0 = time.perf_counter()
    embed_into(paths, model, 32, 8, None, False, lib.parent, both)
    writer.finish()
    truth = reference.finish()
    total = time.perf_counter() - t0
    built = total - reference.seconds
    n_clips = reference.n_clips
    size = folder_bytes(lib)
    print(f"build: {built:.0f} s for {n_clips} clips ({n_clips / built:,.0f} clips/s end to end, {shards} "
          f"shard(s)), size {size / 1e9:.2f} GB ({size / n_clips / 1e3:.1f} KB per clip); the reference took "
          f"another {reference.seconds:.0f} s", flush=True)
    return truth


def make_queries(paths: list[str], n: int, rng: np.random.Generator) -> list[np.ndarray]:
    queries = []
    for c in rng.choice(len(paths), n, replace=False):
        clip = np.load(paths[c])
        start = int(rng.integers(0, max(1, len(clip) - 60)))
        queries.append(clip[start:start + int(rng.integers(48, 121))] + rng.normal(0, 3, clip[:1].shape))
    return queries


def proposal_margin(shards: list[MotionIndex], queries: list[np.ndarray], truth: list[dict[str, list[str]]],
                    model) -> None:
    """Per key, the worst position (1-based, within its shard) at which the sketch scan ranks a clip of the
    exact top 10, against the proposals a shard hands to the exact scan."""
    where = {c.path: (s, i) for s, shard in enumerate(shards) for i, c in enumerate(shard.meta.clips)}
    for key in KEYS:
        worst = []
        for q, expected in zip(queries, truth):
            embedded = embed_sequences([resample(as_pose_sequence(q))], model, 32, 8, pad_short=True)
            order = [np.argsort(-sketch_scan(embedded, shard.sketches, shard.meta.clips, key), kind="stable")
                     for shard in shards]
            position = [np.empty(len(o), np.int64) for o in order]
            for pos, o in zip(position, order):
                pos[o] = np.arange(1, len(o) + 1)
            worst.append(max(int(position[s][i]) for s, i in (where[p] for p in expected[key])))
        proposals = max(SKETCH_PROPOSALS, int(np.ceil(len(shards[0]) * SKETCH_SHARE)))
        print(f"{key:>9}: the sketch scan ranks the exact top 10 within its first {max(worst)} clips of a shard "
              f"(median query {np.median(worst):.0f}, 90 % {np.percentile(worst, 90):.0f}); a shard proposes "
              f"{proposals} of {len(shards[0])}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clips", type=int, default=20000)
    parser.add_argument("--queries", type=int, default=30)
    parser.add_argument("--shards", type=int, default=1, help="build the library in this many shards")
    parser.add_argument("--engine", choices=["local", "ray"], default="local", help="search the shards on this engine")
    parser.add_argument("--candidates", type=int, default=None, help="clips re-ranked exactly per query")
    parser.add_argument("--keep", type=Path, default=None,
                        help="make the clips, the library and the reference in this folder, or reuse them")
    parser.add_argument("--margin", action="store_true",
                        help="also report where the sketch scan ranks the exact top 10 (the proposals' margin)")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    warm_up()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at start", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        t0 = time.perf_counter()
        paths = make_clips(root / "clips", args.clips, rng)
        print(f"clips: {len(paths)} ready in {time.perf_counter() - t0:.0f} s", flush=True)
        lib_dir = root / f"lib-{args.shards}"
        queries = make_queries(paths, args.queries, rng)
        truth_file = root / f"truth-{args.shards}-{args.queries}.json"
        if not lib_dir.exists():  # built under another name first: an interrupted build is never reused
            model = resolve_model(None)
            embedded = [embed_sequences([resample(as_pose_sequence(q))], model, 32, 8, pad_short=True)
                        for q in queries]
            partial = lib_dir.with_name(lib_dir.name + ".partial")
            shutil.rmtree(partial, ignore_errors=True)
            truth_file.write_text(json.dumps(build(paths, partial, args.shards, Reference(embedded))))
            partial.rename(lib_dir)
        truth = json.loads(truth_file.read_text())
        engine = None
        if args.engine == "ray":
            from motionsim.engine.ray_engine import RayEngine

            engine = RayEngine()
        t0 = time.perf_counter()
        lib = open_library(lib_dir, engine=engine)
        if isinstance(lib, ShardedIndex):
            lib.start()
        print(f"load: {time.perf_counter() - t0:.2f} s ({len(lib)} clips, {folder_bytes(lib_dir) / 1e9:.2f} GB, "
              f"{args.shards} shard(s), engine {args.engine})", flush=True)
        t0 = time.perf_counter()
        lib.search(queries[0], top=10)  # the first call loads numba kernels and warms the page cache
        print(f"first query: {time.perf_counter() - t0:.2f} s", flush=True)
        latency = {k: [] for k in KEYS}
        cpu = {k: [] for k in KEYS}
        recall = {k: [] for k in KEYS}
        for q, expected in zip(queries, truth):
            for key in KEYS:
                t0, c0 = time.perf_counter(), time.process_time()
                hits = lib.search(q, part=key, top=10, **({} if args.candidates is None else
                                                          {"candidates": args.candidates}))
                latency[key].append(time.perf_counter() - t0)
                cpu[key].append(time.process_time() - c0)
                recall[key].append(len({h.clip for h in hits} & set(expected[key])) / 10)
        print(f"load average {os.getloadavg()[0]:.1f} after the queries", flush=True)
        for key in KEYS:
            print(f"{key:>9}: recall@10 {np.mean(recall[key]):.3f} (min {min(recall[key]):.1f}), query median "
                  f"{np.median(latency[key]) * 1000:.0f} ms, p90 {np.percentile(latency[key], 90) * 1000:.0f} ms, "
                  f"max {max(latency[key]) * 1000:.0f} ms; CPU time of this process per query (median) "
                  f"{np.median(cpu[key]) * 1000:.0f} ms", flush=True)
        if isinstance(lib, ShardedIndex):
            lib.close()
            shard = MotionIndex.load(lib_dir / shard_name(0))
        else:
            shard = lib
        if args.margin:
            folders = lib.shard_folders() if isinstance(lib, ShardedIndex) else [lib_dir]
            proposal_margin([MotionIndex.open(f) for f in folders], queries, truth, shard.model)
        q = embed_sequences([resample(as_pose_sequence(np.load(paths[0])))], shard.model, 32, 8)[0]
        sample = np.arange(min(2000, len(shard)))
        t0 = time.perf_counter()
        rank([q], shard.parts, shard.meta.clips, sample, "overall", 1)
        dt = time.perf_counter() - t0
        mean_w = shard.meta.n_windows / len(shard)
        print(f"exact Algorithm 1 (5 parts, {q.n_windows} x {mean_w:.0f} windows, float16 library): "
              f"{len(sample) / dt:,.0f} pairs/s on one core")


if __name__ == "__main__":
    main()
