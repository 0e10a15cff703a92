"""`evaluate ntu` on engines: sharded runs equal the in-process run byte for byte, resume after an interruption,
and survive a lost Ray worker."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from motionsim.cli import main
from motionsim.engine import LocalEngine
from motionsim.evaluate import evaluate_ntu
from motionsim.evaluate.toy import write_toy_benchmark

METHODS = "joint_angles,joint_distance,lstm,whole_body,bpe"


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    return write_toy_benchmark(tmp_path_factory.mktemp("toy"), clips_per_action=3, n_pairs=160, seed=1)


def _ntu(toy, out: Path, *extra: str) -> dict:
    """Run the CLI with --json; the printed object."""
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["evaluate", "ntu", "--skeletons", str(toy.skeletons), "--pairs", str(toy.pairs),
                     "--methods", METHODS, "--out", str(out), "--json", *extra]) == 0
    return json.loads(buf.getvalue())


def _numbers(report: dict) -> dict:
    return {k: (v["original"], v["body_flip"], v["pairs"]) for k, v in report["methods"].items()}


@pytest.fixture(scope="module")
def local(toy, tmp_path_factory):
    out = tmp_path_factory.mktemp("local") / "local.csv"
    report = _ntu(toy, out)
    return out.read_bytes(), _numbers(report)


SMALL = {"prep_shard": 8, "pair_shard": 40}  # several shards of every kind (the defaults make one of each here)


def test_sharded_local_run_is_identical_and_resumes(toy, local, tmp_path):
    calls: list[str] = []

    class Interrupted(LocalEngine):
        """Dies (as Ctrl-C would) after five pair-scoring shards."""

        def map(self, fn, shards, shared, indices):
            for i, value in super().map(fn, shards, shared, indices):
                calls.append(fn.__name__)
                if calls.count("score_method_shard") > 5:
                    raise KeyboardInterrupt
                yield i, value

    class Counting(LocalEngine):
        def map(self, fn, shards, shared, indices):
            calls.extend(fn.__name__ for _ in indices)
            yield from super().map(fn, shards, shared, indices)

    out, work = tmp_path / "out.csv", tmp_path / ".out.csv.work"
    methods = METHODS.split(",")
    with pytest.raises(KeyboardInterrupt):
        evaluate_ntu(toy.skeletons, toy.pairs, methods, progress=False, engine=Interrupted(), work_dir=work, **SMALL)
    assert not out.exists() and len(list(work.glob("score*-*.pkl"))) == 5
    calls.clear()
    ev = evaluate_ntu(toy.skeletons, toy.pairs, methods, progress=False, engine=Counting(), work_dir=work, **SMALL)
    n_pair_shards = len(methods) * -(-160 // 40)
    assert calls.count("score_method_shard") == n_pair_shards - 5  # finished shards were not scored again
    ev.write_csv(out)
    assert out.read_bytes() == local[0]
    assert {r.name: (r.to_dict()["original"], r.to_dict()["body_flip"], r.pairs) for r in ev.results} == local[1]
    assert not work.exists()


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="ray not installed")
def test_ray_engine_matches_local_and_survives_a_lost_worker(toy, local, tmp_path):
    import ray

    from motionsim.engine.ray_engine import RayEngine

    try:
        out = tmp_path / "ray.csv"
        report = _ntu(toy, out, "--engine", "ray")
        assert ray.is_initialized() and ray.get_runtime_context().gcs_address.startswith("127.0.0.1")
        assert out.read_bytes() == local[0]
        assert _numbers(report) == local[1]
        assert not (tmp_path / ".ray.csv.work").exists()

        marker = tmp_path / "worker-killed"
        out2, work = tmp_path / "ray2.csv", tmp_path / ".ray2.csv.work"
        ev = evaluate_ntu(toy.skeletons, toy.pairs, METHODS.split(","), progress=False,
                          engine=RayEngine(fault_marker=str(marker)), work_dir=work, **SMALL)
        assert marker.exists()  # one worker died mid-run; Ray retried its task
        ev.write_csv(out2)
        assert out2.read_bytes() == local[0] and not work.exists()
    finally:
        ray.shutdown()


def test_ray_engine_needs_method_names(toy):
    from motionsim.errors import MotionsimError
    from motionsim.evaluate import JointDistance

    class FakeRay(LocalEngine):
        name = "ray"

    with pytest.raises(MotionsimError, match="method names"):
        evaluate_ntu(toy.skeletons, toy.pairs, [JointDistance()], progress=False, engine=FakeRay())
