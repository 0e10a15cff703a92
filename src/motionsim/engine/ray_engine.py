"""Shards as Ray tasks: a lost worker's task is retried by Ray (``max_retries``); shared data is put in the
object store once, not shipped with every task."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ..errors import MissingExtraError

MAX_RETRIES = 3
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
    return os.environ.get("OMP_NUM_THREADS") or str(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                                                     else os.cpu_count() or 1)


def _run(fn: ShardFn, shard: Any, shared: Any, fault_marker: str | None) -> Any:
    """One shard in a worker. ``fault_marker`` (tests only) kills this worker once, as a lost node would."""
    if fault_marker and not Path(fault_marker).exists():
        Path(fault_marker).touch()
        os._exit(1)
    return fn(shard, shared)


class RayEngine:
    """Ray: joins ``address`` ("auto", "HOST:PORT") or starts a private 2-CPU cluster on 127.0.0.1 only."""

    name = "ray"

    def __init__(self, address: str | None = None, num_cpus: int = 2, fault_marker: str | None = None) -> None:
        self.address, self.num_cpus, self.fault_marker = address, num_cpus, fault_marker
        self._ray = _ray(private=not address)

    def _connect(self) -> None:
        ray = self._ray
        if ray.is_initialized():
            return
        if self.address:
            ray.init(address=self.address, include_dashboard=False, log_to_driver=False)
        else:
            ray.init(num_cpus=self.num_cpus, include_dashboard=False, _node_ip_address="127.0.0.1",
                     log_to_driver=False, runtime_env={"env_vars": {"OMP_NUM_THREADS": worker_threads()}})

    def map(self, fn: ShardFn, shards: Sequence[Any], shared: Any, indices: Sequence[int]) -> Iterator[tuple[int, Any]]:
        if not indices:
            return
        self._connect()
        ray = self._ray
        task = ray.remote(max_retries=MAX_RETRIES)(_run)
        shared_ref = ray.put(shared)
        pending = {task.remote(fn, shards[i], shared_ref, self.fault_marker): i for i in indices}
        try:
            while pending:
                done, _ = ray.wait(list(pending), num_returns=1)
                for ref in done:
                    yield pending.pop(ref), ray.get(ref)
        finally:
            for ref in pending:
                ray.cancel(ref)
