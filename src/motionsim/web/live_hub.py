"""What the Live page's takes share: the references prepared for them and the count of takes running.

A reference is read once (`motionsim.io.load_pose`: keypoint files within the reading limit, videos through
the pose cache) when the page uploads or picks it, and kept for the takes that follow it. A few are kept (the
oldest forgotten first, never one a take is using); a forgotten upload is removed unless a comparison in the
history or a request in flight uses it (`uploads.remove_unused_uploads`). At most ``max_live`` takes run at
once; the others are told the server is busy.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..pose import PoseSequence
from .settings import Settings
from .uploads import UploadLeases, remove_unused_uploads

if TYPE_CHECKING:  # pragma: no cover
    from .history import Store

#: References kept for takes at most (beyond, the oldest not in use is forgotten).
MAX_REFERENCES = 8
#: Media types of the reference videos the page plays, by the extension motionsim stored them with.
VIDEO_TYPES = {".mp4": "video/mp4", ".mov": "video/quicktime", ".webm": "video/webm", ".mkv": "video/x-matroska",
               ".avi": "video/x-msvideo", ".m4v": "video/mp4"}


@dataclass
class LiveReference:
    """A reference ready for live takes: where it is (a job's input: name, sha256, path, kind) and its poses."""

    id: str
    input: dict[str, str]
    poses: PoseSequence
    person: str = "auto"
    takes: int = field(default=0)  # takes using it now

    @property
    def is_video(self) -> bool:
        return self.poses.meta.get("format") == "video"

    def public(self) -> dict[str, Any]:
        """What the page needs: names, sizes, the video's address (a video reference) and the poses (a skeleton
        drawn for a keypoint reference, or where the video cannot play), COCO-17 ``[x, y, confidence]`` x 17
        per frame, flattened."""
        seq = self.poses
        kp = seq.keypoints.round(1)
        sc = seq.scores.round(2)
        flat = [[v for j in range(kp.shape[1]) for v in (float(kp[t, j, 0]), float(kp[t, j, 1]), float(sc[t, j]))]
                for t in range(len(seq))]
        return {"id": self.id, "name": self.input["name"], "kind": "video" if self.is_video else "keypoints",
                "frames": len(seq), "fps": seq.fps or 30.0, "width": seq.meta.get("width"),
                "height": seq.meta.get("height"), "person": self.person,
                "video": f"/api/live/references/{self.id}/video" if self.is_video else None, "poses": flat}


class LiveHub:
    """The references kept for takes, and the slots of the takes running (thread-safe)."""

    def __init__(self, settings: Settings, store: Store, leases: UploadLeases) -> None:
        self.settings, self.store, self.leases = settings, store, leases
        self._lock = threading.Lock()
        self._references: OrderedDict[str, LiveReference] = OrderedDict()
        self.running = 0

    # ------------------------------------------------------------------ references
    def add(self, item: dict[str, str], poses: PoseSequence, person: str = "auto") -> LiveReference:
        """Keep a reference read from ``item`` (a stored upload, held by the caller's lease, which the hub now
        owns; or a --data file). The same file with the same person gives the reference already kept."""
        forget: list[LiveReference] = []
        with self._lock:
            same = next((r for r in self._references.values()
                         if r.input["sha256"] == item["sha256"] and r.input["path"] == item["path"]
                         and r.person == person), None)
            if same is not None:
                self._references.move_to_end(same.id)
                reference, extra = same, [item]  # one lease is enough
            else:
                reference, extra = LiveReference(uuid.uuid4().hex[:12], dict(item), poses, person), []
                self._references[reference.id] = reference
                idle = [r for r in self._references.values() if not r.takes and r is not reference]
                while len(self._references) > MAX_REFERENCES and idle:
                    forget.append(self._references.pop(idle.pop(0).id))
        self._let_go([*extra, *(r.input for r in forget)])
        return reference

    def get(self, reference_id: str) -> LiveReference | None:
        with self._lock:
            return self._references.get(reference_id)

    def use(self, reference: LiveReference) -> None:
        """A take starts following ``reference`` (it is not forgotten while in use)."""
        with self._lock:
            reference.takes += 1

    def done_with(self, reference: LiveReference) -> None:
        with self._lock:
            reference.takes = max(0, reference.takes - 1)

    def _let_go(self, items: list[dict[str, str]]) -> None:
        """Release the leases of forgotten references and remove the uploads nothing else uses."""
        if items:
            self.leases.release(items)
            remove_unused_uploads(self.store, items, self.settings.upload_dir, self.leases)

    def close(self) -> None:
        """Forget every reference (at shutdown)."""
        with self._lock:
            items = [r.input for r in self._references.values()]
            self._references.clear()
        self._let_go(items)

    # ------------------------------------------------------------------ slots
    def enter(self) -> bool:
        """Take a slot for a live take; False when ``max_live`` takes are running."""
        with self._lock:
            if self.running >= self.settings.max_live:
                return False
            self.running += 1
            return True

    def leave(self) -> None:
        with self._lock:
            self.running = max(0, self.running - 1)
