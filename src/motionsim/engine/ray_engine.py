"""Shards as Ray tasks: a lost worker's task is retried by Ray (``max_retries``); shared data is put in the
object store once, not shipped with every task. Long-lived workers (`RayActors`): one Ray actor per shard,
restarted by Ray when its process dies, replaced once more if it still cannot answer, and named in a
`ShardUnavailableError` if even that fails."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ..cores import cores
from ..errors import MissingExtraError, MotionsimError
from .actors import Factory, ShardUnavailableError

MAX_RETRIES = 3
MAX_RESTARTS = 2  # Ray restarts a shard's actor this often (its calls are retried as often) ...
REPLACEMENTS = 1  # ... then it is replaced by a new actor (perhaps on another node) this often
CALL_TIMEOUT = 600.0  # seconds a shard may take to answer one call
ShardFn = Callable[[Any, Any], Any]  # as in .base (not imported: base loads this module lazily)


def _ray(private: bool) -> Any:
    try:
        import ray
    except ImportError as exc:
        raise MissingExtraError("--engine ray needs Ray: pip install 'motionsim[ray]'") from exc
    if private:
        # Ray turns a 127.0.0.1 node address into the host's network address unless its cluster mode is off
        # (the setting Ray itself uses on laptops); a private cluster must listen on the loopback interface only.
        os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
        from ray._private import ray_constants

        ray_constants.ENABLE_RAY_CLUSTER = False
    return ray


def worker_threads() -> str:
    """The math libraries' thread count of this process, for the workers of a private cluster. Ray starts each
    worker with OMP_NUM_THREADS=1, and PyTorch's convolutions round differently with another thread count, so
    the learned baselines' embeddings (and the CSV) would differ in the last digit from the in-process run."""
    torch = sys.modules.get("torch")
    if torch is not None:
        return str(torch.get_num_threads())
    return os.environ.get("OMP_NUM_THREADS") or str(cores())


def _run(fn: ShardFn, shard: Any, shared: Any, fault_marker: str | None, fault_in: str | None = None) -> Any:
    """One shard in a worker. ``fault_marker`` (tests only) kills this worker once, as a lost node would: in
    the first shard it runs, or with ``fault_in`` in the first shard of the function of that name."""
    if fault_marker and not Path(fault_marker).exists() and fault_in in (None, fn.__name__):
        Path(fault_marker).touch()
        os._exit(1)
    return fn(shard, shared)


def _reason(exc: BaseException) -> str:
    """One line for a Ray failure: the root error at the end of a multi-line message, else its first line."""
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line).strip() for line in str(exc).splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return type(exc).__name__
    return (lines[-1] if len(lines) > 1 else lines[0])[:300]


class _Holder:
    """A shard's object inside its Ray actor."""

    def __init__(self, factory: Factory, spec: Any) -> None:
        self.obj = factory(spec)

    def call(self, method: str, *args: Any) -> Any:
        return getattr(self.obj, method)(*args)

    def ready(self) -> bool:
        return True


class RayActors:
    """One Ray actor per shard (`actors.ActorPool`). An actor whose process dies is restarted by Ray
    (`MAX_RESTARTS`, its interrupted calls retried); one that still fails or does not answer within
    ``timeout`` seconds is replaced by a new actor `REPLACEMENTS` times (Ray places it where there is room,
    perhaps on another node), and the call retried on it. Shards that still cannot answer are named in a
    `ShardUnavailableError`. An error the shard's code raises itself (a `MotionsimError`) is raised as is."""

    def __init__(self, ray: Any, factory: Factory, specs: Sequence[Any], names: Sequence[str],
                 timeout: float = CALL_TIMEOUT) -> None:
        self._ray, self.factory, self.specs, self.names, self.timeout = ray, factory, list(specs), list(names), timeout
        self._cls = ray.remote(max_restarts=MAX_RESTARTS, max_task_retries=MAX_RESTARTS)(_Holder)
        self.actors = [self._start(spec) for spec in self.specs]
        self.replaced = 0  # how many actors were replaced (tests and logs)

    def _start(self, spec: Any) -> Any:
        return self._cls.options(scheduling_strategy="SPREAD").remote(self.factory, spec)

    def _wait(self, refs: dict[int, Any]) -> tuple[dict[int, Any], dict[int, str]]:
        """(results, failures) by shard of the calls ``refs``, within the timeout."""
        ray = self._ray
        ready, _ = ray.wait(list(refs.values()), num_returns=len(refs), timeout=self.timeout)
        finished = set(ready)
        results: dict[int, Any] = {}
        failures: dict[int, str] = {}
        for i, ref in refs.items():
            if ref not in finished:
                failures[i] = f"no answer within {self.timeout:g} s"
                continue
            try:
                results[i] = ray.get(ref)
            except ray.exceptions.RayTaskError as exc:  # the shard's own code failed: not a lost worker
                cause = getattr(exc, "cause", None)
                if isinstance(cause, MotionsimError):
                    raise cause from None
                raise
            except ray.exceptions.RayError as exc:  # its actor died, was lost or could not be created
                failures[i] = _reason(exc)
        return results, failures

    def call(self, method: str, *args: Any) -> list[Any]:
        ray = self._ray
        arg_refs = [ray.put(a) for a in args]  # sent once, whatever the number of shards
        results, failures = self._wait({i: a.call.remote(method, *arg_refs) for i, a in enumerate(self.actors)})
        for _ in range(REPLACEMENTS):
            if not failures:
                break
            for i in failures:
                ray.kill(self.actors[i], no_restart=True)
                self.actors[i] = self._start(self.specs[i])
                self.replaced += 1
            retried, failures = self._wait({i: self.actors[i].call.remote(method, *arg_refs) for i in failures})
            results.update(retried)
        if failures:
            raise ShardUnavailableError({self.names[i]: why for i, why in sorted(failures.items())})
        return [results[i] for i in range(len(self.actors))]

    def close(self) -> None:
        for actor in self.actors:
            self._ray.kill(actor, no_restart=True)
        self.actors = []


