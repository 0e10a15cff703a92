"""Sharded libraries: a folder of shard folders and a manifest, searched as one with the same hits as one
folder holding the same clips, in this process or one Ray actor per shard; `index add` keeps it equal to a
fresh build; a shard that cannot answer is named, never left out."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import threading
from pathlib import Path

import numpy as np
import pytest

from helpers import write_clips as write_helpers_clips
from motionsim.cli import main
from motionsim.engine import LocalEngine, ShardUnavailableError
from motionsim.index import IndexFormatError, MotionIndex, ShardedIndex, open_library, search
from motionsim.index.sharded import MANIFEST_FILE, shard_sizes

KEYS_TRIED = [("overall", False), ("torso", True), ("left_leg", False)]


def write_clips(folder: Path, n: int, seed: int) -> list[str]:
    """`helpers.write_clips` with an unreadable clip among them."""
    paths = write_helpers_clips(folder, n, seed)
    broken = folder / "broken.npy"
    broken.write_bytes(b"not an array")  # skipped by every build, so clip numbers count readable clips only
    return paths[:7] + [str(broken)] + paths[7:]


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> list[str]:
    return write_clips(tmp_path_factory.mktemp("clips"), 50, seed=4)


@pytest.fixture(scope="module")
def single(clips, tmp_path_factory) -> MotionIndex:
    return MotionIndex.build(clips, tmp_path_factory.mktemp("one") / "lib", progress=False)


@pytest.fixture(scope="module")
def sharded(clips, tmp_path_factory) -> ShardedIndex:
    lib = ShardedIndex.build(clips, tmp_path_factory.mktemp("sharded") / "lib", 3, progress=False)
    yield lib
    lib.close()


def hits_of(lib, query, part: str, flip: bool, **options) -> list[dict]:
    return [h.to_dict() for h in lib.search(query, part=part, top=6, flip=flip, **options)]


def queries(clips: list[str]) -> list[np.ndarray]:
    rng = np.random.default_rng(1)
    out = []
    for c in (2, 19, 33):
        clip = np.load(clips[c])
        out.append(clip[10:90] + rng.normal(0, 3, clip[:1].shape))
    return out


def test_clips_are_dealt_round_robin(sharded, clips):
    readable = [c for c in clips if "broken" not in c]
    manifest = json.loads((sharded.folder / MANIFEST_FILE).read_text())
    assert [s["clips"] for s in manifest["shards"]] == shard_sizes(50, 3) == [17, 17, 16]
    for s, folder in enumerate(sharded.shard_folders()):
        shard = MotionIndex.open(folder)  # each shard is a library of its own
        assert [c.path for c in shard.meta.clips] == [str(Path(p).resolve()) for p in readable[s::3]]
    assert "broken.npy" in next(iter(sharded.skipped))


@pytest.mark.parametrize("part,flip", KEYS_TRIED)
def test_sharded_search_equals_one_folder(single, sharded, clips, part, flip):
    for query in queries(clips):
        expected = hits_of(single, query, part, flip)
        assert hits_of(sharded, query, part, flip) == expected
        assert hits_of(sharded, query, part, flip, exhaustive=True) == hits_of(single, query, part, flip,
                                                                               exhaustive=True)
        embedded = single.embed_query(query, flip)  # clips are numbered as one folder numbers them
        assert [c for c, _ in sharded.ranked(embedded, part, 6)] == [c for c, _ in single.ranked(embedded, part, 6)]


def test_sharded_search_equals_one_folder_when_the_sketches_propose(single, sharded, clips):
    proposers = search.Proposers(scan_bytes=0, sketch_proposals=12)  # as in libraries too large to scan
    for part, flip in KEYS_TRIED:
        for query in queries(clips):
            assert hits_of(sharded, query, part, flip, proposers=proposers) == hits_of(single, query, part, flip,
                                                                                       proposers=proposers)


def test_the_local_engine_searches_shards_in_parallel():
    barrier = threading.Barrier(2, timeout=10)  # breaks (and the call raises) unless both shards run at once

    class Shard:
        def __init__(self, name: str) -> None:
            self.name = name

        def answer(self, x: int) -> tuple[str, int]:
            barrier.wait()
            return self.name, x + 1

    pool = LocalEngine().actors(Shard, ["a", "b"], ["shard-a", "shard-b"])
    try:
        assert pool.call("answer", 1) == [("a", 2), ("b", 2)]
    finally:
        pool.close()


def test_add_equals_a_fresh_sharded_build(clips, tmp_path):
    grown = ShardedIndex.build(clips[:21], tmp_path / "grown", 3, progress=False)
    assert grown.add(clips[21:35], progress=False) == 14
    assert grown.add(clips[35:], progress=False) == 16
    assert grown.add(clips[:3], progress=False) == 0  # clips already in the library are left out
    fresh = ShardedIndex.build(clips, tmp_path / "fresh", 3, progress=False)
    manifests = [json.loads((lib.folder / MANIFEST_FILE).read_text()) for lib in (grown, fresh)]
    assert manifests[0] == manifests[1]
    for a, b in zip(grown.shard_folders(), fresh.shard_folders()):
        shard_a, shard_b = MotionIndex.open(a), MotionIndex.open(b)
        assert [vars(c) for c in shard_a.meta.clips] == [vars(c) for c in shard_b.meta.clips]
        for part in shard_a.parts:
            np.testing.assert_array_equal(shard_a.parts[part], shard_b.parts[part])
    for query in queries(clips):
        for part, flip in KEYS_TRIED:
            assert hits_of(grown, query, part, flip) == hits_of(fresh, query, part, flip)
    grown.close()
    fresh.close()


def test_a_damaged_sharded_library_is_refused(sharded, clips, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(sharded.folder, copy)
    manifest = json.loads((copy / MANIFEST_FILE).read_text())
    manifest["shards"][1]["clips"] += 1  # as if an `index add` stopped between a shard and the manifest
    (copy / MANIFEST_FILE).write_text(json.dumps(manifest))
    with pytest.raises(IndexFormatError, match="not dealt round-robin"):
        open_library(copy)
    manifest["shards"][1]["clips"] -= 1
    manifest["shards"][1]["windows"] += 1
    (copy / MANIFEST_FILE).write_text(json.dumps(manifest))
    with pytest.raises(IndexFormatError, match="shard-001.*manifest says"):
        open_library(copy).search(clips[0])
    shutil.rmtree(copy / "shard-002")
    with pytest.raises(IndexFormatError, match="shard-002: shard folder missing"):
        open_library(copy)
    assert main(["search", clips[0], "--index", str(copy)]) == 2


def test_cli_sharded_build_add_search(clips, single, tmp_path, capsys):
    lib = tmp_path / "lib"
    assert main(["index", "build", *clips[:30], "-o", str(lib), "--shards", "3"]) == 0
    assert "29 clips" in capsys.readouterr().out and (lib / "shard-002").is_dir()
    assert main(["index", "add", str(lib), *clips[30:]]) == 0
    assert "added 21 clips" in capsys.readouterr().out
    query = str(Path(clips[12]))
    assert main(["search", query, clips[40], "--index", str(lib), "--part", "right_leg", "--top", "4", "--json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert [json.loads(line)["hits"] for line in lines] == [
        [h.to_dict() for h in single.search(q, part="right_leg", top=4)] for q in (query, clips[40])]
    assert main(["index", "build", *clips[:2], "-o", str(tmp_path / "few"), "--shards", "3"]) == 2
    assert "3 shards need at least 3 clips" in capsys.readouterr().err


ray_missing = importlib.util.find_spec("ray") is None


@pytest.fixture
def ray_engine():
    import ray

    from motionsim.engine.ray_engine import RayEngine

    yield RayEngine()  # a private 2-CPU cluster bound to 127.0.0.1
    ray.shutdown()


@pytest.mark.slow
@pytest.mark.skipif(ray_missing, reason="ray not installed")
def test_ray_search_equals_local_and_survives_a_killed_shard_actor(single, sharded, clips, ray_engine):
    import ray

    lib = open_library(sharded.folder, engine=ray_engine)
    try:
        for query in queries(clips)[:2]:
            for part, flip in KEYS_TRIED:
                assert hits_of(lib, query, part, flip) == hits_of(single, query, part, flip)
        assert ray.get_runtime_context().gcs_address.startswith("127.0.0.1")
        pool = lib._pool
        pid = ray.get(pool.actors[1].__ray_call__.remote(lambda holder: os.getpid()))
        os.kill(pid, signal.SIGKILL)  # the actor of shard-001 dies between two queries of a session
        query = queries(clips)[2]
        assert hits_of(lib, query, "overall", False) == hits_of(single, query, "overall", False)
        assert ray.get(pool.actors[1].__ray_call__.remote(lambda holder: os.getpid())) != pid  # restarted
    finally:
        lib.close()


@pytest.mark.slow
@pytest.mark.skipif(ray_missing, reason="ray not installed")
def test_a_shard_that_cannot_answer_is_named(sharded, clips, tmp_path, ray_engine):
    import shutil

    import ray

    copy = tmp_path / "copy"
    shutil.copytree(sharded.folder, copy)
    lib = open_library(copy, engine=ray_engine)
    try:
        assert len(lib.search(clips[0], top=3)) == 3
        (copy / "shard-002").rename(tmp_path / "elsewhere")  # its folder is gone: no restart can open it
        pid = ray.get(lib._pool.actors[2].__ray_call__.remote(lambda holder: os.getpid()))
        os.kill(pid, signal.SIGKILL)
        with pytest.raises(ShardUnavailableError, match="shard-002 did not answer: .*shard-002: library folder not "
                                                        "found") as failure:
            lib.search(clips[0], top=3)
        assert list(failure.value.failures) == ["shard-002"] and lib._pool.replaced == 1  # retried on a new actor
    finally:
        lib.close()


@pytest.mark.slow
@pytest.mark.skipif(ray_missing, reason="ray not installed")
def test_cli_search_on_ray(sharded, single, clips, capsys):
    import ray

    try:
        assert main(["search", clips[9], "--index", str(sharded.folder), "--engine", "ray", "--json"]) == 0
        hits = json.loads(capsys.readouterr().out)["hits"]
        assert hits == [h.to_dict() for h in single.search(clips[9])]
    finally:
        ray.shutdown()
