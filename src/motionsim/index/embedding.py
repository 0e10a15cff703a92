"""Embedding the clips of a library (`motionsim.clips`, one progress bar for the lot) and handing each clip's
window embeddings, in the given order, to whatever lays them out as the library's tables: clip i owns rows
``first_window .. first_window + n_windows - 1`` of its folder's tables."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..clips import EmbeddedClip, embed_clip_shards
from ..engine import ShardStore, fingerprint
from ..skeleton import BODY_PARTS
from .store import ClipRecord


def embed_into(clips: Sequence[str | Path], model: Any, window: int, stride: int, engine: Any, progress: bool,
               work_parent: Path, sink: Callable[[EmbeddedClip], None]) -> dict[str, str]:
    """Embed ``clips`` and call ``sink`` with each one that could be read, in the given order, as its shard of
    clips finishes (memory holds a few shards, not the library); returns the errors by path."""
    from tqdm import tqdm

    paths = [str(Path(c).resolve()) for c in clips]
    store = None
    if engine is not None and engine.name != "local":  # resumable where shards are worth keeping
        store = ShardStore(work_parent / ".motionsim-index.work",
                           fingerprint([Path(p) for p in paths], window, stride, model.name, "clips v2"))
    errors: dict[str, str] = {}
    with tqdm(total=len(paths), desc="embedding", unit="clip", disable=not progress) as bar:
        for embedded, errs in embed_clip_shards(paths, model, window, stride, engine=engine, store=store,
                                                on_shard=bar.update):
            errors.update(errs)
            for clip in embedded:
                sink(clip)
    if store is not None:
        store.remove()
    return errors


def record_of(clip: EmbeddedClip, first_window: int) -> ClipRecord:
    """The library record of an embedded clip whose windows start at row ``first_window``."""
    emb = clip.variants[0]
    return ClipRecord(clip.path, int(clip.frames), None if clip.fps is None else float(clip.fps), first_window,
                      emb.n_windows, [float(m) for m in emb.movement])


def embed_library_clips(clips: Sequence[str | Path], model: Any, window: int, stride: int, engine: Any,
                        progress: bool, work_parent: Path, first_window: int = 0,
                        ) -> tuple[list[ClipRecord], dict[str, np.ndarray], dict[str, str]]:
    """(clip records, window embeddings per part in memory, errors by path) of ``clips``, in the given order
    (libraries of format 1, whose tables are written whole)."""
    records: list[ClipRecord] = []
    arrays: dict[str, list[np.ndarray]] = {p: [] for p in BODY_PARTS}
    row = first_window

    def keep(clip: EmbeddedClip) -> None:
        nonlocal row
        records.append(record_of(clip, row))
        row += records[-1].n_windows
        for p in BODY_PARTS:
            arrays[p].append(clip.variants[0].parts[p])

    errors = embed_into(clips, model, window, stride, engine, progress, work_parent, keep)
    merged = {p: np.concatenate(arrays[p]) if arrays[p] else np.zeros((0, 0), np.float32) for p in BODY_PARTS}
    return records, merged, errors