class RayEngine:
    """Ray: joins ``address`` ("auto", "HOST:PORT") or starts a private 2-CPU cluster on 127.0.0.1 only."""

    name = "ray"
    task_threads = 1  # each task is given one CPU

    def __init__(self, address: str | None = None, num_cpus: int = 2, fault_marker: str | None = None,
                 fault_in: str | None = None, object_store_memory: int | None = None) -> None:
        """``object_store_memory``: bytes of the private cluster's object store (Ray's default: 30 % of the
        memory); objects beyond it are spilled to disk. ``fault_marker``, ``fault_in``: see `_run` (tests)."""
        self.address, self.num_cpus, self.fault_marker, self.fault_in = address, num_cpus, fault_marker, fault_in
        self.object_store_memory = object_store_memory
        self._ray = _ray(private=not address)

    def _connect(self) -> None:
        ray = self._ray
        if ray.is_initialized():
            return
        if self.address:
            ray.init(address=self.address, include_dashboard=False, log_to_driver=False)
        else:
            ray.init(num_cpus=self.num_cpus, include_dashboard=False, _node_ip_address="127.0.0.1",
                     log_to_driver=False, runtime_env={"env_vars": {"OMP_NUM_THREADS": worker_threads()}},
                     object_store_memory=self.object_store_memory)

    def actors(self, factory: Factory, specs: Sequence[Any], names: Sequence[str]) -> RayActors:
        """One Ray actor per spec holding ``factory(spec)`` (`RayActors`)."""
        self._connect()
        return RayActors(self._ray, factory, specs, names)

    def map(self, fn: ShardFn, shards: Sequence[Any], shared: Any, indices: Sequence[int]) -> Iterator[tuple[int, Any]]:
        if not indices:
            return
        self._connect()
        ray = self._ray
        task = ray.remote(max_retries=MAX_RETRIES)(_run)
        shared_ref = ray.put(shared)
        pending = {task.remote(fn, shards[i], shared_ref, self.fault_marker, self.fault_in): i for i in indices}
        try:
            while pending:
                done, _ = ray.wait(list(pending), num_returns=1)
                for ref in done:
                    yield pending.pop(ref), ray.get(ref)
        finally:
            for ref in pending:
                ray.cancel(ref)

    def map_kept(self, fn: ShardFn, shards: Sequence[Any], shared: Any,
                 indices: Sequence[int]) -> Iterator[tuple[int, Any, Any]]:
        """Each task returns two objects: its summary is fetched here, its payload stays in the object store
        (spilled to disk beyond its size) and is handed back as an ObjectRef."""
        if not indices:
            return
        self._connect()
        ray = self._ray
        task = ray.remote(max_retries=MAX_RETRIES, num_returns=2)(_run)
        shared_ref = ray.put(shared)
        pending = {}
        for i in indices:
            summary, payload = task.remote(fn, shards[i], shared_ref, self.fault_marker, self.fault_in)
            pending[summary] = (i, payload)
        try:
            while pending:
                done, _ = ray.wait(list(pending), num_returns=1)
                for ref in done:
                    i, payload = pending.pop(ref)
                    yield i, ray.get(ref), payload
        finally:
            for ref in pending:
                ray.cancel(ref)

    def put(self, value: Any) -> Any:
        self._connect()
        return self._ray.put(value)

    def get(self, handle: Any) -> Any:
        return self._ray.get(handle)
