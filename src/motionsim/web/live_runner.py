"""One live take of the Live page: camera frames (JPEG, as the browser sends them over the WebSocket) through the
pose estimator into a `motionsim.live.LiveTake`, in a thread of its own.

The WebSocket handler hands each frame to `TakeRunner.put` the moment it arrives; the runner keeps only the
newest one (`motionsim.live.source.Mailbox`: a frame not yet taken when the next arrives is dropped and counted,
never queued, so the delay from a frame's arrival to its score stays about one frame's processing time). Frames
are numbered by the server's clock when they arrive, in slots of the model's 30 fps, as a camera's are
(`live.source`): frames the pipeline never took leave gaps, interpolated in the take and counted as dropped.

For each processed frame the runner answers (through ``post``, called from its thread) with the pose it found,
for the page to draw, and the score line of ``motionsim live --json-lines`` when the frame completes a window.
With ``keep_video``, the frames are also encoded (`render.video.H264Writer`) into a hidden temporary file in the
uploads folder, one frame per slot, so the kept video has exactly one frame per pose of the take; the file is
removed unless the take is saved (`live_save.save_take`)."""

from __future__ import annotations

import logging
import os
import struct
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import MotionsimError
from ..resample import MODEL_FPS
from .uploads import PARTIAL_PREFIX

log = logging.getLogger("motionsim.web")

#: A frame message: a 4-byte little-endian sequence number (the page's own, echoed back), then the JPEG.
HEADER = struct.Struct("<I")
#: Largest JPEG accepted (a 1920x1080 frame at quality 0.7 is ~300 KB), and largest frame in pixels.
MAX_FRAME_BYTES = 1024 * 1024
MAX_FRAME_PIXELS = 1920 * 1080
#: Largest WebSocket message uvicorn accepts (a frame and its header; control messages are far smaller).
MAX_MESSAGE_BYTES = MAX_FRAME_BYTES + HEADER.size
#: Largest text (control) message.
MAX_TEXT_BYTES = 4096
#: Answers waiting for the socket at most (a page that stops reading loses the oldest, it never fills memory).
MAX_PENDING_ANSWERS = 64
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


class FrameRefused(MotionsimError):
    """A frame the server does not take; ``code`` is the WebSocket close code (1003 bad data, 1009 too big)."""

    def __init__(self, message: str, code: int = 1003) -> None:
        super().__init__(message)
        self.code = code


def jpeg_size(data: bytes | memoryview) -> tuple[int, int]:
    """(width, height) from a JPEG's frame header, read before anything is decoded (a small file may declare a
    huge image). Raises `FrameRefused` for data that is not a baseline or progressive JPEG."""
    data = memoryview(data)
    if len(data) < 4 or data[0] != 0xFF or data[1] != 0xD8:
        raise FrameRefused("not a JPEG image")
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            raise FrameRefused("not a JPEG image (broken marker)")
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # markers without a length
            i += 2
            continue
        length = int.from_bytes(data[i + 2:i + 4], "big")
        if marker in _SOF:
            if i + 9 > len(data):
                break
            height, width = int.from_bytes(data[i + 5:i + 7], "big"), int.from_bytes(data[i + 7:i + 9], "big")
            return width, height
        if marker == 0xDA or length < 2:  # image data before any frame header
            break
        i += 2 + length
    raise FrameRefused("not a JPEG image (no frame header)")


def check_frame(message: bytes) -> tuple[int, bytes]:
    """(the page's sequence number, the JPEG) of a frame message, its size and dimensions within the limits."""
    if len(message) <= HEADER.size:
        raise FrameRefused(f"a frame message of {len(message)} bytes: expected a 4-byte number and a JPEG")
    if len(message) - HEADER.size > MAX_FRAME_BYTES:
        raise FrameRefused(f"a frame of {len(message) - HEADER.size} bytes: at most {MAX_FRAME_BYTES} "
                           f"({MAX_FRAME_BYTES // 1024} KB) are taken", 1009)
    (seq,), jpeg = HEADER.unpack_from(message), message[HEADER.size:]
    width, height = jpeg_size(jpeg)
    if width * height > MAX_FRAME_PIXELS or not width or not height:
        raise FrameRefused(f"a frame of {width}x{height} pixels: at most {MAX_FRAME_PIXELS:,} pixels "
                           f"(1920x1080) are taken", 1009)
    return seq, jpeg


