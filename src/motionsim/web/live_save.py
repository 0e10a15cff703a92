"""A finished live take saved as an ordinary comparison in the history.

The job's input A is the take's poses as a keypoint JSON file (`motionsim.io.save_pose`, stored in the uploads
folder by its SHA-256 like an upload, kind ``live``), input B the reference. Its result is
`motionsim.live.take_result` of the take read back from that file: exactly ``motionsim compare A B --flip
--json`` of the two stored inputs, plus the ``live`` block of ``motionsim live --out``. The worker then renders
the feedback video, the report and the page's timeline as for any comparison (`pipeline.compute` keeps the
result it finds). The camera's frames are stored only when the user ticked "keep my camera video": the video
the take recorded (`live_runner.TakeRunner`) becomes input ``camera`` and the feedback is drawn on it; without
it the take side of the feedback is drawn on a plain canvas.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..digest import file_sha256
from .uploads import PARTIAL_PREFIX, UploadLeases, remove_unused_uploads

if TYPE_CHECKING:  # pragma: no cover
    from .history import Store
    from .live_hub import LiveReference
    from .settings import Settings
    from .worker import Worker

#: Algorithm 1's options of a saved take: compare's defaults, the body flip on (people copy a screen like a mirror).
WINDOW, STRIDE, THRESHOLD = 32, 8, 0.4


def _store(path: Path, suffix: str, name: str, leases: UploadLeases) -> dict[str, str]:
    """Move a finished file to ``uploads/<sha256><suffix>`` (identical files share one) and hold it."""
    digest = file_sha256(path)
    target = path.parent / f"{digest}{suffix}"
    leases.store(path, target)
    return {"name": name, "sha256": digest, "path": str(target), "kind": "live"}


def take_options(reference: LiveReference, mode: str, camera_video: bool) -> dict[str, Any]:
    """The job's options: compare's (window, stride, flip, threshold, person, feedback) and the take's."""
    person = "auto" if reference.person == "auto" else f"auto,{reference.person}"
    return {"window": WINDOW, "stride": STRIDE, "flip": True, "threshold": THRESHOLD, "person": person,
            "feedback": True, "live": {"mode": mode, "camera_video": camera_video}}


def save_take(take: Any, reference: LiveReference, *, mode: str, video: Path | None, settings: Settings,
              store: Store, leases: UploadLeases, worker: Worker) -> str:
    """Store the take (and its video when kept), create its job with the result and queue its rendering;
    returns the job id. ``video`` (the kept camera video) is moved into the uploads folder or removed."""
    from ..io import load_pose, save_pose
    from ..live.take import take_result

    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    held: list[dict[str, str]] = []
    job = None
    fd, name = tempfile.mkstemp(dir=settings.upload_dir, prefix=PARTIAL_PREFIX, suffix=".json")
    os.close(fd)
    poses_file = Path(name)
    try:
        save_pose(take.poses, poses_file, fmt="coco")
        poses = load_pose(poses_file, fmt="coco", max_bytes=None)  # the take exactly as input A reads
        result = take_result(replace(take, poses=poses), reference.poses, flip=True, window=WINDOW, stride=STRIDE)
        held.append(_store(poses_file, ".json", f"live take {stamp}.json", leases))
        inputs = {"a": held[0], "b": reference.input}
        if video is not None:
            held.append(_store(video, ".mp4", f"live take {stamp}.mp4", leases))
            inputs["camera"] = held[1]
        job = store.create(take_options(reference, mode, video is not None), inputs)
        store.update(job["id"], result=result)
    finally:
        leases.release(held)
        poses_file.unlink(missing_ok=True)
        if video is not None:
            video.unlink(missing_ok=True)  # moved when stored; removed when the save failed
        if job is None:
            remove_unused_uploads(store, held, settings.upload_dir, leases)
    worker.submit(job["id"])
    return job["id"]
