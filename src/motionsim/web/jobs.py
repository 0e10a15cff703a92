"""One background worker thread runs the comparisons, one at a time (pose estimation and the model already
use the CPU cores), writing each stage's progress to the store so any page can poll it. It calls the same
library functions as ``motionsim compare``: `load_input`, `compare`, `render_feedback_video`, `write_report`."""

from __future__ import annotations

import argparse
import json
import logging
import queue
import shutil
import threading
from pathlib import Path
from typing import Any

from ..errors import MotionsimError
from .settings import Settings
from .store import Store

log = logging.getLogger("motionsim.web")

#: Stage -> (progress when it starts, label shown on the page).
STAGES = {
    "queued": (0.0, "waiting for the worker"),
    "poses_a": (0.02, "reading A (pose estimation for videos: the slow part)"),
    "poses_b": (0.35, "reading B (pose estimation for videos: the slow part)"),
    "scoring": (0.65, "scoring"),
    "video": (0.7, "rendering the feedback video"),
    "report": (0.9, "writing the report"),
    "done": (1.0, "done"),
}


class Worker:
    """A queue of job ids and the thread that runs them."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings, self.store = settings, store
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="motionsim-worker", daemon=True)

    def start(self) -> None:
        for job_id in self.store.unfinished():  # left by a server that stopped: run them again
            self.submit(job_id)
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
            except Exception:  # noqa: BLE001 - a bug in one job must not stop the worker
                log.exception("job %s crashed", job_id)

    def _stage(self, job_id: str, stage: str, fraction: float = 0.0) -> None:
        """Enter ``stage``, or move ``fraction`` of the way through it (pose estimation reports frames)."""
        start = STAGES[stage][0]
        end = min(v[0] for v in STAGES.values() if v[0] > start)
        self.store.update(job_id, status="running", stage=stage, progress=start + (end - start) * fraction)

    def run(self, job_id: str) -> None:
        """Run one job to done or failed; a failed job's uploads are deleted unless another job uses them."""
        job = self.store.get(job_id)
        if job is None or job["status"] not in ("queued", "running"):
            return  # deleted while queued
        out_dir = self.settings.results_dir / job_id
        try:
            files = compute(job, out_dir, lambda stage, fraction=0.0: self._stage(job_id, stage, fraction))
        except Exception as exc:  # noqa: BLE001 - every failure is shown on the page
            self.store.update(job_id, status="failed", stage="failed", error=user_message(exc, job))
            shutil.rmtree(out_dir, ignore_errors=True)
            remove_unused_uploads(self.store, job, self.settings.upload_dir)
            return
        result = json.loads(Path(files["json"]).read_text(encoding="utf-8"))
        self.store.update(job_id, status="done", stage="done", progress=1.0, result=result, files=files)


def compute(job: dict[str, Any], out_dir: Path, stage) -> dict[str, str]:
    """The comparison of one job, as ``motionsim compare A B --json --video --report`` does it; returns the
    paths of what it wrote (json, timeline, and video/report when asked)."""
    from ..inputs import load_input
    from ..similarity import compare
    from .timeline import page_timeline

    opts, inputs = job["options"], job["inputs"]
    args = argparse.Namespace(person=opts.get("person", "auto"), no_cache=False, debug=False)
    seqs = []
    for index, (key, name) in enumerate((("a", "poses_a"), ("b", "poses_b"))):
        stage(name)

        def frames_done(done: int, total: int | None, name: str = name) -> None:
            if total:
                stage(name, min(done / total, 1.0))

        seqs.append(load_input(inputs[key]["path"], args, index, on_frames=frames_done))
    seq_a, seq_b = seqs
    stage("scoring")
    data = compare(seq_a, seq_b, window=opts["window"], stride=opts["stride"], flip=opts["flip"]).to_dict()
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {"json": str(out_dir / "result.json"), "timeline": str(out_dir / "timeline.json")}
    Path(files["json"]).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    if opts.get("feedback", True):
        files.update(render(data, seq_a, seq_b, inputs, opts["threshold"], out_dir, stage))
    fps = seq_a.fps or (data.get("fps") or {}).get("a")  # the feedback video's rate (render.video.output_fps)
    timeline = page_timeline(data, opts["threshold"], fps)
    Path(files["timeline"]).write_text(json.dumps(timeline), encoding="utf-8")
    return files


def render(data, seq_a, seq_b, inputs, threshold: float, out_dir: Path, stage) -> dict[str, str]:
    """Feedback video and report, as `motionsim.cli.write_feedback` makes them."""
    from ..render import render_feedback_video, write_report

    videos = {f"video_{k}": inputs[k]["path"] if seq.meta.get("format") == "video" else None
              for k, seq in (("a", seq_a), ("b", seq_b))}
    names = {f"name_{k}": inputs[k]["name"] for k in ("a", "b")}
    video, report = out_dir / "feedback.mp4", out_dir / "report.html"
    stage("video")
    render_feedback_video(seq_a, seq_b, data, video, threshold=threshold, progress=False, **videos, **names)
    stage("report")
    write_report(data, seq_a, seq_b, report, feedback_video=video, threshold=threshold, **videos, **names)
    return {"video": str(video), "report": str(report)}


def user_message(exc: Exception, job: dict[str, Any]) -> str:
    """The CLI's words for a failure (what `motionsim compare` prints after ``motionsim: error:``), with the
    stored file names replaced by the names the user gave."""
    if isinstance(exc, MotionsimError):
        text = str(exc)
    elif isinstance(exc, (FileNotFoundError, IsADirectoryError, PermissionError)):
        text = f"{exc.strerror}: {exc.filename}"
    else:
        log.error("internal error", exc_info=exc)
        text = f"internal error: {type(exc).__name__}: {exc}"
    for item in job["inputs"].values():
        text = text.replace(item["path"], item["name"])
    return text


def remove_unused_uploads(store: Store, job: dict[str, Any], upload_dir: Path) -> None:
    """Delete this job's uploaded files that no other job refers to (``--data`` files are never touched)."""
    for item in job["inputs"].values():
        path = Path(item["path"])
        if item["kind"] == "upload" and path.parent == upload_dir and not store.path_in_use(item["path"], job["id"]):
            path.unlink(missing_ok=True)
