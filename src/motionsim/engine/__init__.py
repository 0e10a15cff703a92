"""Where batch work runs: in this process (the default) or as Ray tasks on a cluster (`motionsim[ray]`).

Generic on purpose: engines, shards, a store of finished shards, long-lived workers one per shard of some data
(`actors`), and a model reference a worker can load.
The jobs themselves live with their features (`motionsim.clips` embeds clips, `motionsim.pairs` scores
pairs, `motionsim.evaluate.sharded` runs benchmarks, `motionsim.index` builds libraries): they cut their
work into shards and hand them to an engine through `run_shards`, which also keeps finished shards in a work
folder so an interrupted run resumes.
"""

from __future__ import annotations

from .actors import ShardUnavailableError
from .base import ENGINES, Engine, LocalEngine, fetch, get_engine, task_threads
from .shards import ShardStore, fingerprint, iter_shards, run_shards, split

__all__ = ["ENGINES", "Engine", "LocalEngine", "ShardStore", "ShardUnavailableError", "fetch", "fingerprint",
           "get_engine", "iter_shards", "run_shards", "split", "task_threads"]
