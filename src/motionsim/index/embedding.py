"""Embedding the clips of a library, once each, in shards on an engine (one progress bar for the lot)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..engine import LocalEngine, ShardStore
from ..engine.jobs import EMBED_SHARD, as_model, fingerprint, model_ref
from ..engine.shards import run_shards, split
from ..errors import MotionsimError
from ..skeleton import BODY_PARTS
from .store import ClipRecord


def embed_clip_shard(paths: Sequence[str], shared: dict[str, Any]) -> tuple[list[tuple], dict[str, str]]:
    """Clip paths -> ([(path, source frames, fps, part embeddings, part movement)], errors by path)."""
    from ..io import load_pose
    from ..resample import resample
    from ..similarity import embed_inputs, model_input

    ckpt = as_model(shared["model"])
    done, errors, inputs, seqs = [], {}, [], []
    for path in paths:
        try:
            seq = load_pose(path)
            inputs.append(model_input(seq, ckpt, shared["window"]))
        except MotionsimError as exc:
            errors[path] = str(exc)
            continue
        done.append((path, len(seq), seq.fps))
        seqs.append(resample(seq))
    embs = embed_inputs(inputs, seqs, ckpt, shared["window"], shared["stride"])
    return [(*d, e.parts, e.movement) for d, e in zip(done, embs)], errors


def embed_clips(clips: Sequence[str | Path], ckpt: Any, window: int, stride: int, engine: Any, progress: bool,
                work_parent: Path, first_window: int = 0) -> tuple[list[ClipRecord], dict[str, np.ndarray], dict]:
    """(clip records, window embeddings per part, errors by path) of ``clips``, in the given order."""
    from tqdm import tqdm

    engine = engine or LocalEngine()
    paths = [str(Path(c).resolve()) for c in clips]
    shards = split(paths, EMBED_SHARD)
    shared = {"model": ckpt if engine.name == "local" else model_ref(ckpt), "window": window, "stride": stride}
    store = None
    if engine.name != "local":  # resumable where shards are worth keeping
        store = ShardStore(work_parent / ".motionsim-index.work",
                           fingerprint([Path(p) for p in paths], window, stride, ckpt.name, "part movement"))
    with tqdm(total=len(paths), desc="embedding", unit="clip", disable=not progress) as bar:
        results = run_shards(engine, embed_clip_shard, shards, shared, store, "clips",
                             lambda i: bar.update(len(shards[i])))
    records, arrays, errors = [], {p: [] for p in BODY_PARTS}, {}
    row = first_window
    for done, errs in results:
        errors.update(errs)
        for path, frames, fps, parts, movement in done:
            n = len(parts[BODY_PARTS[0]])
            records.append(ClipRecord(path, int(frames), None if fps is None else float(fps), row, n,
                                      [float(m) for m in movement]))
            row += n
            for p in BODY_PARTS:
                arrays[p].append(parts[p])
    if store is not None:
        store.remove()
    dims = {p: 0 for p in BODY_PARTS}
    merged = {p: np.concatenate(arrays[p]) if arrays[p] else np.zeros((0, dims[p]), np.float32) for p in BODY_PARTS}
    return records, merged, errors
