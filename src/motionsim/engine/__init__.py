"""Where batch work runs: in this process (the default) or as Ray tasks on a cluster (`motionsim[ray]`).

Jobs (`score-pairs`, `evaluate ntu`, `index build`) cut their clips and pairs into shards and hand them to an
engine through `run_shards`, which also keeps finished shards in a work folder so an interrupted run resumes.
"""

from __future__ import annotations

from .base import ENGINES, Engine, LocalEngine, get_engine
from .shards import ShardStore, run_shards, split

__all__ = ["ENGINES", "Engine", "LocalEngine", "ShardStore", "get_engine", "run_shards", "split"]
