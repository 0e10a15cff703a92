"""Engines: sharded scoring equals in-process scoring byte for byte, resumes, and survives a lost Ray worker."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from motionsim import clips, pairs
from motionsim.cli import main
from motionsim.engine import LocalEngine, ShardStore, run_shards
from motionsim.evaluate.toy import random_motion
from motionsim.model.runtime import resolve_model


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


def test_sharded_local_run_is_identical_and_resumes(dataset, local_csv, tmp_path, monkeypatch):
    monkeypatch.setattr(clips, "CLIP_SHARD", 5)
    monkeypatch.setattr(pairs, "PAIR_SHARD", 20)
    calls = []

    class Interrupted(LocalEngine):
        """Dies (as Ctrl-C would) after three pair shards."""

        def map(self, fn, shards, shared, indices):
            for i, value in super().map(fn, shards, shared, indices):
                calls.append((fn.__name__, i))
                if fn.__name__ == "score_shard" and len([c for c in calls if c[0] == "score_shard"]) > 3:
                    raise KeyboardInterrupt
                yield i, value

    out, work = tmp_path / "out.csv", tmp_path / ".out.csv.work"
    ckpt = resolve_model(None)
    with pytest.raises(KeyboardInterrupt):
        pairs.score_pairs(dataset / "pairs.csv", dataset, out, ckpt, flip=True, progress=False,
                          engine=Interrupted(), work_dir=work)
    assert not out.exists() and len(list(work.glob("pairs-*.pkl"))) == 3
    done_before = len(calls)
    calls.clear()
    pairs.score_pairs(dataset / "pairs.csv", dataset, out, ckpt, flip=True, progress=False, engine=LocalEngine(),
                      work_dir=work)
    assert out.read_bytes() == local_csv
    assert not work.exists() and done_before > 3


def test_store_skips_finished_shards(tmp_path):
    store = ShardStore(tmp_path / "w", "job-1")
    assert run_shards(LocalEngine(), _square, [1, 2, 3], None, store) == [1, 4, 9]
    assert run_shards(LocalEngine(), _boom, [1, 2, 3], None, store) == [1, 4, 9]  # nothing rerun
    assert ShardStore(tmp_path / "w", "job-2").finished("shard") == 0  # another job starts afresh


def _square(x: int, _shared: object) -> int:
    return x * x


def _boom(x: int, _shared: object) -> int:
    raise AssertionError("a finished shard was run again")


@pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="ray not installed")
def test_ray_engine_matches_local_and_survives_a_lost_worker(dataset, local_csv, tmp_path, monkeypatch):
    import ray

    from motionsim.engine.ray_engine import RayEngine

    monkeypatch.setattr(clips, "CLIP_SHARD", 8)
    monkeypatch.setattr(pairs, "PAIR_SHARD", 50)
    try:
        out = tmp_path / "ray.csv"
        assert main(["score-pairs", str(dataset / "pairs.csv"), "--skeletons", str(dataset), "--flip",
                     "--out", str(out), "--engine", "ray"]) == 0
        assert ray.is_initialized() and ray.get_runtime_context().gcs_address.startswith("127.0.0.1")
        assert out.read_bytes() == local_csv
        marker = tmp_path / "worker-killed"
        engine = RayEngine(fault_marker=str(marker))
        out2 = tmp_path / "ray2.csv"
        pairs.score_pairs(dataset / "pairs.csv", dataset, out2, resolve_model(None), flip=True, progress=False,
                          engine=engine, work_dir=tmp_path / ".ray2.work")
        assert marker.exists()  # one worker died mid-run; Ray retried its task
        assert out2.read_bytes() == local_csv
    finally:
        ray.shutdown()
