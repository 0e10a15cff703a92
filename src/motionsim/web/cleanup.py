"""What the server removes from its state folder, and when: a forgotten job (its row, its rendered files, the
uploads no other job or request uses), the leftovers of a killed server at start (half-written uploads, files no
history row refers to), and the retention policy (``--keep-days``, ``--max-state-gb``: finished jobs, oldest
first; a queued or running job is never removed)."""

from __future__ import annotations

import logging
import os
import shutil
import time
from pathlib import Path
from typing import Any

from .history import JOB_ID, UPLOAD_NAME, Store
from .settings import Settings
from .uploads import STORED_KINDS, UploadLeases, remove_partial_uploads, remove_unused_uploads

log = logging.getLogger("motionsim.web")
GB = 1024**3


def forget(job: dict[str, Any], store: Store, settings: Settings, leases: UploadLeases) -> None:
    """Remove a job: its row, its rendered files, and its uploads that no other job or request uses."""
    store.delete(job["id"])
    shutil.rmtree(settings.results_dir / job["id"], ignore_errors=True)
    remove_unused_uploads(store, job["inputs"].values(), settings.upload_dir, leases, exclude=job["id"])


def clean_at_start(store: Store, settings: Settings) -> dict[str, int]:
    """Remove what a killed server left behind: half-written uploads, and stored uploads and result folders that
    no history row refers to (run before any request, after `motionsim.web.history.check_history` found the
    history consistent). Returns counts per kind."""
    ids, paths = store.known()
    orphans = {"partial": remove_partial_uploads(settings.upload_dir), "uploads": 0, "results": 0}
    for path in settings.upload_dir.iterdir():
        if UPLOAD_NAME.fullmatch(path.name) and str(path) not in paths and path.is_file():
            path.unlink(missing_ok=True)
            orphans["uploads"] += 1
    for path in settings.results_dir.iterdir():
        if JOB_ID.fullmatch(path.name) and path.name not in ids and path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
            orphans["results"] += 1
    if any(orphans.values()):
        log.info("removed leftovers of a stopped server: %s", orphans)
    return orphans


def _bytes(path: Path) -> int:
    """Bytes a file or folder takes (symlinks not followed; vanished files count 0)."""
    try:
        if path.is_symlink() or not path.is_dir():
            return path.lstat().st_size
    except OSError:
        return 0
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except OSError:
                pass
    return total


def state_bytes(settings: Settings) -> int:
    """What the state folder takes: the history database (with its WAL), results and uploads."""
    db = settings.db_path
    return sum(_bytes(p) for p in (db, Path(f"{db}-wal"), settings.results_dir, settings.upload_dir))


def apply_retention(store: Store, settings: Settings, leases: UploadLeases, now: float | None = None,
                    keep: str = "") -> list[str]:
    """Remove finished jobs, oldest first: those created more than ``keep_days`` ago, then as many as it takes
    to bring the state folder under ``max_state_gb``; never a queued or running job, nor ``keep`` (the job that
    has just finished, so that its result can still be read). Returns the ids removed."""
    if settings.keep_days is None and settings.max_state_gb is None:
        return []
    now = time.time() if now is None else now
    removed: list[str] = []
    jobs = [j for j in store.finished() if j["id"] != keep]
    if settings.keep_days is not None:
        cutoff = now - settings.keep_days * 86400
        for job in [j for j in jobs if j["created"] < cutoff]:
            forget(job, store, settings, leases)
            removed.append(job["id"])
    if settings.max_state_gb is not None:
        limit, total = settings.max_state_gb * GB, state_bytes(settings)
        for job in (j for j in jobs if j["id"] not in removed):
            if total <= limit:
                break
            owned = [settings.results_dir / job["id"]] + [Path(i["path"]) for i in job["inputs"].values()
                                                           if i["kind"] in STORED_KINDS]
            before = sum(_bytes(p) for p in owned)
            forget(job, store, settings, leases)
            total -= before - sum(_bytes(p) for p in owned)
            removed.append(job["id"])
    if removed:
        log.info("retention removed %d finished comparisons", len(removed))
    return removed
