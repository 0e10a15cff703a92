"""Engines: pair scoring in blocks equals in-process scoring byte for byte, fetches only the blocks a task
scores, resumes, and survives a lost Ray worker, during embedding or scoring."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from motionsim import pairs
from motionsim.cli import main
from motionsim.engine import LocalEngine, ShardStore, run_shards
from motionsim.evaluate.toy import random_motion
from motionsim.model.runtime import resolve_model

SMALL = {"clip_block": 5, "pair_shard": 20}  # 24 clips: 5 blocks


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("pairs")
    rng = np.random.default_rng(3)
    for i in range(24):
        np.save(root / f"S{i:03d}.npy", random_motion(int(rng.integers(40, 90)), rng))
    a, b = rng.integers(0, 25, 150), rng.integers(0, 24, 150)  # S024 does not exist: a failed pair or two
    lines = ["num,sample1,sample2"] + [f"{k},S{i:03d},S{j:03d}" for k, (i, j) in enumerate(zip(a, b))]
    (root / "pairs.csv").write_text("\n".join(lines) + "\n")
    return root


@pytest.fixture(scope="module")
def local_csv(dataset) -> bytes:
    assert main(["score-pairs", str(dataset / "pairs.csv"), "--skeletons", str(dataset), "--flip",
                 "--out", str(dataset / "local.csv")]) == 0
    return (dataset / "local.csv").read_bytes()


def test_blocks_fetch_only_what_they_score(dataset, local_csv, tmp_path):
    tasks = []

    class Watching(LocalEngine):
        def map(self, fn, shards, shared, indices):
            for i in indices:
                tasks.append(shards[i])
            yield from super().map(fn, shards, shared, indices)

    out = tmp_path / "blocks.csv"
    pairs.score_pairs(dataset / "pairs.csv", dataset, out, resolve_model(None), flip=True, progress=False,
                      engine=Watching(), **SMALL)
    assert out.read_bytes() == local_csv
    scoreable = [line for line in (dataset / "pairs.csv").read_text().splitlines()[1:] if ",S024," not in line]
    assert len(tasks) > 5 and sum(len(t.pairs) for t in tasks) == len(scoreable)
    for task in tasks:
        assert 1 <= len(task.handles) <= 2 and len(task.pairs) <= 20
        fetched = {path for handle in task.handles for path in handle}  # in-process a handle is the block
        assert len(fetched) <= 10  # one or two blocks of 5 clips, never every clip
        assert {p for _, a, b in task.pairs for p in (a, b)} <= fetched


@pytest.mark.parametrize("threads", [1, 3])
def test_threads_never_change_the_output(dataset, local_csv, tmp_path, monkeypatch, threads):
    """Clips read ahead in a thread while the model embeds (on one onnxruntime thread), pairs scored in
    several threads, or everything in one: the same CSV, byte for byte."""
    from motionsim import clips

    monkeypatch.setattr(clips, "PREPARE_BATCH", 3)
    monkeypatch.setattr(pairs, "PAIRS_PER_THREAD", 2)
    prepared = []
    real = clips._prepare_clips
    monkeypatch.setattr(clips, "_prepare_clips", lambda *a: prepared.append(a[0]) or real(*a))

    class Threads(LocalEngine):
        task_threads = threads

    out = tmp_path / f"threads-{threads}.csv"
    pairs.score_pairs(dataset / "pairs.csv", dataset, out, resolve_model(None), flip=True, progress=False,
                      engine=Threads())
    assert out.read_bytes() == local_csv
    assert len(prepared) == 8 and all(len(batch) <= 3 for batch in prepared)  # 24 clips, 3 at a time


def test_sharded_local_run_is_identical_and_resumes(dataset, local_csv, tmp_path):
    calls = []

    class Interrupted(LocalEngine):
        """Dies (as Ctrl-C would) after three pair shards."""

        def map(self, fn, shards, shared, indices):
            for i, value in super().map(fn, shards, shared, indices):
                calls.append((fn.__name__, i))
                if fn.__name__ == "score_block" and len([c for c in calls if c[0] == "score_block"]) > 3:
                    raise KeyboardInterrupt
                yield i, value

    out, work = tmp_path / "out.csv", tmp_path / ".out.csv.work"
    ckpt = resolve_model(None)
    with pytest.raises(KeyboardInterrupt):
        pairs.score_pairs(dataset / "pairs.csv", dataset, out, ckpt, flip=True, progress=False,
                          engine=Interrupted(), work_dir=work, **SMALL)
    assert not out.exists() and len(list(work.glob("pairs-*.pkl"))) == 3
    assert len(list(work.glob("clips-*.pkl"))) == len(list(work.glob("clipdata-*.pkl"))) == 5
    assert [c for c in calls if c[0] == "score_block"] == [("score_block", i) for i in range(4)]
    run_again = []

    class Resumed(LocalEngine):
        def map_kept(self, fn, shards, shared, indices):
            run_again.append((fn.__name__, list(indices)))
            yield from super().map_kept(fn, shards, shared, indices)

        def map(self, fn, shards, shared, indices):
            run_again.append((fn.__name__, list(indices)))
            yield from super().map(fn, shards, shared, indices)

    pairs.score_pairs(dataset / "pairs.csv", dataset, out, ckpt, flip=True, progress=False, engine=Resumed(),
                      work_dir=work, **SMALL)
    assert out.read_bytes() == local_csv and not work.exists()
    (embed_name, embedded_again), (score_name, scored_again) = run_again
    assert embed_name == "embed_block" and embedded_again == []  # every block is read back from the work folder
    assert score_name == "score_block" and scored_again[:1] == [3]  # shards 0-2 are not scored again
    assert scored_again == list(range(3, 3 + len(scored_again)))


def test_store_skips_finished_shards(tmp_path):
    store = ShardStore(tmp_path / "w", "job-1")
    assert run_shards(LocalEngine(), _square, [1, 2, 3], None, store) == [1, 4, 9]
    assert run_shards(LocalEngine(), _boom, [1, 2, 3], None, store) == [1, 4, 9]  # nothing rerun
    assert ShardStore(tmp_path / "w", "job-2").finished("shard") == 0  # another job starts afresh


def _square(x: int, _shared: object) -> int:
    return x * x


def _boom(x: int, _shared: object) -> int:
    raise AssertionError("a finished shard was run again")


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="ray not installed")
def test_ray_engine_matches_local_and_survives_a_lost_worker(dataset, local_csv, tmp_path):
    import ray

    from motionsim.engine.ray_engine import RayEngine

    try:
        out = tmp_path / "ray.csv"
        assert main(["score-pairs", str(dataset / "pairs.csv"), "--skeletons", str(dataset), "--flip",
                     "--out", str(out), "--engine", "ray"]) == 0
        assert ray.is_initialized() and ray.get_runtime_context().gcs_address.startswith("127.0.0.1")
        assert out.read_bytes() == local_csv
        for stage in ("embed_block", "score_block"):  # a worker dies while embedding, or while scoring
            marker = tmp_path / f"worker-killed-in-{stage}"
            engine = RayEngine(fault_marker=str(marker), fault_in=stage)
            out2 = tmp_path / f"ray-{stage}.csv"
            pairs.score_pairs(dataset / "pairs.csv", dataset, out2, resolve_model(None), flip=True, progress=False,
                              engine=engine, work_dir=tmp_path / f".ray-{stage}.work", clip_block=8, pair_shard=20)
            assert marker.exists()  # the worker died mid-run; Ray retried its task
            assert out2.read_bytes() == local_csv
    finally:
        ray.shutdown()


def test_an_engine_that_does_not_say_its_threads_runs_its_tasks_on_one(dataset, local_csv, tmp_path):
    from motionsim.engine import task_threads

    class Plain:  # an engine of the caller's own, written before `Engine.task_threads`
        name = "plain"
        _local = LocalEngine()

        def __getattr__(self, attr):
            if attr == "task_threads":
                raise AttributeError(attr)
            return getattr(self._local, attr)

    assert task_threads(Plain()) == 1 and task_threads(LocalEngine()) >= 1
    out = tmp_path / "plain.csv"
    pairs.score_pairs(dataset / "pairs.csv", dataset, out, resolve_model(None), flip=True, progress=False,
                      engine=Plain())
    assert out.read_bytes() == local_csv
