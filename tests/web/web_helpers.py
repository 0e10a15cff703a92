"""Helpers of the web tests: post two files, poll a job."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

#: The address test clients use: the server only answers to the host names it is bound to.
LOCAL = "http://127.0.0.1"


def upload(client: TestClient, a: Path, b: Path, wait: bool = False, **fields):
    """POST /api/compare with two files."""
    with a.open("rb") as fa, b.open("rb") as fb:
        return client.post("/api/compare" + ("?wait=true" if wait else ""),
                           files={"a": (a.name, fa), "b": (b.name, fb)}, data={k: str(v) for k, v in fields.items()})


def wait_for(client: TestClient, job_id: str, timeout: float = 60.0) -> dict:
    """Poll a job until it is done or failed; returns the last status and every progress value seen."""
    deadline, seen = time.monotonic() + timeout, []
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").json()
        seen.append(job["progress"])
        if job["status"] in ("done", "failed"):
            job["seen_progress"] = seen
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} not finished after {timeout} s")


def wait_until_served(url: str, timeout: float = 30.0) -> None:
    """Poll a freshly started server until it answers (it prints its address before it listens)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(url).status_code in (200, 401):
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{url} did not answer within {timeout} s")
        time.sleep(0.1)
