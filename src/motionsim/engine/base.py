"""The engine contract: run one function over many shards and hand back each result as it finishes; and keep
long-lived workers, one per shard of some data, that answer calls (`actors`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol

from .actors import ActorPool, Factory, LocalActors

ENGINES = ("local", "ray")

#: A shard function: (shard, shared data) -> result. It must be a module-level function (Ray ships it by name).
ShardFn = Callable[[Any, Any], Any]


class Engine(Protocol):
    """Runs ``fn(shard, shared)`` for every shard; yields (shard index, result) in completion order."""

    name: str

    def map(self, fn: ShardFn, shards: Sequence[Any], shared: Any, indices: Sequence[int]) -> Iterator[tuple[int, Any]]:
        ...

    def actors(self, factory: Factory, specs: Sequence[Any], names: Sequence[str]) -> ActorPool:
        """One worker per spec, holding ``factory(spec)`` until closed (`actors`)."""
        ...


class LocalEngine:
    """Run the shards one after another in this process (the default: no start-up cost, no extra)."""

    name = "local"

    def map(self, fn: ShardFn, shards: Sequence[Any], shared: Any, indices: Sequence[int]) -> Iterator[tuple[int, Any]]:
        for i in indices:
            yield i, fn(shards[i], shared)

    def actors(self, factory: Factory, specs: Sequence[Any], names: Sequence[str]) -> LocalActors:
        """The shards' objects in this process, called in parallel threads."""
        return LocalActors(factory, specs, names)


def get_engine(name: str = "local", address: str | None = None) -> Engine:
    """The engine called ``name``: "local", or "ray" (imports Ray lazily; ``address`` "auto", "HOST:PORT" or
    None for a private local cluster bound to 127.0.0.1)."""
    if name == "local":
        return LocalEngine()
    if name == "ray":
        from .ray_engine import RayEngine

        return RayEngine(address)
    raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {name!r}")
