"""Cutting work into shards, and remembering finished shards so an interrupted run resumes where it stopped.

A work folder holds one pickle per finished shard plus a fingerprint of the job; a different job (other
inputs or options) clears it, so stale shards are never mixed in.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from ..atomic import atomic_output
from .base import Engine, ShardFn

T = TypeVar("T")


def fingerprint(*parts: Any) -> str:
    """A digest of a job's inputs and options (files by path, size and modification time): a `ShardStore`
    keeps finished shards only for the same fingerprint."""
    def norm(x: Any) -> Any:
        if isinstance(x, Path):
            st = x.stat()
            return [str(x.resolve()), st.st_size, st.st_mtime_ns]
        return x

    return hashlib.sha256(json.dumps([norm(p) for p in parts], default=str).encode()).hexdigest()


def split(items: Sequence[T], size: int) -> list[list[T]]:
    """Consecutive shards of at most ``size`` items (the same cut for every engine: same output)."""
    return [list(items[i:i + size]) for i in range(0, len(items), max(1, size))]


class ShardStore:
    """A work folder of finished shards for one job (identified by ``fingerprint``)."""

    def __init__(self, folder: str | Path, fingerprint: str) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = self.folder / "job.json"
        known = json.loads(stamp.read_text()) if stamp.is_file() else {}
        if known.get("fingerprint") != fingerprint:
            for old in self.folder.glob("*.pkl"):
                old.unlink()
            stamp.write_text(json.dumps({"fingerprint": fingerprint}))

    def path(self, stage: str, index: int) -> Path:
        return self.folder / f"{stage}-{index:05d}.pkl"

    def load(self, stage: str, index: int) -> tuple[bool, Any]:
        path = self.path(stage, index)
        if not path.is_file():
            return False, None
        try:
            return True, pickle.loads(path.read_bytes())
        except (pickle.UnpicklingError, EOFError):  # a shard cut short by a crash: redo it
            return False, None

    def save(self, stage: str, index: int, result: Any) -> None:
        with atomic_output(self.path(stage, index)) as tmp:
            tmp.write_bytes(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))

    def has(self, stage: str, index: int) -> bool:
        return self.path(stage, index).is_file()

    def finished(self, stage: str) -> int:
        return len(list(self.folder.glob(f"{stage}-*.pkl")))

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def iter_shards(engine: Engine, fn: ShardFn, shards: Sequence[Any], shared: Any = None,
                store: ShardStore | None = None, stage: str = "shard",
                on_done: Callable[[int], None] | None = None) -> Iterator[tuple[int, Any]]:
    """(index, result) of ``fn(shard, shared)`` for every shard, in shard order, each as soon as it and every
    shard before it are done (a consumer can write results out as they come and hold few of them). Shards
    already in ``store`` are not run again (and read only when their turn comes); each one that finishes is
    saved there at once. ``on_done(i)`` reports progress as shards finish, in any order."""
    stored = set()
    todo = []
    for i in range(len(shards)):
        if store is not None and store.has(stage, i):
            stored.add(i)
        else:
            todo.append(i)
    ready: dict[int, Any] = {}
    following = 0

    def in_order() -> Iterator[tuple[int, Any]]:
        nonlocal following
        while following < len(shards):
            if following in ready:
                value = ready.pop(following)
            elif following in stored:
                found, value = store.load(stage, following)  # type: ignore[union-attr]
                if not found:  # a shard cut short by a crash: run it now
                    value = fn(shards[following], shared)
                    store.save(stage, following, value)  # type: ignore[union-attr]
                if on_done:
                    on_done(following)
            else:
                return
            yield following, value
            following += 1

    yield from in_order()
    for i, value in engine.map(fn, shards, shared, todo):
        if store is not None:
            store.save(stage, i, value)
        ready[i] = value
        if on_done:
            on_done(i)
        yield from in_order()
    yield from in_order()


def run_shards(engine: Engine, fn: ShardFn, shards: Sequence[Any], shared: Any = None,
               store: ShardStore | None = None, stage: str = "shard",
               on_done: Callable[[int], None] | None = None) -> list[Any]:
    """Results of ``fn(shard, shared)`` for every shard, in shard order (`iter_shards`, gathered)."""
    return [value for _, value in iter_shards(engine, fn, shards, shared, store, stage, on_done)]
