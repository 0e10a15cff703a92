"""The state folder under stress (issue 26, findings 1, 6 and 7): a shared upload outlives another request's
failure, a killed server's leftovers are removed at start, an interrupted job runs again at most
``max_attempts`` times, the retention policy removes the oldest finished jobs only, an older database gains the
new columns, and a corrupt or emptied database stops the start with one line."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from web_helpers import LOCAL, upload, wait_for, wait_until_served

from motionsim.cli import main
from motionsim.evaluate.toy import make_motion
from motionsim.web import uploads
from motionsim.web.app import create_app
from motionsim.web.cleanup import apply_retention, state_bytes
from motionsim.web.history import Store, check_history
from motionsim.web.settings import Settings
from motionsim.web.uploads import UploadLeases


def cli_json(a: Path, b: Path) -> dict:
    out = io.StringIO()
    assert main(["compare", str(a), str(b), "--json"], out=out) == 0
    return json.loads(out.getvalue())


def test_a_shared_upload_outlives_another_requests_failure(client, settings, data_dir, tmp_path, monkeypatch):
    """Request 1 stores wave.json, then is slowed while it saves its second file; meanwhile request 2 uploads
    the same wave.json with a file that is refused, and cleans up. Request 1 must still get its result."""
    slow = tmp_path / "slow.npy"
    np.save(slow, make_motion(64, seed=3))
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x7fELF" + bytes(100))
    real_sniff, saving, other_done = uploads.sniff, threading.Event(), threading.Event()

    def slowed_sniff(path: Path, name: str) -> str:
        if name == "slow.npy":  # request 1 has stored wave.json and is still saving this one
            saving.set()
            other_done.wait(30)
        return real_sniff(path, name)

    monkeypatch.setattr(uploads, "sniff", slowed_sniff)
    first: dict = {}
    request = threading.Thread(target=lambda: first.update(r=upload(
        client, data_dir / "wave.json", slow, wait=True, feedback="false")))
    request.start()
    assert saving.wait(30)
    second = upload(client, data_dir / "wave.json", bad)
    assert second.status_code == 415
    other_done.set()
    request.join(60)
    assert first["r"].status_code == 200, first["r"].text
    assert first["r"].json() == cli_json(data_dir / "wave.json", slow)
    assert len(list(settings.upload_dir.iterdir())) == 2  # wave and slow, kept for the history


def test_remove_unused_uploads_spares_what_a_request_holds(settings, data_dir):
    settings.make_dirs()
    leases, store = UploadLeases(), Store(settings.db_path)
    try:
        with (data_dir / "wave.json").open("rb") as fh:
            held = uploads.save_upload(fh, "wave.json", settings.upload_dir, 1 << 20, leases)
        uploads.remove_unused_uploads(store, [held], settings.upload_dir, leases)
        assert Path(held["path"]).is_file()  # held by the request: kept
        leases.release([held])
        uploads.remove_unused_uploads(store, [held], settings.upload_dir, leases)
        assert not Path(held["path"]).exists()  # no request, no job: removed
    finally:
        store.close()


def test_a_killed_servers_leftovers_are_removed_at_start(settings, data_dir):
    with TestClient(create_app(settings), base_url=LOCAL) as client:
        kept = upload(client, data_dir / "wave.json", data_dir / "kick.json", wait=True, feedback="false")
        assert kept.status_code == 200
    stored = sorted(settings.upload_dir.iterdir())
    partial = settings.upload_dir / f"{uploads.PARTIAL_PREFIX}k3j4h5"  # a kill in the middle of an upload
    partial.write_bytes(bytes(1000))
    orphan = settings.upload_dir / ("ab" * 32 + ".json")  # stored, but its request never made a job
    orphan.write_text("{}")
    stale = settings.results_dir / "0123456789ab"  # a job row deleted, its files not yet
    stale.mkdir()
    (stale / "result.json").write_text("{}")
    mine = settings.upload_dir / "notes.txt"  # not a name the server gives: never touched
    mine.write_text("keep")
    with TestClient(create_app(settings), base_url=LOCAL) as client:
        assert not partial.exists() and not orphan.exists() and not stale.exists()
        assert mine.exists() and sorted(p for p in settings.upload_dir.iterdir() if p != mine) == stored
        assert client.get("/api/jobs").json()["count"] == 1


def test_an_interrupted_job_runs_again_at_most_max_attempts_times(settings, data_dir):
    settings.make_dirs()
    store = Store(settings.db_path)
    inputs = {side: {"name": n, "sha256": "0" * 64, "path": str(data_dir / n), "kind": "data"}
              for side, n in (("a", "wave.json"), ("b", "kick.json"))}
    options = {"window": 32, "stride": 8, "flip": False, "threshold": 0.4, "person": "auto", "feedback": False}
    again = store.create(options, inputs)["id"]
    store.begin(again)  # a server was killed once while it ran
    given_up = store.create(options, inputs)["id"]
    for _ in range(settings.max_attempts):  # ... and this one three times
        store.begin(given_up)
    store.close()
    with TestClient(create_app(settings), base_url=LOCAL) as client:
        job = wait_for(client, again)
        assert job["status"] == "done", job["error"]
        job = client.get(f"/api/jobs/{given_up}").json()
        assert job["status"] == "failed"
        assert job["error"].startswith("interrupted 3 times: the server stopped while this comparison ran")
    with sqlite3.connect(settings.db_path) as db:
        assert dict(db.execute("SELECT id, attempts FROM jobs")) == {again: 2, given_up: 3}


def test_an_older_database_gains_the_attempts_column(settings):
    settings.make_dirs()
    with sqlite3.connect(settings.db_path) as db:  # the schema before issue 26
        db.executescript("""
            CREATE TABLE jobs (id TEXT PRIMARY KEY, created REAL NOT NULL, updated REAL NOT NULL,
                status TEXT NOT NULL, stage TEXT NOT NULL DEFAULT '', progress REAL NOT NULL DEFAULT 0, error TEXT,
                options TEXT NOT NULL, result TEXT, files TEXT NOT NULL DEFAULT '{}');
            CREATE TABLE inputs (job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE, side TEXT NOT NULL,
                name TEXT NOT NULL, sha256 TEXT NOT NULL, path TEXT NOT NULL, kind TEXT NOT NULL,
                PRIMARY KEY (job_id, side));
            INSERT INTO jobs VALUES ('aaaaaaaaaaaa', 1, 1, 'failed', 'failed', 0, 'old', '{}', NULL, '{}');""")
    db.close()
    with TestClient(create_app(settings), base_url=LOCAL) as client:
        assert client.get("/api/jobs/aaaaaaaaaaaa").json()["error"] == "old"
    with sqlite3.connect(settings.db_path) as db:
        assert db.execute("SELECT attempts FROM jobs").fetchall() == [(0,)]
    db.close()


def _finished_jobs(settings: Settings, store: Store, sizes: list[int], shared: Path) -> list[str]:
    """Done jobs created a day apart (oldest first), each with a result folder of the given size and its own
    upload, all sharing one more upload."""
    ids = []
    for k, size in enumerate(sizes):
        own = settings.upload_dir / (f"{k:064x}"[-64:] + ".npy")
        own.write_bytes(bytes(1000))
        inputs = {"a": {"name": "a", "sha256": "0" * 64, "path": str(own), "kind": "upload"},
                  "b": {"name": "b", "sha256": "0" * 64, "path": str(shared), "kind": "upload"}}
        job_id = store.create({}, inputs)["id"]
        store.update(job_id, status="done")
        folder = settings.results_dir / job_id
        folder.mkdir()
        (folder / "feedback.mp4").write_bytes(bytes(size))
        ids.append(job_id)
    with store._lock:
        for k, job_id in enumerate(ids):
            store._db.execute("UPDATE jobs SET created = ? WHERE id = ?", (time.time() - (len(ids) - k) * 86400,
                                                                           job_id))
    return ids


def test_retention_removes_the_oldest_finished_jobs_only(tmp_path):
    mb = 1024 * 1024
    settings = Settings(state_dir=tmp_path / "s", max_state_gb=3.5 * mb / 1024**3)
    settings.make_dirs()
    store, leases = Store(settings.db_path), UploadLeases()
    try:
        shared = settings.upload_dir / ("f" * 64 + ".json")
        shared.write_text("{}")
        running = store.create({}, {})["id"]
        store.begin(running)
        old, middle, new = _finished_jobs(settings, store, [3 * mb, 2 * mb, 1 * mb], shared)
        assert state_bytes(settings) > 6 * mb
        assert apply_retention(store, settings, leases) == [old]  # 6 MB -> 3 MB, under 3.5 MB
        assert store.get(old) is None and not (settings.results_dir / old).exists()
        assert store.get(middle) and store.get(new) and store.get(running)["status"] == "running"
        assert shared.exists() and len(list(settings.upload_dir.iterdir())) == 3  # shared + middle's + new's
        days = Settings(state_dir=settings.state_dir, keep_days=1.5)
        assert apply_retention(store, days, leases) == [middle]  # 2 days old; new is 1 day old
        tiny = Settings(state_dir=settings.state_dir, max_state_gb=1e-12)
        assert apply_retention(store, tiny, leases, keep=new) == []  # the job that just finished stays
        assert apply_retention(store, tiny, leases) == [new]
        assert store.get(running)["status"] == "running"  # never a queued or running job
        assert list(settings.upload_dir.iterdir()) == [] and list(settings.results_dir.iterdir()) == []
    finally:
        store.close()


def test_retention_runs_after_each_job(tmp_path, data_dir):
    settings = Settings(state_dir=tmp_path / "s", data_dir=data_dir, keep_days=1e-9)  # anything finished before
    with TestClient(create_app(settings), base_url=LOCAL) as client:
        first = upload(client, data_dir / "wave.json", data_dir / "kick.json", wait=True, feedback="false")
        assert first.status_code == 200  # the job that has just finished is kept for its result
        second = upload(client, data_dir / "kick.json", data_dir / "wave.json", wait=True, feedback="false")
        assert second.status_code == 200
        deadline = time.monotonic() + 10  # the worker applies retention just after it marks the job done
        while (history := client.get("/api/jobs").json())["count"] > 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert history["count"] == 1 and history["data"][0]["inputs"]["a"]["name"] == "kick.json"
        assert len(list(settings.results_dir.iterdir())) == 1


def serve_main(state: Path, *extra: str) -> tuple[int, str, str]:
    out = io.StringIO()
    code = main(["serve", "--port", "0", "--state", str(state), *extra], out=out)
    return code, out.getvalue(), ""


def test_a_corrupt_database_stops_the_start_with_one_line(tmp_path, capsys):
    state = tmp_path / "state"
    state.mkdir()
    (state / "history.sqlite3").write_bytes(b"this is not a database, it was overwritten" * 100)
    code, printed, _ = serve_main(state)
    err = capsys.readouterr().err
    assert code == 2 and printed == ""  # before "serving on"
    assert err.count("\n") == 1 and err.startswith(f"motionsim: error: {state / 'history.sqlite3'}: the history "
                                                   f"database is corrupt (file is not a database); move it aside, "
                                                   f"or start with --reset-history")
    assert "Traceback" not in err


def test_an_emptied_database_would_orphan_the_results(settings, data_dir, capsys):
    with TestClient(create_app(settings), base_url=LOCAL) as client:
        assert upload(client, data_dir / "wave.json", data_dir / "kick.json", wait=True).status_code == 200
    settings.db_path.write_bytes(b"")  # emptied
    for suffix in ("-wal", "-shm"):
        Path(f"{settings.db_path}{suffix}").unlink(missing_ok=True)
    code, printed, _ = serve_main(settings.state_dir)
    err = capsys.readouterr().err
    assert code == 2 and printed == ""
    assert "the history database is empty, but" in err and "holds 1 results and 2 uploads that it would orphan" in err
    assert len(list(settings.results_dir.iterdir())) == 1  # nothing was touched
    settings.db_path.unlink()
    with pytest.raises(Exception, match="the history database is missing, but"):
        check_history(settings.db_path, settings.results_dir, settings.upload_dir)


def test_reset_history_moves_the_old_one_aside_and_serves(tmp_path):
    state = tmp_path / "state"
    (state / "jobs" / "0123456789ab").mkdir(parents=True)
    (state / "history.sqlite3").write_bytes(b"garbage" * 1000)
    proc = subprocess.Popen([sys.executable, "-m", "motionsim", "serve", "--port", "0", "--state", str(state),
                             "--reset-history"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        line = proc.stdout.readline()
        assert "motionsim: serving on http://127.0.0.1:" in line
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    err = proc.stderr.read()
    assert "motionsim: moved the old history, results and uploads to" in err
    aside = [p for p in state.iterdir() if p.name.startswith("old-")]
    assert len(aside) == 1
    assert (aside[0] / "history.sqlite3").read_bytes() == b"garbage" * 1000
    assert (aside[0] / "jobs" / "0123456789ab").is_dir()
    check_history(state / "history.sqlite3", state / "jobs", state / "uploads")  # the new one is sound


def test_one_server_per_state_folder(tmp_path, capsys):
    """A second server on the same folder would remove the first one's uploads in flight at its start."""
    state = tmp_path / "state"
    proc = subprocess.Popen([sys.executable, "-m", "motionsim", "serve", "--port", "0", "--state", str(state)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        line = proc.stdout.readline()
        assert "serving on http://127.0.0.1:" in line
        wait_until_served(line.split("serving on ", 1)[1].split()[0] + "api/jobs")  # started: its folders exist
        partial = state / "uploads" / f"{uploads.PARTIAL_PREFIX}inflight"
        partial.write_bytes(b"an upload being written")
        code, printed, _ = serve_main(state, "--reset-history")
        err = capsys.readouterr().err
        assert code == 2 and printed == ""
        assert err.startswith(f"motionsim: error: {state}: another motionsim serve (process {proc.pid}) uses this "
                              f"state folder; stop it, or give this one another --state")
        assert partial.exists() and (state / "history.sqlite3").exists()  # nothing moved, nothing cleaned
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    with TestClient(create_app(Settings(state_dir=state)), base_url=LOCAL) as client:  # free again
        assert client.get("/api/jobs").status_code == 200
    assert not partial.exists()
