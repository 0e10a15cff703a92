"""The history: every comparison as one SQLite row (status, progress, attempts, options, inputs with their
SHA-256, result JSON, paths of the rendered files), so a refresh or a restart loses nothing.

One connection and one lock: every read and write goes through it, so there is a single writer (like
datasette's write thread) and the worker thread and request handlers never interleave statements.

Before a server starts, `hold_state` makes sure no other server uses the same state folder, `check_history`
that the database is readable and matches the results on disk (a corrupt or emptied database is refused with
one line, never silently replaced); `move_aside` is what ``--reset-history`` does with the old one. An older
database gains the new columns when opened (`MIGRATIONS`).
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
import time
import uuid
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows: no lock there
    fcntl = None  # type: ignore[assignment]

from ..errors import MotionsimError

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    status TEXT NOT NULL,          -- queued | running | done | failed
    stage TEXT NOT NULL DEFAULT '',
    progress REAL NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,  -- how many times a worker started it
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
#: Columns added since the first schema: (table, column, definition); added to an older database when opened.
MIGRATIONS = (("jobs", "attempts", "INTEGER NOT NULL DEFAULT 0"),)
_JSON_FIELDS = ("options", "result", "files")
#: The columns a history listing reads (all but the whole result).
_LISTED = "id, created, updated, status, stage, progress, attempts, error, options, files"
UNFINISHED = ("queued", "running")
FINISHED = ("done", "failed")
#: How a result folder (jobs/<id>) and a stored upload (uploads/<sha256>.<ext>) are named.
JOB_ID = re.compile(r"[0-9a-f]{12}")
UPLOAD_NAME = re.compile(r"[0-9a-f]{64}\.[a-z0-9]{1,5}")
RESET_HINT = "move it aside, or start with --reset-history (which moves the old history and its files into {aside})"


class HistoryError(MotionsimError):
    """The history database cannot be used as it is; the message says what to do."""


#: State folders this process holds (path -> open lock file, holders), so the command line and the app it builds
#: can both hold the same folder.
_HELD: dict[str, list[Any]] = {}
_HELD_LOCK = threading.Lock()


def hold_state(state_dir: Path) -> None:
    """Take the state folder for this process (an exclusive ``flock`` on ``STATE/.lock``), or refuse
    (`HistoryError`) when another server holds it: two servers on one folder would remove each other's
    uploads in flight. Held until `release_state` is called as many times."""
    key = str(state_dir)
    with _HELD_LOCK:
        if key in _HELD:
            _HELD[key][1] += 1
            return
        state_dir.mkdir(parents=True, exist_ok=True)
        handle = (state_dir / ".lock").open("a+")
        if fcntl is not None:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.seek(0)
                owner = handle.read().strip() or "?"
                handle.close()
                raise HistoryError(f"{state_dir}: another motionsim serve (process {owner}) uses this state folder; "
                                   f"stop it, or give this one another --state") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        _HELD[key] = [handle, 1]


def release_state(state_dir: Path) -> None:
    key = str(state_dir)
    with _HELD_LOCK:
        if key in _HELD:
            _HELD[key][1] -= 1
            if not _HELD[key][1]:
                _HELD.pop(key)[0].close()


def _count_files(folder: Path, pattern: re.Pattern[str]) -> int:
    try:
        return sum(1 for p in folder.iterdir() if pattern.fullmatch(p.name))
    except OSError:
        return 0


def check_history(db_path: Path, results_dir: Path, upload_dir: Path) -> None:
    """Refuse (`HistoryError`, one line) a history database that cannot be opened, fails SQLite's quick check,
    is not motionsim's, or is missing or empty while stored results exist (they would all be orphaned)."""
    aside = RESET_HINT.format(aside=f"{db_path.parent}/old-<time>/")
    stored = _count_files(results_dir, JOB_ID) + _count_files(upload_dir, UPLOAD_NAME)
    orphans = (f"but {results_dir.parent} holds {_count_files(results_dir, JOB_ID)} results and "
               f"{_count_files(upload_dir, UPLOAD_NAME)} uploads that it would orphan")
    if not db_path.exists():
        if stored:
            raise HistoryError(f"{db_path}: the history database is missing, {orphans}; put it back, or start "
                               f"with --reset-history (which moves those files into {db_path.parent}/old-<time>/)")
        return
    try:
        db = sqlite3.connect(f"{db_path.absolute().as_uri()}?mode=rw", uri=True)
    except sqlite3.Error as exc:
        raise HistoryError(f"{db_path}: the history database cannot be opened ({exc}); {aside}") from None
    try:
        problems = [row[0] for row in db.execute("PRAGMA quick_check(1)")]
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        rows = db.execute("SELECT count(*) FROM jobs").fetchone()[0] if "jobs" in tables else 0
    except sqlite3.Error as exc:
        raise HistoryError(f"{db_path}: the history database is corrupt ({exc}); {aside}") from None
    finally:
        db.close()
    if problems != ["ok"]:
        raise HistoryError(f"{db_path}: the history database is corrupt ({problems[0]}); {aside}")
    if tables - {"jobs", "inputs"} and "jobs" not in tables:
        raise HistoryError(f"{db_path}: not a motionsim history (it has tables {', '.join(sorted(tables))}); "
                           f"{aside}")
    if not rows and stored:
        raise HistoryError(f"{db_path}: the history database is empty, {orphans}; {aside}")


