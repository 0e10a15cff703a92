"""`MotionIndex`: build, extend, open and search a motion library folder (see `store` for its files).

New libraries are written in format 2 (float16 embeddings and window sketches, no vector index), clip by clip
(`writer`). Libraries of format 1 (float32 and faiss indexes) open, search and grow exactly as before; opening
one reads no vector index: only the approximate vote (libraries too large to scan) and `add` need them, so they
are read on first use and a library that the scans answer opens and searches without faiss.

Several folders searched as one (a library split into shards) are `sharded.ShardedIndex`; `open_library`
opens either.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..embed import SequenceEmbedding
from ..errors import MotionsimError
from ..io import as_pose_sequence
from ..skeleton import BODY_PARTS
from . import ann
from .embedding import embed_into, embed_library_clips
from .search import Proposers, SearchHit, Sketches, candidate_clips, clip_embedding, matched_frames, rank
from .store import KEYS, VERSION, LibraryMeta, read_embeddings, read_meta, read_sketches, vectors, write_library
from .writer import LibraryWriter

log = logging.getLogger(__name__)


def ann_file(folder: Path, key: str) -> Path:
    return folder / f"ann_{key}.faiss"


def check_new_folder(folder: Path) -> None:
    if folder.exists() and any(folder.iterdir()):
        raise MotionsimError(f"{folder}: folder exists and is not empty; add clips with `motionsim index add`")


def check_model(folder: Path, meta_model: str, model: Any) -> None:
    if model.name != meta_model:
        raise MotionsimError(f"{folder}: built with model {meta_model}, not {model.name}; embeddings of "
                             f"different models cannot be compared")


class MotionIndex:
    """A motion library on disk: clips embedded once, searchable per body part or as a whole."""

    def __init__(self, folder: Path, meta: LibraryMeta, parts: dict[str, np.ndarray], indexes: dict[str, Any],
                 model: Any, sketches: Sketches | None = None) -> None:
        """``indexes``: the vector indexes read or built so far, by key (format 1; `_ann_index` reads the
        others); ``sketches``: the window sketches (format 2); ``model``: None for a library that only
        searches queries embedded elsewhere (`open`)."""
        self.folder, self.meta, self.parts, self.indexes, self.model = folder, meta, parts, indexes, model
        self.sketches = sketches
        self.owner = np.repeat(np.arange(len(meta.clips)), [c.n_windows for c in meta.clips])
        self.skipped: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self.meta.clips)

    @classmethod
    def build(cls, clips: Sequence[str | Path], folder: str | Path, *, window: int = 32, stride: int = 8,
              model: Any = None, backend: str = "auto", engine: Any = None, progress: bool = True,
              nlist: int | None = None, version: int = VERSION) -> MotionIndex:
        """Embed ``clips`` (keypoint files or videos) and write a new library to ``folder`` (refused if one is
        there). Clips that cannot be read are skipped and listed in ``.skipped``. ``version`` 1 writes the
        former format (float32 and faiss indexes with ``nlist`` lists), kept for libraries that have it."""
        from ..model.runtime import resolve_model

        folder = Path(folder)
        check_new_folder(folder)
        ckpt = resolve_model(model, backend)
        meta = LibraryMeta(ckpt.name, window, stride, version=version)
        if version == 1:
            records, parts, skipped = embed_library_clips(clips, ckpt, window, stride, engine, progress, folder.parent)
            if records:
                meta.clips = records
                indexes = {k: ann.build(vectors(parts, k), nlist) for k in KEYS}
                meta.ann = {"library": "faiss", "kind": "IVF-SQ8", "metric": "inner_product",
                            "nlist": {k: int(v.nlist) for k, v in indexes.items()}}
                cls._write_v1(folder, meta, parts, indexes)
        else:
            writer = LibraryWriter(folder, meta)
            skipped = embed_into(clips, ckpt, window, stride, engine, progress, folder.parent, writer.add)
            writer.finish()
        if not meta.clips:
            raise MotionsimError(f"none of the {len(clips)} clips could be read: " + next(iter(skipped.values()), ""))
        lib = cls.load(folder, ckpt)
        lib.skipped = skipped
        return lib

    @classmethod
    def open(cls, folder: str | Path) -> MotionIndex:
        """Open a library without a model: it searches queries embedded elsewhere (`search_embedded`), as the
        shards of a sharded library do. `IndexFormatError` if it is not a sound library."""
        from ..dtw import warm_up

        warm_up()  # re-ranking runs many small alignments
        folder = Path(folder)
        meta = read_meta(folder)
        parts = read_embeddings(folder, meta)
        sketches = None
        if meta.version == 1:
            for k in KEYS:  # present, but read when first needed (`_ann_index`)
                ann.check_present(ann_file(folder, k))
        else:
            sketches = Sketches(*read_sketches(folder, meta))
        return cls(folder, meta, parts, {}, None, sketches)

    @classmethod
    def load(cls, folder: str | Path, model: Any = None, backend: str = "auto") -> MotionIndex:
        """Open a library with the model it was built with; `IndexFormatError` (exit code 2 on the command
        line) if it is not a sound one."""
        from ..model.runtime import resolve_model

        lib = cls.open(folder)
        ckpt = resolve_model(model, backend)
        check_model(lib.folder, lib.meta.model, ckpt)
        lib.model = ckpt
        unweighted = sum(c.movement is None for c in lib.meta.clips)
        if unweighted:
            log.warning("%s: %d clips were indexed before part movement was recorded; their overall scores weigh "
                        "the parts equally (rebuild the library to weigh them like compare)", lib.folder, unweighted)
        return lib

    def _ann_index(self, key: str) -> Any:
        """The vector index of ``key``, read from the folder on first use (format 1; needs faiss)."""
        if key not in self.indexes:
            self.indexes[key] = ann.load(ann_file(self.folder, key), self.meta.n_windows)
        return self.indexes[key]

    def add(self, clips: Sequence[str | Path], engine: Any = None, progress: bool = True) -> int:
        """Append ``clips`` to the library without rebuilding it; returns how many were added. Clips already in
        the library (same path) are left out."""
        known = {c.path for c in self.meta.clips}
        new = [c for c in clips if str(Path(c).resolve()) not in known]
        if self.meta.version == 1:
            return self._add_v1(new, engine, progress)
        writer = self.writer()
        self.skipped = embed_into(new, self.model, self.meta.window, self.meta.stride, engine, progress,
                                  self.folder.parent, writer.add)
        writer.finish()
        self.reopen()
        return writer.added

    def writer(self) -> LibraryWriter:
        """A writer that appends clips to this library (format 2); `reopen` after its ``finish``."""
        return LibraryWriter(self.folder, read_meta(self.folder))

    def reopen(self) -> None:
        """Read the library's files again (after a writer changed them)."""
        fresh = MotionIndex.open(self.folder)
        self.meta, self.parts, self.sketches, self.owner = fresh.meta, fresh.parts, fresh.sketches, fresh.owner
        self.indexes = {}

    def _add_v1(self, new: Sequence[str | Path], engine: Any, progress: bool) -> int:
        indexes = [self._ann_index(k) for k in KEYS]  # all read (faiss found) before the clips are embedded
        records, parts, self.skipped = embed_library_clips(new, self.model, self.meta.window, self.meta.stride, engine,
                                                           progress, self.folder.parent,
                                                           first_window=self.meta.n_windows)
        if not records:
            return 0
        for k, index in zip(KEYS, indexes):
            ann.add(index, vectors(parts, k))
        self.parts = {p: np.concatenate([np.asarray(self.parts[p]), parts[p]]) for p in BODY_PARTS}
        self.meta.clips.extend(records)
        self._write_v1(self.folder, self.meta, self.parts, self.indexes)
        self.owner = np.repeat(np.arange(len(self.meta.clips)), [c.n_windows for c in self.meta.clips])
        return len(records)

    @staticmethod
    def _write_v1(folder: Path, meta: LibraryMeta, parts: dict[str, np.ndarray], indexes: dict[str, Any]) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for k, index in indexes.items():  # the metadata, written last, is what makes the folder a library
            tmp = ann_file(folder, k).with_suffix(".faiss.part")
            ann.save(index, tmp)
            tmp.replace(ann_file(folder, k))
        write_library(folder, meta, parts)

    def embed_query(self, query: Any, flip: bool = False) -> list[SequenceEmbedding]:
        """The query (path, array or PoseSequence) embedded as the library's clips were: as filmed and, with
        ``flip``, mirrored."""
        if self.model is None:
            raise MotionsimError(f"{self.folder}: opened without a model; embed the query elsewhere")
        return embed_query(query, self.model, self.meta.window, self.meta.stride, flip)

    def search(self, query: Any, part: str = "overall", top: int = 10, flip: bool = False,
               candidates: int | None = None, exhaustive: bool = False,
               proposers: Proposers | None = None) -> list[SearchHit]:
        """The ``top`` clips most similar to ``query`` (path, array or PoseSequence) by Algorithm 1 for
        ``part`` ("overall" or a body part); ``flip`` also tries the query's mirror image. ``exhaustive``
        scores every clip exactly (the reference the index is measured against); ``proposers``: the budgets
        that pick the proposer (`search.Proposers`; default: the library's size decides as documented)."""
        check_key(part)
        return [hit for _, hit in self.ranked(self.embed_query(query, flip), part, top, candidates, exhaustive,
                                              proposers)]

    def ranked(self, queries: Sequence[SequenceEmbedding], part: str = "overall", top: int = 10,
               candidates: int | None = None, exhaustive: bool = False,
               proposers: Proposers | None = None) -> list[tuple[int, SearchHit]]:
        """(clip number, hit) of the ``top`` clips for embedded ``queries`` (`embed_query`), best first: the
        search itself, which needs no model."""
        from ..similarity import overall_score, part_weights

        check_key(part)
        w, r = self.meta.window, self.meta.stride
        if exhaustive:
            cands = np.arange(len(self.meta.clips))
        else:
            cands = candidate_clips(queries, self.parts, self.meta.clips, part, top, candidates,
                                    functools.partial(self._ann_index, part), self.owner, self.sketches,
                                    proposers or Proposers())
        hits = []
        for c, v, scores in rank(queries, self.parts, self.meta.clips, cands, part, top):
            record = self.meta.clips[c]
            best = part if part != "overall" else max(BODY_PARTS, key=lambda p: scores[p])
            emb = clip_embedding(self.parts, record, w, r)
            weights = part_weights(queries[v], emb)
            overall = overall_score(scores, weights)
            hits.append((c, SearchHit(record.path, overall if part == "overall" else scores[part], overall,
                                      dict(scores), v == 1, matched_frames(queries[v], emb, record, best), best,
                                      part_weights=weights)))
        return hits


def embed_query(query: Any, model: Any, window: int, stride: int, flip: bool = False) -> list[SequenceEmbedding]:
    """A query (path, array or PoseSequence) embedded as a library's clips are: as filmed and, with ``flip``,
    mirrored (short queries padded to one window)."""
    from ..embed import embed_sequences

    seq = as_pose_sequence(query)
    queries = embed_sequences([seq], model, window, stride, pad_short=True)
    if flip:
        queries += embed_sequences([seq], model, window, stride, flip="body", pad_short=True)
    return queries


def check_key(part: str) -> None:
    if part not in KEYS:
        raise MotionsimError(f"--part must be one of {', '.join(KEYS)}, got {part!r}")
