"""The batch jobs cut into shards for an engine: embedding clips, then scoring pairs of embedded clips.

Every engine gets the same shards and runs the same shard functions, so the local and the Ray engine write
byte-identical outputs. Shard functions are module-level (Ray ships them by name) and load the model
themselves from a `ModelRef` (a model object cannot travel to another process).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from ..errors import MotionsimError
from .base import Engine
from .shards import ShardStore, run_shards, split

EMBED_SHARD = 256  # clips per embedding task
PAIR_SHARD = 2000  # pairs per scoring task


@dataclass(frozen=True)
class ModelRef:
    """A model by file (None: the bundled one) and runtime: what a worker needs to load the same model."""

    path: str | None
    backend: str = "auto"

    def load(self) -> Any:
        from ..similarity import resolve_model

        return resolve_model(self.path, self.backend)


def model_ref(ckpt: Any) -> ModelRef:
    """The `ModelRef` of a loaded model (it must come from a file)."""
    path = getattr(ckpt, "path", None)
    if not path:
        raise MotionsimError("a model that was not loaded from a file cannot be sent to other processes")
    return ModelRef(str(path), "torch" if getattr(ckpt, "backend", "onnx") == "torch" else "auto")


def as_model(model: Any) -> Any:
    return model.load() if isinstance(model, ModelRef) else model


def fingerprint(*parts: Any) -> str:
    """A digest of a job's inputs and options (files by path, size and modification time)."""
    def norm(x: Any) -> Any:
        if isinstance(x, Path):
            st = x.stat()
            return [str(x.resolve()), st.st_size, st.st_mtime_ns]
        return x

    return hashlib.sha256(json.dumps([norm(p) for p in parts], default=str).encode()).hexdigest()


def embed_shard(shard: Sequence[tuple[str, str]], shared: Mapping[str, Any]) -> tuple[dict, dict]:
    """(name, path) pairs -> (embeddings by name as in `embed_samples`, errors by name)."""
    from ..pairs import embed_samples

    return embed_samples([n for n, _ in shard], {n: Path(p) for n, p in shard}, as_model(shared["model"]),
                         shared["window"], shared["stride"], shared["flip"], shared["pad_short"], progress=False)


def score_shard(shard: Sequence[tuple[int, str, str]], shared: Mapping[str, Any]) -> list[tuple[int, dict[str, str]]]:
    """(row, sample1, sample2) triples -> (row, output cells) with `score_row`."""
    from ..dtw import warm_up
    from ..pairs import score_row

    warm_up()
    emb = shared["embeddings"]
    return [(i, score_row(emb[a], emb[b], shared["weighting"])) for i, a, b in shard]


def _bar(total: int, desc: str, progress: bool) -> tqdm:
    return tqdm(total=total, desc=desc, unit="shard", disable=not progress)


def embed_clips(engine: Engine, named_paths: Sequence[tuple[str, str]], ckpt: Any, window: int, stride: int,
                flip: bool, pad_short: bool, store: ShardStore | None, progress: bool) -> tuple[dict, dict]:
    """Embed clips in shards on ``engine``: (embeddings by name, errors by name)."""
    shards = split(list(named_paths), EMBED_SHARD)
    shared = {"model": ckpt if engine.name == "local" else model_ref(ckpt), "window": window, "stride": stride,
              "flip": flip, "pad_short": pad_short}
    with _bar(len(shards), "embedding", progress) as bar:
        parts = run_shards(engine, embed_shard, shards, shared, store, "embed", lambda _: bar.update())
    embeddings: dict = {}
    errors: dict = {}
    for emb, err in parts:
        embeddings.update(emb)
        errors.update(err)
    return embeddings, errors


def score_pairs_on(engine: Engine, pairs_csv: str | Path, skeletons: str | Path, out_csv: str | Path, ckpt: Any,
                   window: int = 32, stride: int = 2, flip: bool = False, pad_short: bool = False,
                   progress: bool = True, work_dir: str | Path | None = None, weighting: str = "movement") -> Any:
    """`motionsim.pairs.score_pairs` on an engine: embedding shards, then pair-scoring shards; the same CSV,
    written once all shards are done. ``work_dir`` keeps finished shards for a rerun (removed on success)."""
    from ..pairs import SCORE_COLUMNS, PairsSummary, open_pairs_job, write_csv_atomically
    from ..similarity import check_weighting

    check_weighting(weighting)
    columns, rows, index, names = open_pairs_job(pairs_csv, skeletons, out_csv)
    out_csv = Path(out_csv)

    store = None
    if work_dir is not None:
        store = ShardStore(work_dir, fingerprint(rows, sorted((n, index[n]) for n in names if n in index),
                                                 window, stride, flip, pad_short, getattr(ckpt, "name", ""),
                                                 weighting, "part movement"))
    found = [(n, str(index[n])) for n in names if n in index]
    embeddings, errors = embed_clips(engine, found, ckpt, window, stride, flip, pad_short, store, progress)
    errors.update({n: f"sample {n} not found" for n in names if n not in index})
    summary = PairsSummary(n_pairs=len(rows), n_sequences=len(embeddings))
    todo = []
    for row_no, row in enumerate(rows, start=1):
        bad = [errors.get(row[k], "") for k in ("sample1", "sample2") if row[k] not in embeddings]
        if bad:
            reason = "; ".join(b for b in bad if b) or "sample not embedded"
            summary.failed.append((row_no, reason))
            row.update({c: "" for c in SCORE_COLUMNS}, flipped="", error=reason)
        else:
            todo.append((row_no - 1, row["sample1"], row["sample2"]))
    shards = split(todo, PAIR_SHARD)
    with _bar(len(shards), "scoring", progress) as bar:
        shared = {"embeddings": embeddings, "weighting": weighting}
        scored = run_shards(engine, score_shard, shards, shared, store, "pairs", lambda _: bar.update())
    for shard in scored:
        for i, cells in shard:
            rows[i].update(cells)
            summary.n_scored += 1
    out_columns = columns + [c for c in (*SCORE_COLUMNS, "flipped", "error") if c not in columns]
    write_csv_atomically(out_csv, out_columns, rows)
    if store is not None:
        store.remove()
    return summary
