"""Long-lived workers, one per shard of some data: each builds its object once (a factory applied to its
spec, e.g. opening a folder) and answers method calls until the pool is closed. The feature that uses them
(library search: `motionsim.index.sharded`) decides what the objects are; this module only runs them.

`LocalActors` keeps the objects in this process and calls them in parallel threads (the work is expected to
release the GIL, as compiled kernels do). `ray_engine.RayActors` makes each one a Ray actor. Both answer a
call with one result per shard, or raise `ShardUnavailableError` naming the shards that could not answer:
a caller never gets a silently partial answer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from ..cores import cores
from ..errors import MotionsimError

#: A factory: spec -> the object a worker keeps (module-level, so Ray can ship it by name).
Factory = Callable[[Any], Any]


class ShardUnavailableError(MotionsimError, RuntimeError):
    """Shards whose workers could not answer (after restarts and a retry elsewhere), named with the reason."""

    def __init__(self, failures: dict[str, str]) -> None:
        self.failures = dict(failures)
        super().__init__("shard" + ("s " if len(failures) > 1 else " ")
                         + "; ".join(f"{name} did not answer: {why}" for name, why in failures.items())
                         + " (the result would be partial, so none is given)")


class ActorPool(Protocol):
    """One worker per shard; `call` runs a method on every shard's object."""

    names: list[str]

    def call(self, method: str, *args: Any) -> list[Any]:
        """``getattr(obj, method)(*args)`` on every shard's object: the results in shard order."""
        ...

    def close(self) -> None:
        ...


class LocalActors:
    """The shards' objects in this process, called in parallel threads (at most one per core)."""

    def __init__(self, factory: Factory, specs: Sequence[Any], names: Sequence[str]) -> None:
        self.names = list(names)
        workers = max(1, min(len(specs), cores()))
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="motionsim-shard")
        try:
            self.objects = list(self._pool.map(factory, specs))
        except BaseException:
            self._pool.shutdown(wait=False)
            raise

    def call(self, method: str, *args: Any) -> list[Any]:
        return list(self._pool.map(lambda obj: getattr(obj, method)(*args), self.objects))

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self.objects = []