def move_aside(db_path: Path, results_dir: Path, upload_dir: Path) -> Path | None:
    """``--reset-history``: move the database (with its -wal/-shm files), the results and the uploads into a new
    folder ``old-<time>`` beside them (nothing is deleted); returns that folder, or None when there was nothing."""
    moving = [p for p in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm"), results_dir, upload_dir)
              if p.exists()]
    if not moving:
        return None
    aside = db_path.parent / time.strftime("old-%Y%m%d-%H%M%S")
    while aside.exists():
        aside = aside.with_name(aside.name + "-1")
    aside.mkdir(parents=True)
    for path in moving:
        path.rename(aside / path.name)
    return aside


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
            for table, column, definition in MIGRATIONS:
                if column not in {row["name"] for row in self._db.execute(f"PRAGMA table_info({table})")}:
                    self._db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _row(self, row: sqlite3.Row | None) -> dict[str, Any] | None:
        if row is None:
            return None
        job = dict(row)
        for key in _JSON_FIELDS:
            if key in job:
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

    def begin(self, job_id: str) -> int:
        """Mark a job running as a worker starts it; returns how many times it has been started."""
        with self._lock:
            self._db.execute("UPDATE jobs SET attempts = attempts + 1, status = 'running', updated = ? WHERE id = ?",
                             (time.time(), job_id))
            row = self._db.execute("SELECT attempts FROM jobs WHERE id = ?", (job_id,)).fetchone()
            return int(row["attempts"]) if row else 0

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
        """Newest first, each ``result`` cut to its summary (similarity, body_parts, flipped) by SQLite, so a
        long history of long comparisons is never parsed whole."""
        with self._lock:
            rows = self._db.execute(f"SELECT {_LISTED}, json_extract(result, '$.similarity', '$.body_parts', "
                                    "'$.flipped') AS summary FROM jobs ORDER BY created DESC LIMIT ?",
                                    (limit,)).fetchall()
            jobs = []
            for row in rows:
                job = self._row(row)
                summary = json.loads(job.pop("summary")) if row["summary"] else None
                job["result"] = dict(zip(("similarity", "body_parts", "flipped"), summary)) if summary else None
                jobs.append(job)
            return jobs

    def delete(self, job_id: str) -> bool:
        with self._lock:
            return self._db.execute("DELETE FROM jobs WHERE id = ?", (job_id,)).rowcount > 0

    def path_in_use(self, path: str, exclude: str = "") -> bool:
        """Whether a job other than ``exclude`` refers to this stored file (uploads are shared by content)."""
        with self._lock:
            return self._db.execute("SELECT 1 FROM inputs WHERE path = ? AND job_id != ? LIMIT 1",
                                    (path, exclude)).fetchone() is not None

    def finished(self) -> list[dict[str, Any]]:
        """Done and failed jobs, oldest first (what the retention policy may remove): id, created and inputs
        only (results are not parsed)."""
        with self._lock:
            rows = self._db.execute("SELECT id, created FROM jobs WHERE status IN (?, ?) ORDER BY created, id",
                                    FINISHED).fetchall()
            inputs: dict[str, dict[str, dict[str, str]]] = {}
            for r in self._db.execute("SELECT job_id, side, name, sha256, path, kind FROM inputs"):
                inputs.setdefault(r["job_id"], {})[r["side"]] = {k: r[k] for k in ("name", "sha256", "path", "kind")}
            return [{"id": r["id"], "created": r["created"], "inputs": inputs.get(r["id"], {})} for r in rows]

    def known(self) -> tuple[set[str], set[str]]:
        """(every job id, every stored path an input refers to)."""
        with self._lock:
            ids = {r["id"] for r in self._db.execute("SELECT id FROM jobs")}
            paths = {r["path"] for r in self._db.execute("SELECT DISTINCT path FROM inputs")}
            return ids, paths

    def unfinished(self) -> list[str]:
        """Jobs a previous server left queued or running, oldest first (they are run again)."""
        with self._lock:
            rows = self._db.execute("SELECT id FROM jobs WHERE status IN (?, ?) ORDER BY created",
                                    UNFINISHED).fetchall()
            return [r["id"] for r in rows]
