"""`MotionIndex`: build, extend, open and search a motion library folder (see `store` for its files).

Opening a library reads no vector index: only the approximate vote (libraries too large to scan) and `add`
need them, so they are read on first use and a library that the scans answer opens and searches without faiss.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import MotionsimError
from ..io import as_pose_sequence
from ..skeleton import BODY_PARTS
from . import ann
from .embedding import embed_library_clips
from .search import SearchHit, candidate_clips, clip_embedding, matched_frames, rank
from .store import KEYS, LibraryMeta, read_embeddings, read_meta, vectors, write_library

log = logging.getLogger(__name__)


def ann_file(folder: Path, key: str) -> Path:
    return folder / f"ann_{key}.faiss"


class MotionIndex:
    """A motion library on disk: clips embedded once, searchable per body part or as a whole."""

    def __init__(self, folder: Path, meta: LibraryMeta, parts: dict[str, np.ndarray], indexes: dict[str, Any],
                 model: Any) -> None:
        """``indexes``: the vector indexes read or built so far, by key (`_ann_index` reads the others)."""
        self.folder, self.meta, self.parts, self.indexes, self.model = folder, meta, parts, indexes, model
        self.owner = np.repeat(np.arange(len(meta.clips)), [c.n_windows for c in meta.clips])
        self.skipped: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self.meta.clips)

    @classmethod
    def build(cls, clips: Sequence[str | Path], folder: str | Path, *, window: int = 32, stride: int = 8,
              model: Any = None, backend: str = "auto", engine: Any = None, progress: bool = True,
              nlist: int | None = None) -> MotionIndex:
        """Embed ``clips`` (keypoint files or videos) and write a new library to ``folder`` (refused if one is
        there). Clips that cannot be read are skipped and listed in ``.skipped``."""
        from ..model.runtime import resolve_model

        folder = Path(folder)
        if folder.exists() and any(folder.iterdir()):
            raise MotionsimError(f"{folder}: folder exists and is not empty; add clips with `motionsim index add`")
        ckpt = resolve_model(model, backend)
        records, parts, skipped = embed_library_clips(clips, ckpt, window, stride, engine, progress, folder.parent)
        if not records:
            raise MotionsimError(f"none of the {len(clips)} clips could be read: " + next(iter(skipped.values()), ""))
        meta = LibraryMeta(ckpt.name, window, stride, records)
        indexes = {k: ann.build(vectors(parts, k), nlist) for k in KEYS}
        meta.ann = {"library": "faiss", "kind": "IVF-SQ8", "metric": "inner_product",
                    "nlist": {k: int(v.nlist) for k, v in indexes.items()}}
        cls._write(folder, meta, parts, indexes)
        lib = cls(folder, meta, parts, indexes, ckpt)
        lib.skipped = skipped
        return lib

    @classmethod
    def load(cls, folder: str | Path, model: Any = None, backend: str = "auto") -> MotionIndex:
        """Open a library; `IndexFormatError` (exit code 2 on the command line) if it is not a sound one."""
        from ..dtw import warm_up
        from ..model.runtime import resolve_model

        warm_up()  # re-ranking runs many small alignments
        folder = Path(folder)
        meta = read_meta(folder)
        parts = read_embeddings(folder, meta)
        for k in KEYS:  # present, but read when first needed (`_ann_index`)
            ann.check_present(ann_file(folder, k))
        ckpt = resolve_model(model, backend)
        if ckpt.name != meta.model:
            raise MotionsimError(f"{folder}: built with model {meta.model}, not {ckpt.name}; embeddings of "
                                 f"different models cannot be compared")
        unweighted = sum(c.movement is None for c in meta.clips)
        if unweighted:
            log.warning("%s: %d clips were indexed before part movement was recorded; their overall scores weigh "
                        "the parts equally (rebuild the library to weigh them like compare)", folder, unweighted)
        return cls(folder, meta, parts, {}, ckpt)

    def _ann_index(self, key: str) -> Any:
        """The vector index of ``key``, read from the folder on first use (needs faiss)."""
        if key not in self.indexes:
            self.indexes[key] = ann.load(ann_file(self.folder, key), self.meta.n_windows)
        return self.indexes[key]

    def add(self, clips: Sequence[str | Path], engine: Any = None, progress: bool = True) -> int:
        """Append ``clips`` to the library without rebuilding its indexes; returns how many were added."""
        indexes = [self._ann_index(k) for k in KEYS]  # all read (faiss found) before the clips are embedded
        known = {c.path for c in self.meta.clips}
        new = [c for c in clips if str(Path(c).resolve()) not in known]
        records, parts, self.skipped = embed_library_clips(new, self.model, self.meta.window, self.meta.stride, engine,
                                                   progress, self.folder.parent, first_window=self.meta.n_windows)
        if not records:
            return 0
        for k, index in zip(KEYS, indexes):
            ann.add(index, vectors(parts, k))
        self.parts = {p: np.concatenate([np.asarray(self.parts[p]), parts[p]]) for p in BODY_PARTS}
        self.meta.clips.extend(records)
        self._write(self.folder, self.meta, self.parts, self.indexes)
        self.owner = np.repeat(np.arange(len(self.meta.clips)), [c.n_windows for c in self.meta.clips])
        return len(records)

    @staticmethod
    def _write(folder: Path, meta: LibraryMeta, parts: dict[str, np.ndarray], indexes: dict[str, Any]) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for k, index in indexes.items():  # the metadata, written last, is what makes the folder a library
            tmp = ann_file(folder, k).with_suffix(".faiss.part")
            ann.save(index, tmp)
            tmp.replace(ann_file(folder, k))
        write_library(folder, meta, parts)

    def search(self, query: Any, part: str = "overall", top: int = 10, flip: bool = False,
               candidates: int | None = None, exhaustive: bool = False) -> list[SearchHit]:
        """The ``top`` clips most similar to ``query`` (path, array or PoseSequence) by Algorithm 1 for
        ``part`` ("overall" or a body part); ``flip`` also tries the query's mirror image. ``exhaustive``
        scores every clip exactly (the reference the index is measured against)."""
        from ..embed import embed_sequences
        from ..similarity import overall_score, part_weights

        if part not in KEYS:
            raise MotionsimError(f"--part must be one of {', '.join(KEYS)}, got {part!r}")
        seq = as_pose_sequence(query)
        w, r = self.meta.window, self.meta.stride
        queries = embed_sequences([seq], self.model, w, r, pad_short=True)
        if flip:
            queries += embed_sequences([seq], self.model, w, r, flip="body", pad_short=True)
        if exhaustive:
            cands = np.arange(len(self.meta.clips))
        else:
            cands = candidate_clips(queries, self.parts, self.meta.clips, part, top, candidates,
                                    functools.partial(self._ann_index, part), self.owner)
        hits = []
        for c, v, scores in rank(queries, self.parts, self.meta.clips, cands, part, top):
            record = self.meta.clips[c]
            best = part if part != "overall" else max(BODY_PARTS, key=lambda p: scores[p])
            emb = clip_embedding(self.parts, record, w, r)
            weights = part_weights(queries[v], emb)
            overall = overall_score(scores, weights)
            hits.append(SearchHit(record.path, overall if part == "overall" else scores[part], overall,
                                  dict(scores), v == 1, matched_frames(queries[v], emb, record, best), best,
                                  part_weights=weights))
        return hits
