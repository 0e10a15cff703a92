"""Where live frames come from: a camera, or a video file standing in for one.

A camera delivers frames at its own rate whether or not anyone is ready for them. A reader thread takes each
one and puts it in a one-slot `Mailbox`: a frame the pipeline has not taken by the time the next arrives is
dropped (and counted), never queued, so the delay from a frame's arrival to its score stays bounded when the
pipeline cannot keep up. A file with ``realtime=True`` is delivered the same way, at its own frame rate; without
it, every frame is handed over as fast as the pipeline takes them (decoded ahead in a thread), none dropped.

Each `Frame` carries its number in the source and the moment it arrived (``time.perf_counter()``): when it was
read from the device, or for a file played as fast as possible, when the pipeline took it. A file's frames are
numbered as decoded; a camera's by the clock, in slots of its nominal frame rate since its first frame (OpenCV
gives no reliable capture times), so a camera slower than it claims leaves gaps, which count as dropped and are
interpolated, and the reference still plays at its own pace.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import PoseFormatError
from ..video.decode import cv2_module, open_video

#: How long a camera may take to deliver its first frame.
FIRST_FRAME_TIMEOUT_S = 10.0


@dataclass
class Frame:
    """One frame of a live source."""

    index: int  # number in the source (0 = the first frame read)
    image: np.ndarray  # BGR uint8, shape=(H, W, 3)
    arrival: float  # time.perf_counter() when it arrived


class Mailbox:
    """One slot between a producer and a consumer: `put` replaces a frame not yet taken (counted in
    ``dropped``), `get` waits for the next one. Nothing ever queues.

    Examples
    --------
    >>> box = Mailbox()
    >>> box.put(1); box.put(2); box.close()
    >>> box.get(), box.get(), box.dropped
    (2, None, 1)
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._item: Any = None
        self._closed = False
        self.dropped = 0

    def put(self, item: Any) -> None:
        with self._cond:
            if self._item is not None:
                self.dropped += 1
            self._item = item
            self._cond.notify()

    def get(self, timeout: float | None = None) -> Any:
        """The newest item, waiting for one; None once closed and empty (or after ``timeout`` seconds)."""
        with self._cond:
            self._cond.wait_for(lambda: self._item is not None or self._closed, timeout)
            item, self._item = self._item, None
            return item

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()


class FrameSource:
    """Frames of a camera or a video file; iterate once, then `close` (or use as a context manager).

    Attributes: ``name`` (for messages), ``fps`` (None when the source does not say), ``width``, ``height``,
    ``is_file``, ``realtime``; after the take, ``frames`` (frames the source delivered) and ``dropped`` (frames
    the pipeline never took).
    """

    def __init__(self, capture: Any, name: str, *, is_file: bool, realtime: bool) -> None:
        cv2 = cv2_module()
        self._cap = capture
        self.name = name
        self.is_file = is_file
        self.realtime = realtime or not is_file
        fps = float(capture.get(cv2.CAP_PROP_FPS) or 0.0)
        self.fps = fps if 0 < fps < 1000 else None
        self.width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH))
        self.height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
        self.frames = 0
        self.skipped = 0  # a file in real time: frames the reader itself fell behind on
        self._box = Mailbox()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def dropped(self) -> int:
        return self._box.dropped + self.skipped

    def __iter__(self) -> Iterator[Frame]:
        return self._paced() if self.realtime else self._as_fast_as_taken()

    # a camera, or a file played at its own rate: a reader thread, one slot, drops
    def _paced(self) -> Iterator[Frame]:
        self._thread = threading.Thread(target=self._read_paced, name="motionsim-live-source", daemon=True)
        self._thread.start()
        first = True
        while True:
            item = self._box.get(timeout=FIRST_FRAME_TIMEOUT_S if first else None)
            if item is None:
                if first and not self._stop.is_set() and not self.is_file:
                    raise PoseFormatError(f"{self.name}: delivered no frame in {FIRST_FRAME_TIMEOUT_S:.0f} s")
                return
            first = False
            yield item

    def _read_paced(self) -> None:
        step = 1.0 / (self.fps or 30.0)
        start: float | None = time.perf_counter() if self.is_file else None
        n = 0
        try:
            while not self._stop.is_set():
                if start is not None and self.is_file:  # frame n at its time, as a camera would; skip what is late
                    wait = start + n * step - time.perf_counter()
                    if wait > 0:
                        self._stop.wait(wait)
                    elif wait < -step and self._cap.grab():
                        n += 1
                        self.skipped += 1
                        self.frames = n
                        continue
                ok, image = self._cap.read()
                arrival = time.perf_counter()
                if not ok:
                    break
                if not self.is_file:  # a camera: its frame slot from the clock (a slow camera leaves gaps)
                    start = arrival if start is None else start
                    n = max(n, round((arrival - start) / step))
                self._box.put(Frame(n, image, arrival))
                n += 1
                self.frames = n
        finally:
            self._box.close()

    # a file as fast as possible: decoded ahead, every frame handed over
    def _as_fast_as_taken(self) -> Iterator[Frame]:
        frames: queue.Queue = queue.Queue(maxsize=4)

        def hand_over(item: Any) -> None:  # wait for room, unless the take has ended
            while not self._stop.is_set():
                try:
                    frames.put(item, timeout=0.1)
                    return
                except queue.Full:
                    continue

        def decode() -> None:
            try:
                while not self._stop.is_set():
                    ok, image = self._cap.read()
                    if not ok:
                        break
                    hand_over(image)
            finally:
                hand_over(None)

        self._thread = threading.Thread(target=decode, name="motionsim-live-decode", daemon=True)
        self._thread.start()
        n = 0
        while (image := frames.get()) is not None:
            self.frames = n + 1
            yield Frame(n, image, time.perf_counter())
            n += 1

    def close(self) -> None:
        """Stop reading and release the device or file."""
        self._stop.set()
        self._box.close()
        if self._thread is not None:
            self._thread.join(timeout=5.0)
        if self._cap is not None:
            self._cap.release()
            self._cap = None

    def __enter__(self) -> FrameSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_source(spec: str | int | Path, realtime: bool = False, quiet: bool = True) -> FrameSource:
    """A camera (an int, or a string of digits: OpenCV's camera index) or a video file.

    Raises `PoseFormatError` (one line) for a camera that cannot be opened and for a file that is missing,
    unreadable or not a video. ``quiet``: keep OpenCV's own lines about a missing camera off the terminal."""
    from ..video.quiet import native_stderr_silenced

    cv2 = cv2_module()
    if isinstance(spec, int) or (isinstance(spec, str) and spec.strip().isdigit()):
        index = int(spec)
        with native_stderr_silenced(quiet):  # OpenCV writes its warnings straight to file descriptor 2
            cap = cv2.VideoCapture(index)
        if not cap.isOpened():
            cap.release()
            raise PoseFormatError(f"camera {index}: cannot be opened (no such camera, or it is busy)")
        return FrameSource(cap, f"camera {index}", is_file=False, realtime=True)
    path = Path(spec)
    cap = open_video(path, threads=None, quiet=quiet)
    return FrameSource(cap, str(path), is_file=True, realtime=realtime)
