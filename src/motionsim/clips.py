"""Embedding many clip files, each once, in shards on an engine: the first half of every batch job
(`score-pairs` scores pairs of them block by block, `index build` stores them in a library as they come).

A clip that cannot be read or is too short is reported with its reason, never fatal. Shard functions are
module-level (Ray ships them by name) and load the model from a `ModelRef` in other processes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from .embed import PreparedMotion, SequenceEmbedding, embed_prepared, prepare_motion
from .engine import Engine, LocalEngine, ShardStore, split, task_threads
from .engine.model_ref import as_model, shareable
from .engine.shards import iter_shards
from .errors import MotionsimError
from .io import load_pose
from .model.runtime import InferenceModel, single_threaded

CLIP_SHARD = 256  # clips per embedding task (the default of ``shard_size``)
PREPARE_BATCH = 32  # clips read and preprocessed ahead of the model at a time, within a task


@dataclass
class EmbeddedClip:
    """One clip's embeddings (one per variant asked: as filmed, mirrored) and its frames as given."""

    path: str
    frames: int
    fps: float | None
    variants: tuple[SequenceEmbedding, ...]


def embed_clip_shard(paths: Sequence[str], shared: Mapping[str, Any]) -> tuple[list[EmbeddedClip], dict[str, str]]:
    """Clip files -> (their embeddings, errors by path). With ``shared["threads"]`` > 1, a thread reads and
    preprocesses the next `PREPARE_BATCH` clips while the model embeds the last ones (the model lets go of
    the GIL; the embeddings do not depend on the batches nor on the model's threads)."""
    model = as_model(shared["model"])
    clips: list[EmbeddedClip] = []
    errors: dict[str, str] = {}
    batches = split(list(paths), PREPARE_BATCH)
    ahead = shared.get("threads", 1) > 1 and len(batches) > 1
    pool = ThreadPoolExecutor(1, thread_name_prefix="motionsim-prepare")
    try:
        ready = [pool.submit(_prepare_clips, batch, model, shared) for batch in batches] if ahead else []  # in order
        for k, batch in enumerate(batches):
            if ahead:
                kept, prepared, failed = ready[k].result()
                # one model thread while the preparing thread has the other core, all of them once it is done
                encoder = model if ready[-1].done() else single_threaded(model)
            else:
                (kept, prepared, failed), encoder = _prepare_clips(batch, model, shared), model
            embedded = embed_prepared(prepared, encoder, shared["window"], shared["stride"])
            clips += [EmbeddedClip(p, n, fps, embs) for (p, n, fps), embs in zip(kept, embedded)]
            errors.update(failed)
    finally:
        pool.shutdown(cancel_futures=True)  # after an error or Ctrl-C, the batches not started are dropped
    return clips, errors


def _prepare_clips(paths: Sequence[str], model: InferenceModel, shared: Mapping[str, Any],
                   ) -> tuple[list[tuple[str, int, float | None]], list[PreparedMotion], dict[str, str]]:
    """Clip files -> ((path, frames, fps) of each clip read, its model input, errors by path)."""
    kept: list[tuple[str, int, float | None]] = []
    prepared: list[PreparedMotion] = []
    errors: dict[str, str] = {}
    for path in paths:
        try:
            seq = load_pose(path)
            prepared.append(prepare_motion(seq, model, shared["window"], shared["flips"], shared["pad_short"]))
        except MotionsimError as exc:
            errors[path] = str(exc)
            continue
        kept.append((path, len(seq), seq.fps))
    return kept, prepared, errors


def embed_clip_shards(paths: Sequence[str], model: InferenceModel, window: int, stride: int, *,
                      flips: Sequence[str | None] = (None,), pad_short: bool = False, engine: Engine | None = None,
                      store: ShardStore | None = None, on_shard: Callable[[int], None] | None = None,
                      shard_size: int = CLIP_SHARD) -> Iterator[tuple[list[EmbeddedClip], dict[str, str]]]:
    """(embedded clips, errors by path) of each shard of ``shard_size`` of ``paths`` (each path once), in the
    order of ``paths``, as the shards finish on ``engine`` (default: this process): a consumer that writes them
    out holds a few shards, not the whole set. ``store`` keeps finished shards (resume); ``on_shard(n_clips)``
    follows progress."""
    engine = engine or LocalEngine()
    shards = split(list(dict.fromkeys(paths)), shard_size)
    shared = {"model": shareable(model, engine), "window": window, "stride": stride, "flips": tuple(flips),
              "pad_short": pad_short, "threads": task_threads(engine)}
    for _, done in iter_shards(engine, embed_clip_shard, shards, shared, store, "clips",
                               None if on_shard is None else lambda i: on_shard(len(shards[i]))):
        yield done


def embed_clips(paths: Sequence[str], model: InferenceModel, window: int, stride: int, *,
                flips: Sequence[str | None] = (None,), pad_short: bool = False, engine: Engine | None = None,
                store: ShardStore | None = None, on_shard: Callable[[int], None] | None = None,
                shard_size: int = CLIP_SHARD) -> tuple[dict[str, EmbeddedClip], dict[str, str]]:
    """(embedded clips by path, errors by path) of ``paths``, each loaded and embedded once: `embed_clip_shards`
    gathered, for callers that need every clip at hand."""
    clips: dict[str, EmbeddedClip] = {}
    errors: dict[str, str] = {}
    for embedded, errs in embed_clip_shards(paths, model, window, stride, flips=flips, pad_short=pad_short,
                                            engine=engine, store=store, on_shard=on_shard, shard_size=shard_size):
        clips.update((c.path, c) for c in embedded)
        errors.update(errs)
    return clips, errors