def _decode(jpeg: bytes) -> np.ndarray | None:
    """RGB (H, W, 3) uint8 of a JPEG, or None when OpenCV cannot decode it."""
    import cv2

    flag = getattr(cv2, "IMREAD_COLOR_RGB", None)
    image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), flag if flag is not None else cv2.IMREAD_COLOR)
    if image is None or flag is not None:
        return image
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


class TakeRunner:
    """A take's thread: set-up (the `LiveSession` on the reference, the estimator, its first call), then every
    frame put in, newest first, until `stop`. ``post(message)`` receives each answer (a dict) from that thread;
    a fatal problem is posted as ``{"type": "error", "message": ..., "code": ...}`` and ends the take.

    Parameters
    ----------
    reference : the reference's poses (a PoseSequence)
    mode : "follow" or "free" (`LiveSession`)
    keep_video : encode the frames into ``video_dir`` (a hidden temporary file, see the module doc)
    """

    def __init__(self, reference: Any, mode: str, post: Callable[[dict[str, Any]], None], *,
                 keep_video: bool = False, video_dir: Path | None = None, estimator: str = "mediapipe") -> None:
        from ..live.source import Mailbox

        self.reference, self.mode, self.post, self.estimator_name = reference, mode, post, estimator
        self.keep_video, self.video_dir = keep_video, video_dir
        self.video_path: Path | None = None
        self._box = Mailbox()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="motionsim-live", daemon=True)
        self.error: str | None = None
        self.take: Any = None  # the LiveTake, once set up
        self.received = 0
        self._start: float | None = None
        self._next = 0
        self._writer: Any = None
        self._video_frames = 0
        self._last_image: np.ndarray | None = None
        self._size = (0, 0)
        self._lock = threading.Lock()
        self._ended = self._discarded = False

    # ------------------------------------------------------------------ the handler's side
    def start(self, timeout: float = 120.0) -> None:
        """Start the thread and wait until it can take frames; raises `MotionsimError` if the set-up failed."""
        self._thread.start()
        if not self._ready.wait(timeout):
            raise MotionsimError("the live take could not be set up in time")
        if self.error is not None:
            raise MotionsimError(self.error)

    def put(self, seq: int, jpeg: bytes, arrival: float) -> None:
        """A frame that arrived at ``arrival`` (``time.perf_counter()``); replaces one not yet taken."""
        self.received += 1
        self._box.put((seq, jpeg, arrival))

    @property
    def replaced(self) -> int:
        """Frames that arrived but were replaced by a newer one before the pipeline took them."""
        return self._box.dropped

    def stop(self, timeout: float = 30.0) -> None:
        """End the take: the thread finishes the frame in hand and stops; the kept video is closed."""
        self._box.close()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def finish(self) -> Any:
        """The `motionsim.live.Take` (after `stop`); raises `PoseFormatError` when nobody was seen."""
        take = self.take.finish()
        take.extra = {"received": self.received, "replaced": self.replaced}
        return take

    def discard(self) -> None:
        """End the take and remove its recorded video, if any (a take not saved leaves nothing from the camera).
        Never waits: when the thread is still busy, it removes the video as it ends."""
        with self._lock:
            self._discarded = True
            ended = self._ended
        self._box.close()
        if ended:
            self._remove_video()

    def _remove_video(self) -> None:
        with self._lock:
            path, self.video_path = self.video_path, None
        if path is not None:
            path.unlink(missing_ok=True)

    # ------------------------------------------------------------------ the take's thread
    def _run(self) -> None:
        try:
            self._take_frames()
        finally:
            with self._lock:
                self._ended = True
                discarded = self._discarded
            if discarded:
                self._remove_video()

    def _take_frames(self) -> None:
        estimator = None
        try:
            from ..live.session import LiveSession
            from ..live.take import LiveTake
            from ..video import ESTIMATORS
            from ..video.quiet import quiet_native_logging

            quiet_native_logging()
            session = LiveSession(self.reference, fps=MODEL_FPS, mode=self.mode, flip=True)
            estimator = ESTIMATORS[self.estimator_name]()
            estimator(np.zeros((480, 640, 3), np.uint8))  # the first call sets it up: not on a frame's time
            self.take = LiveTake(session, estimator, fps=MODEL_FPS, name="live take",
                                 meta={"format": "camera", "source": "web"})
        except Exception as exc:  # noqa: BLE001 - told to the page, in the CLI's words
            from ..errors import describe

            failure = describe(exc)
            if failure.internal:
                log.error("live take set-up failed", exc_info=exc)
            self.error = failure.message
            self._ready.set()
            if estimator is not None and hasattr(estimator, "close"):
                estimator.close()
            return
        self._ready.set()
        try:
            while (item := self._box.get()) is not None:
                self._frame(*item)
        except FrameRefused as exc:
            self.error = str(exc)
            self.post({"type": "error", "message": str(exc), "code": exc.code})
        except Exception as exc:  # noqa: BLE001 - a bug must end this take, not the server
            log.error("live take failed", exc_info=exc)
            self.error = f"internal error: {exc}"
            self.post({"type": "error", "message": self.error, "code": 1011})
        finally:
            self._box.close()
            self._close_video()
            if hasattr(estimator, "close"):
                estimator.close()

    def _frame(self, seq: int, jpeg: bytes, arrival: float) -> None:
        if self._start is None:
            self._start = arrival
        index = max(self._next, round((arrival - self._start) * MODEL_FPS))  # its slot on the server's clock
        self._next = index + 1
        image = _decode(jpeg)
        if image is None:
            raise FrameRefused(f"frame {seq}: a JPEG OpenCV cannot decode")
        take = self.take
        if "width" not in take.meta:  # the take's frame size (its canvas in the feedback video)
            take.meta.update(width=int(image.shape[1]), height=int(image.shape[0]))
        score = take.add_frame(image, index, arrival)
        if self.keep_video:
            self._record(image, index)
        keypoints, scores = take.last_pose
        answer: dict[str, Any] = {"type": "frame", "seq": seq, "frame": index,
                                  "size": [int(image.shape[1]), int(image.shape[0])],
                                  "pose": _pose_list(keypoints, scores), "score": None, "parts": None,
                                  "processed": take.recorder.processed, "dropped": index + 1 - take.recorder.processed}
        if score is not None:
            from ..render.timeline import physical_part_scores

            answer["score"] = score.to_dict()
            answer["parts"] = physical_part_scores(score.body_parts, score.flipped)
        self.post(answer)

    # ------------------------------------------------------------------ the kept video
    def _record(self, image_rgb: np.ndarray, index: int) -> None:
        """Encode frame ``index``, repeating the previous frame over the slots in between (one video frame per
        pose of the take); frames of another size are scaled to the first one's."""
        import cv2

        from ..render.video import H264Writer

        bgr = cv2.cvtColor(image_rgb, cv2.COLOR_RGB2BGR)
        if self._writer is None:
            height, width = (bgr.shape[0] // 2) * 2, (bgr.shape[1] // 2) * 2
            fd, name = tempfile.mkstemp(dir=self.video_dir, prefix=PARTIAL_PREFIX, suffix=".mp4")
            os.close(fd)
            self.video_path = Path(name)
            self._writer = H264Writer(self.video_path, width, height, MODEL_FPS)
            self._size = (width, height)
        width, height = self._size
        if bgr.shape[:2] != (height, width):
            bgr = cv2.resize(bgr, (width, height), interpolation=cv2.INTER_AREA)
        while self._video_frames < index and self._last_image is not None:
            self._writer.write(self._last_image)
            self._video_frames += 1
        self._writer.write(bgr)
        self._video_frames = index + 1
        self._last_image = bgr

    def _close_video(self) -> None:
        if self._writer is not None:
            try:
                self._writer.close()
            except Exception as exc:  # noqa: BLE001 - the take stays; its video is lost
                log.error("the live take's video could not be written", exc_info=exc)
                if self.video_path is not None:
                    self.video_path.unlink(missing_ok=True)
                self.video_path = None
            self._writer = None
            self._last_image = None


def _pose_list(keypoints: np.ndarray, scores: np.ndarray) -> list[list[float]] | None:
    """COCO-17 [x, y, confidence] per joint for the page (pixels of the frame, 1 decimal), None for nobody."""
    if not (np.asarray(scores) > 0).any():
        return None
    return [[round(float(x), 1), round(float(y), 1), round(float(s), 2)] for (x, y), s in zip(keypoints, scores)]


def now() -> float:
    """The clock frames' arrivals are measured on."""
    return time.perf_counter()
