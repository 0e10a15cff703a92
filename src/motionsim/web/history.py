"""The history: every comparison as one SQLite row (status, progress, options, inputs with their SHA-256,
result JSON, paths of the rendered files), so a refresh or a restart loses nothing.

One connection and one lock: every read and write goes through it, so there is a single writer (like
datasette's write thread) and the worker thread and request handlers never interleave statements.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    status TEXT NOT NULL,          -- queued | running | done | failed
    stage TEXT NOT NULL DEFAULT '',
    progress REAL NOT NULL DEFAULT 0,
    error TEXT,
    options TEXT NOT NULL,         -- JSON: window, stride, flip, threshold, person, feedback
    result TEXT,                   -- JSON: exactly `motionsim compare --json`
    files TEXT NOT NULL DEFAULT '{}'  -- JSON: kind -> path of a rendered file (json, video, report, timeline)
);
CREATE TABLE IF NOT EXISTS inputs (
    job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    side TEXT NOT NULL,            -- a | b
    name TEXT NOT NULL,            -- what the user called it (display only, never a path)
    sha256 TEXT NOT NULL,
    path TEXT NOT NULL,            -- the stored upload or the resolved --data file
    kind TEXT NOT NULL,            -- upload | data
    PRIMARY KEY (job_id, side)
);
CREATE INDEX IF NOT EXISTS inputs_path ON inputs(path);
"""
_JSON_FIELDS = ("options", "result", "files")
UNFINISHED = ("queued", "running")


class Store:
    """SQLite history of comparison jobs (thread-safe: one connection behind one lock)."""

    def __init__(self, path: str | Path) -> None:
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _row(self, row: sqlite3.Row | None) -> dict[str, Any] | None:
        if row is None:
            return None
        job = dict(row)
        for key in _JSON_FIELDS:
            job[key] = json.loads(job[key]) if job[key] else None
        job["inputs"] = {r["side"]: dict(r) for r in self._db.execute(
            "SELECT side, name, sha256, path, kind FROM inputs WHERE job_id = ? ORDER BY side", (job["id"],))}
        return job

    def create(self, options: dict[str, Any], inputs: dict[str, dict[str, str]]) -> dict[str, Any]:
        """A queued job; ``inputs`` maps side (a, b) to name, sha256, path and kind."""
        job_id, now = uuid.uuid4().hex[:12], time.time()
        with self._lock:
            self._db.execute("BEGIN")
            self._db.execute("INSERT INTO jobs (id, created, updated, status, options) VALUES (?, ?, ?, 'queued', ?)",
                             (job_id, now, now, json.dumps(options)))
            for side, item in inputs.items():
                self._db.execute("INSERT INTO inputs (job_id, side, name, sha256, path, kind) "
                                 "VALUES (?, ?, ?, ?, ?, ?)",
                                 (job_id, side, item["name"], item["sha256"], item["path"], item["kind"]))
            self._db.execute("COMMIT")
            return self._row(self._db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone())

    def update(self, job_id: str, **fields: Any) -> None:
        """Set columns of one job (status, stage, progress, error, result, files)."""
        for key in _JSON_FIELDS:
            if key in fields and fields[key] is not None:
                fields[key] = json.dumps(fields[key])
        fields["updated"] = time.time()
        names = ", ".join(f"{k} = ?" for k in fields)
        with self._lock:
            self._db.execute(f"UPDATE jobs SET {names} WHERE id = ?", (*fields.values(), job_id))  # noqa: S608

    def get(self, job_id: str) -> dict[str, Any] | None:
        with self._lock:
            return self._row(self._db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone())

    def list(self, limit: int = 200) -> list[dict[str, Any]]:
        """Newest first."""
        with self._lock:
            rows = self._db.execute("SELECT * FROM jobs ORDER BY created DESC LIMIT ?", (limit,)).fetchall()
            return [self._row(r) for r in rows]

    def delete(self, job_id: str) -> bool:
        with self._lock:
            return self._db.execute("DELETE FROM jobs WHERE id = ?", (job_id,)).rowcount > 0

    def path_in_use(self, path: str, exclude: str = "") -> bool:
        """Whether a job other than ``exclude`` refers to this stored file (uploads are shared by content)."""
        with self._lock:
            return self._db.execute("SELECT 1 FROM inputs WHERE path = ? AND job_id != ? LIMIT 1",
                                    (path, exclude)).fetchone() is not None

    def unfinished(self) -> list[str]:
        """Jobs a previous server left queued or running, oldest first (they are run again)."""
        with self._lock:
            rows = self._db.execute("SELECT id FROM jobs WHERE status IN (?, ?) ORDER BY created",
                                    UNFINISHED).fetchall()
            return [r["id"] for r in rows]
