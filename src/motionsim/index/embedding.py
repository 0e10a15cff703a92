"""Embedding the clips of a library (`motionsim.clips`, one progress bar for the lot) and laying their window
embeddings out as the library's tables: clip i owns rows ``first_window .. first_window + n_windows - 1``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..clips import embed_clips
from ..engine import ShardStore, fingerprint
from ..skeleton import BODY_PARTS
from .store import ClipRecord


def embed_library_clips(clips: Sequence[str | Path], model: Any, window: int, stride: int, engine: Any,
                        progress: bool, work_parent: Path, first_window: int = 0,
                        ) -> tuple[list[ClipRecord], dict[str, np.ndarray], dict[str, str]]:
    """(clip records, window embeddings per part, errors by path) of ``clips``, in the given order."""
    from tqdm import tqdm

    paths = [str(Path(c).resolve()) for c in clips]
    store = None
    if engine is not None and engine.name != "local":  # resumable where shards are worth keeping
        store = ShardStore(work_parent / ".motionsim-index.work",
                           fingerprint([Path(p) for p in paths], window, stride, model.name, "clips v2"))
    with tqdm(total=len(paths), desc="embedding", unit="clip", disable=not progress) as bar:
        embedded, errors = embed_clips(paths, model, window, stride, engine=engine, store=store, on_shard=bar.update)
    records, arrays = [], {p: [] for p in BODY_PARTS}
    row = first_window
    for path in dict.fromkeys(paths):
        if path not in embedded:
            continue
        clip = embedded[path]
        emb = clip.variants[0]
        records.append(ClipRecord(path, int(clip.frames), None if clip.fps is None else float(clip.fps), row,
                                  emb.n_windows, [float(m) for m in emb.movement]))
        row += emb.n_windows
        for p in BODY_PARTS:
            arrays[p].append(emb.parts[p])
    if store is not None:
        store.remove()
    merged = {p: np.concatenate(arrays[p]) if arrays[p] else np.zeros((0, 0), np.float32) for p in BODY_PARTS}
    return records, merged, errors
