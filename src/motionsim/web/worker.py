"""One background worker thread runs the comparisons, one at a time (pose estimation and the model already
use the CPU cores), writing each stage's progress to the history so any page can poll it. The work itself is
`pipeline.compute`, the same library calls as ``motionsim compare``. After each job the retention policy runs
(`cleanup.apply_retention`); at start, jobs a stopped server left unfinished run again, at most
``max_attempts`` times each."""

from __future__ import annotations

import logging
import queue
import shutil
import threading

from .cleanup import apply_retention
from .history import Store
from .pipeline import compute, user_message
from .settings import Settings
from .stages import progress_at
from .uploads import UploadLeases, remove_unused_uploads

log = logging.getLogger("motionsim.web")


class Worker:
    """A queue of job ids and the thread that runs them."""

    def __init__(self, settings: Settings, store: Store, leases: UploadLeases) -> None:
        self.settings, self.store, self.leases = settings, store, leases
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="motionsim-worker", daemon=True)

    def start(self) -> None:
        """Run again the jobs a stopped server left queued or running, except those already started
        ``max_attempts`` times (they fail, with the reason), apply the retention policy, start the thread."""
        for job_id in self.store.unfinished():
            job = self.store.get(job_id)
            if job is not None and job["attempts"] >= self.settings.max_attempts:
                self._fail(job, f"interrupted {job['attempts']} times: the server stopped while this comparison "
                                f"ran, and it is not run again (the inputs may crash or exhaust the server)")
            else:
                self.submit(job_id)
        apply_retention(self.store, self.settings, self.leases)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._queue.put(None)
        self._thread.join(timeout)

    def submit(self, job_id: str) -> None:
        self.store.update(job_id, status="queued", stage="queued", progress=0.0)
        self._queue.put(job_id)

    def _loop(self) -> None:
        while (job_id := self._queue.get()) is not None:
            try:
                self.run(job_id)
                apply_retention(self.store, self.settings, self.leases, keep=job_id)
            except Exception:  # noqa: BLE001 - a bug in one job must not stop the worker
                log.exception("job %s crashed", job_id)

    def _stage(self, job_id: str, stage: str, fraction: float = 0.0) -> None:
        """Enter ``stage``, or move ``fraction`` of the way through it (pose estimation reports frames)."""
        self.store.update(job_id, status="running", stage=stage, progress=progress_at(stage, fraction))

    def _fail(self, job: dict, error: str) -> None:
        """Mark a job failed once its rendered files are gone, and its uploads unless another job or request uses
        them (whoever sees it failed sees it cleaned)."""
        shutil.rmtree(self.settings.results_dir / job["id"], ignore_errors=True)
        remove_unused_uploads(self.store, job["inputs"].values(), self.settings.upload_dir, self.leases,
                              exclude=job["id"])
        self.store.update(job["id"], status="failed", stage="failed", error=error, files={})

    def run(self, job_id: str) -> None:
        """Run one job to done or failed."""
        job = self.store.get(job_id)
        if job is None or job["status"] not in ("queued", "running"):
            return  # deleted while queued
        self.store.begin(job_id)
        out_dir = self.settings.results_dir / job_id
        try:
            result, files = compute(job, out_dir, lambda stage, fraction=0.0: self._stage(job_id, stage, fraction),
                                    max_bytes=self.settings.max_input_bytes,
                                    scored=lambda result, files: self.store.update(job_id, result=result, files=files))
        except Exception as exc:  # noqa: BLE001 - every failure is shown on the page
            self._fail(job, user_message(exc, job))
            return
        self.store.update(job_id, status="done", stage="done", progress=1.0, result=result, files=files)
