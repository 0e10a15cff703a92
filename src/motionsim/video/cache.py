"""A disk cache of extracted poses, so comparing the same video again skips pose estimation.

Entries live in the user's cache directory (``platformdirs.user_cache_dir("motionsim")/poses``, or
``$MOTIONSIM_CACHE_DIR/poses``), one ``.npz`` per key. The key hashes the video's *content* (not its name or
date, so a renamed copy hits and an edited file misses), the estimator and its options, and the versions of
motionsim and of the estimator: a new release never serves poses made by an old one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from .._version import __version__
from ..digest import file_sha256
from ..pose import PoseSequence

T = TypeVar("T")

log = logging.getLogger(__name__)


def cache_dir() -> Path:
    """Where extracted poses are kept (created on first write)."""
    root = os.environ.get("MOTIONSIM_CACHE_DIR")
    if not root:
        import platformdirs

        root = platformdirs.user_cache_dir("motionsim")
    return Path(root) / "poses"


def cache_key(path: str | Path, estimator: str, options: Mapping[str, Any], estimator_version: str) -> str:
    """The key of one extraction: content digest + estimator + options + versions (the recipe keeps the key
    "backend" so earlier entries stay valid)."""
    recipe = json.dumps({"video": file_sha256(path), "backend": estimator, "options": dict(options),
                         "estimator": estimator_version, "motionsim": __version__}, sort_keys=True, default=str)
    return hashlib.sha256(recipe.encode()).hexdigest()[:32]


def _read_entry(key: str, read: Callable[[Any], T]) -> T | None:
    """``read(npz)`` of the entry ``key``, or None on a miss or a broken entry (truncated, foreign: the video is
    estimated again)."""
    path = cache_dir() / f"{key}.npz"
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            return read(data)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        log.warning("ignoring broken cache entry %s (%s)", path, exc)
        return None


def _write_entry(key: str, **arrays: Any) -> Path | None:
    """Store ``arrays`` under ``key`` atomically; a cache that cannot be written only costs a warning."""
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".npz.part")
        with os.fdopen(fd, "wb") as fh:
            np.savez_compressed(fh, **arrays)
        final = folder / f"{key}.npz"
        os.replace(tmp, final)
        return final
    except OSError as exc:
        log.warning("could not write the pose cache in %s (%s); extraction will run again next time", folder, exc)
        return None


def _stored_meta(seq: PoseSequence) -> dict[str, Any]:
    return {k: v for k, v in seq.meta.items() if k != "cache"}


def load(key: str, source: str) -> PoseSequence | None:
    """The cached poses of ``key`` (with ``source`` as their name), or None on a miss or a broken entry."""
    def read(data: Any) -> PoseSequence:
        fps = float(data["fps"])
        return PoseSequence(data["keypoints"], data["scores"], fps=fps if fps > 0 else None, source=source,
                            meta={**json.loads(str(data["meta"])), "cache": "hit"})

    return _read_entry(key, read)


def save(key: str, seq: PoseSequence) -> Path | None:
    """Store ``seq`` under ``key`` atomically; a cache that cannot be written only costs a warning."""
    return _write_entry(key, keypoints=seq.keypoints, scores=seq.scores, fps=np.float64(seq.fps or 0.0),
                        meta=json.dumps(_stored_meta(seq)))


def load_people(key: str, source: str) -> dict[int, PoseSequence] | None:
    """The cached people of ``key`` (`save_people`), or None on a miss or a broken entry."""
    def read(data: Any) -> dict[int, PoseSequence]:
        fps = float(data["fps"])
        metas = json.loads(str(data["meta"]))
        keypoints, scores, ids = data["keypoints"], data["scores"], data["ids"]
        if keypoints.ndim != 4 or len(metas) != len(ids) or len(ids) != len(keypoints):
            raise ValueError("not a cache entry of several people")
        return {int(i): PoseSequence(keypoints[k], scores[k], fps=fps if fps > 0 else None, source=source,
                                     meta={**metas[k], "cache": "hit"}) for k, i in enumerate(ids)}

    return _read_entry(key, read)


def save_people(key: str, people: Mapping[int, PoseSequence]) -> Path | None:
    """Store several people (same length, one id each) under ``key`` atomically, as `save` stores one."""
    seqs = list(people.values())
    return _write_entry(key, keypoints=np.stack([s.keypoints for s in seqs]),
                        scores=np.stack([s.scores for s in seqs]), ids=np.array(list(people), np.int64),
                        fps=np.float64(seqs[0].fps or 0.0), meta=json.dumps([_stored_meta(s) for s in seqs]))
