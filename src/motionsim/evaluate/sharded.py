"""`motionsim evaluate ntu` in shards: every method prepares every clip, then scores every pair (original and body
flip), cut into the same shards on every engine (`motionsim.engine`), so the local and Ray runs give the same
numbers. It lives beside the harness rather than in `engine/`, which stays generic."""

from __future__ import annotations

import pickle
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from ..engine import Engine, ShardStore
from ..engine.shards import run_shards, split

METHOD_PREP_SHARD = 4096  # clips per feature-preparation task, by default (NTU's 1,583 clips: one batch, as in one
# process)
METHOD_PAIR_SHARD = 2000  # pairs per scoring task, by default
CLIPS_BY_PATH = False  # preparation tasks get the loaded clips (True: each task reloads its clips from their files)


@dataclass(frozen=True)
class MethodsRef:
    """Methods by name and `MethodOptions`: what a worker needs to build the same methods (cheap) itself."""

    names: tuple[str, ...]
    options: Any  # motionsim.evaluate.methods.MethodOptions

    def build(self) -> list[Any]:
        key = pickle.dumps(self)
        if key not in _BUILT:
            from .methods import build_methods

            _BUILT.clear()  # one evaluation at a time per worker
            _BUILT[key] = build_methods(list(self.names), self.options)
        return _BUILT[key]


_BUILT: dict[bytes, list[Any]] = {}


def _method(shared: Mapping[str, Any]) -> Any:
    methods = shared["methods"]
    return (methods.build() if isinstance(methods, MethodsRef) else methods)[shared["method"]]


def prepare_shard(shard: tuple[bool, Sequence[Any]], shared: Mapping[str, Any]) -> tuple[list[Any], float]:
    """(mirrored, clips or clip files) -> (the method's features of each clip, seconds)."""
    import time

    from ..io import load_pose

    start = time.perf_counter()
    mirrored, clips = shard
    seqs = [load_pose(c) if isinstance(c, (str, Path)) else c for c in clips]
    feats = _method(shared).prepare(seqs, mirrored=mirrored)
    return list(feats), time.perf_counter() - start


def score_method_shard(shard: Sequence[tuple[int, str, str]], shared: Mapping[str, Any],
                       ) -> tuple[list[tuple[int, float, float]], float]:
    """(row, sample1, sample2) triples -> ((row, original score, body-flip score) for each, seconds): the
    per-pair work of `motionsim.evaluate.harness.evaluate_pairs` on every engine. Body flip = max(original,
    mirrored sample1 against sample2)."""
    import time

    start = time.perf_counter()
    method, feats, mirrored = _method(shared), shared["feats"], shared["mirrored"]
    out = []
    for i, a, b in shard:
        original = float(method.score(feats[a], feats[b]))
        out.append((i, original, max(original, float(method.score(mirrored[a], feats[b])))))
    return out, time.perf_counter() - start


def score_method_on(engine: Engine, k: int, methods: Any, label: str, pairs: Sequence[tuple[int, str, str]],
                    names: Sequence[str], queries: Sequence[str], clips: Mapping[str, Any],
                    paths: Mapping[str, Path] | None = None, store: ShardStore | None = None,
                    progress: bool = True, prep_shard: int = METHOD_PREP_SHARD, pair_shard: int = METHOD_PAIR_SHARD,
                    ) -> tuple[dict[int, tuple[float, float]], float]:
    """Method ``methods[k]`` (a list of `Method` objects, or a `MethodsRef` for other processes) on ``engine``:
    preparation shards of ``prep_shard`` clips (clips, then mirrored query clips), then scoring shards of
    ``pair_shard`` of ``pairs`` (the scores do not depend on either).
    Returns ({row: (original, body flip)}, seconds of work summed over shards)."""
    by_path = CLIPS_BY_PATH and paths is not None and engine.name != "local"

    def items(group: Sequence[str]) -> list[Any]:
        return [str(paths[n]) if by_path else clips[n] for n in group]  # type: ignore[index]

    prep = [(False, items(c)) for c in split(list(names), prep_shard)]
    n_plain = len(prep)
    prep += [(True, items(c)) for c in split(list(queries), prep_shard)]
    pair_shards = split(list(pairs), pair_shard)
    shared: dict[str, Any] = {"methods": methods, "method": k}
    with tqdm(total=len(prep) + len(pair_shards), desc=label, unit="shard", disable=not progress) as bar:
        prepared = run_shards(engine, prepare_shard, prep, shared, store, f"prep{k}", lambda _: bar.update())
        feats = [f for part, _ in prepared[:n_plain] for f in part]
        mirrored = [f for part, _ in prepared[n_plain:] for f in part]
        shared = dict(shared, feats=dict(zip(names, feats)), mirrored=dict(zip(queries, mirrored)))
        scored = run_shards(engine, score_method_shard, pair_shards, shared, store, f"score{k}",
                            lambda _: bar.update())
    seconds = sum(s for _, s in prepared) + sum(s for _, s in scored)
    return {i: (o, f) for part, _ in scored for i, o, f in part}, seconds
