"""A video's frames kept at the feedback video's panel size while the video is decoded for pose estimation, so
the render draws on them instead of decoding the video a second time (a 1768x994 frame costs ~7 ms to decode and
resize; the kept one ~0.7 ms to read back).

`FrameStore` is the ``keep_frames`` callback of `motionsim.io.load_pose`: it is called with each frame the pose
estimation reads (every frame; above 30 fps the model-rate ones, `resample.model_rate_frames`), in order, from
the decoding thread, and gives back for any frame the kept one at or before it (the frame whose pose a
skipped frame holds). Frames are kept as raw YUV 4:2:0 (1.5 bytes a pixel: the H.264
output is 4:2:0 anyway) up to a memory budget, then as JPEG, and not at all beyond a second budget: then the
store is incomplete and the render decodes the video as before. A 30-s 30 fps video at 480 p needs ~570 MB
as YUV, ~125 MB as JPEG.
"""

from __future__ import annotations

import bisect
import threading

import numpy as np

from ..resample import model_rate_frames
from .frames import cv2_module

#: Bytes of raw YUV frames a store keeps before it turns to JPEG, and bytes in all before it stops keeping.
RAW_BUDGET = 400 * 1024 * 1024
TOTAL_BUDGET = 700 * 1024 * 1024
JPEG_QUALITY = 90
#: Height of each side of the feedback video.
PANEL_HEIGHT = 480


def even(n: float) -> int:
    """The nearest even integer >= 2 (H.264 in yuv420p needs even sizes)."""
    return max(2, int(round(n / 2)) * 2)


def panel_size(frame_width: int, frame_height: int, height: int) -> tuple[int, int]:
    """(width, height) of a panel ``height`` pixels high showing frames of this size (both even)."""
    panel_height = even(height)
    return even(frame_width * panel_height / frame_height), panel_height


def resize_to_panel(frame: np.ndarray, width: int, height: int) -> np.ndarray:
    """``frame`` at the panel size: bilinear, 8x faster than area averaging and alike down to about 0.4x; area
    averaging below that, where bilinear aliases."""
    cv2 = cv2_module()
    if frame.shape[:2] == (height, width):
        return frame
    fine = height / frame.shape[0] >= 0.4
    return cv2.resize(frame, (width, height), interpolation=cv2.INTER_LINEAR if fine else cv2.INTER_AREA)


class FrameStore:
    """Every decoded frame of one video at a panel ``height``, in memory within a budget (see the module doc)."""

    def __init__(self, height: int = PANEL_HEIGHT, raw_budget: int = RAW_BUDGET,
                 total_budget: int = TOTAL_BUDGET) -> None:
        self.height = even(height)
        self.width = 0
        self.raw_budget, self.total_budget = raw_budget, total_budget
        self._frames: list[tuple[str, np.ndarray]] = []
        self._indices: list[int] = []  # the video's frame number of each kept frame, increasing
        self._bytes = 0
        self.overflow = False  # a frame was not kept: the store cannot stand in for the video
        self._lock = threading.Lock()

    def __call__(self, index: int, frame_bgr: np.ndarray) -> None:
        if self.overflow:
            return
        cv2 = cv2_module()
        if not self.width:
            self.width, self.height = panel_size(frame_bgr.shape[1], frame_bgr.shape[0], self.height)
        small = resize_to_panel(frame_bgr, self.width, self.height)
        if self._bytes + small.size // 2 <= self.raw_budget:
            kept = ("yuv", cv2.cvtColor(small, cv2.COLOR_BGR2YUV_I420))
        else:
            kept = ("jpeg", cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])[1])
        with self._lock:
            if self._bytes + kept[1].nbytes > self.total_budget:
                self.overflow = True
                self._frames.clear()  # of no use now: give the memory back
                self._indices.clear()
                self._bytes = 0
                return
            self._frames.append(kept)
            self._indices.append(index)
            self._bytes += kept[1].nbytes

    def __len__(self) -> int:
        return len(self._frames)

    @property
    def nbytes(self) -> int:
        return self._bytes

    def complete(self, n_frames: int, fps: float | None = None) -> bool:
        """Whether the store holds every frame that the estimation of an ``n_frames`` video at ``fps`` reads."""
        wanted = model_rate_frames(n_frames, fps)
        return not self.overflow and len(self._frames) >= (n_frames if wanted is None else len(wanted)) > 0

    def get(self, index: int) -> np.ndarray:
        """The kept frame at or before frame ``index`` (the first one before any) as BGR at the panel size, a
        fresh array."""
        cv2 = cv2_module()
        position = max(bisect.bisect_right(self._indices, index) - 1, 0)
        kind, data = self._frames[position]
        if kind == "yuv":
            return cv2.cvtColor(data, cv2.COLOR_YUV2BGR_I420)
        return cv2.imdecode(data, cv2.IMREAD_COLOR)
