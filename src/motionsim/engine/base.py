"""The engine contract: run one function over many shards and hand back each result as it finishes; run one
whose results are large and stay with the engine (`map_kept`: the caller gets a small summary and a *handle*
that later shards receive and `fetch`, so no process ever holds all results); and keep long-lived workers, one
per shard of some data, that answer calls (`actors`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol

from ..cores import cores
from .actors import ActorPool, Factory, LocalActors

ENGINES = ("local", "ray")

#: A shard function: (shard, shared data) -> result. It must be a module-level function (Ray ships it by name).
ShardFn = Callable[[Any, Any], Any]


class Engine(Protocol):
    """Runs ``fn(shard, shared)`` for every shard; yields (shard index, result) in completion order."""

    name: str
    #: Threads one task may use for its own parallel work (`pairs.score_block` scores in that many; read with
    #: `task_threads`, 1 for an engine without it): the local engine runs one task at a time on every core
    #: this process may use; Ray gives each task one CPU.
    task_threads: int

    def map(self, fn: ShardFn, shards: Sequence[Any], shared: Any, indices: Sequence[int]) -> Iterator[tuple[int, Any]]:
        ...

    def map_kept(self, fn: ShardFn, shards: Sequence[Any], shared: Any,
                 indices: Sequence[int]) -> Iterator[tuple[int, Any, Any]]:
        """As `map` for a ``fn`` that returns (summary, payload): yields (shard index, summary, handle of the
        payload), the payload left where the engine keeps it until no handle refers to it."""
        ...

    def put(self, value: Any) -> Any:
        """A handle of ``value``, kept by the engine (shards receive handles and `fetch` them)."""
        ...

    def get(self, handle: Any) -> Any:
        """The value of a handle, here."""
        ...

    def actors(self, factory: Factory, specs: Sequence[Any], names: Sequence[str]) -> ActorPool:
        """One worker per spec, holding ``factory(spec)`` until closed (`actors`)."""
        ...


class LocalEngine:
    """Run the shards one after another in this process (the default: no start-up cost, no extra)."""

    name = "local"

    @property
    def task_threads(self) -> int:
        return cores()

    def map(self, fn: ShardFn, shards: Sequence[Any], shared: Any, indices: Sequence[int]) -> Iterator[tuple[int, Any]]:
        for i in indices:
            yield i, fn(shards[i], shared)

    def map_kept(self, fn: ShardFn, shards: Sequence[Any], shared: Any,
                 indices: Sequence[int]) -> Iterator[tuple[int, Any, Any]]:
        for i in indices:
            summary, payload = fn(shards[i], shared)
            yield i, summary, payload  # in this process a payload is its own handle

    def put(self, value: Any) -> Any:
        return value

    def get(self, handle: Any) -> Any:
        return handle

    def actors(self, factory: Factory, specs: Sequence[Any], names: Sequence[str]) -> LocalActors:
        """The shards' objects in this process, called in parallel threads."""
        return LocalActors(factory, specs, names)


def task_threads(engine: Engine) -> int:
    """`Engine.task_threads`, or 1 for an engine of the caller's own that does not say."""
    return int(getattr(engine, "task_threads", 1))


def fetch(handle: Any) -> Any:
    """In a shard function: the value of a handle (`Engine.map_kept`, `Engine.put`) on whatever engine runs
    it (a Ray object is fetched into this worker; in-process a handle is the value)."""
    if type(handle).__module__.startswith("ray"):
        import ray

        return ray.get(handle)
    return handle


def get_engine(name: str = "local", address: str | None = None) -> Engine:
    """The engine called ``name``: "local", or "ray" (imports Ray lazily; ``address`` "auto", "HOST:PORT" or
    None for a private local cluster bound to 127.0.0.1)."""
    if name == "local":
        return LocalEngine()
    if name == "ray":
        from .ray_engine import RayEngine

        return RayEngine(address)
    raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {name!r}")
