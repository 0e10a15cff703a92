"""Decoding a video for pose estimation: in a background thread, RGB frames exactly as opencv gives them (the
pixels the estimator always saw, so the keypoints do not change), only the frames the estimation needs, each
also handed to an optional ``keep_frames`` callback (the feedback video's backgrounds, so the render never
decodes the video a second time).

Measured on 2 cores with 1768x994 H.264 (docs/feedback.md): one ffmpeg decoding thread per video costs 6.2 ms of
CPU per frame against 7.0 ms with opencv's default threads, for the same pixels; decoding runs beside the
estimator (which releases the GIL), and the two videos of a comparison are estimated in two threads.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import MissingExtraError, PoseFormatError
from ..resample import model_rate_frames

_INSTALL = "pip install 'motionsim[video]'"

#: ``keep_frames(index, frame_bgr)``: called with each frame the estimation reads (every frame, or above 30 fps
#: the model-rate ones), in order, from the decoding thread.
KeepFrames = Callable[[int, np.ndarray], None]


def cv2_module() -> Any:
    try:
        import cv2
    except ImportError as exc:
        raise MissingExtraError(f"reading videos needs opencv: {_INSTALL}") from exc
    return cv2


def open_video(path: Path, threads: int | None = 1, quiet: bool = False) -> Any:
    """An opencv capture of ``path`` positioned at its first frame, with ``threads`` ffmpeg decoding threads
    (one by default: the estimator is the slow stage; None lets ffmpeg choose); one-line `PoseFormatError` for a
    missing file, a folder, an unreadable file or something that does not decode. ``quiet`` keeps FFmpeg's own
    line about a broken file ("moov atom not found") off the terminal."""
    from .quiet import native_stderr_silenced

    cv2 = cv2_module()
    if not path.exists():
        raise PoseFormatError(f"{path}: file not found")
    if path.is_dir():
        raise PoseFormatError(f"{path}: is a folder, not a video")
    try:
        with open(path, "rb") as fh:
            fh.read(1)
    except OSError as exc:
        raise PoseFormatError(f"{path}: cannot be read ({exc.strerror})") from exc
    params = [] if threads is None else [cv2.CAP_PROP_N_THREADS, threads]
    with native_stderr_silenced(quiet):
        cap = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG, params)
        opened = cap.isOpened() and cap.grab()
    if not opened:
        cap.release()
        raise PoseFormatError(f"{path}: cannot be opened as a video (not a video file, or a codec opencv lacks)")
    cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
    return cap


class DecodedFrames:
    """(index, RGB frame) for each frame of ``cap`` (each index in ``wanted`` only, when given), decoded in a
    background thread while the estimator works on the previous one; ``keep_frames`` gets the same frames, in
    BGR. Frames not wanted are decoded (H.264 needs them) but not converted. ``count``: frames decoded so
    far."""

    def __init__(self, cap: Any, max_frames: int | None = None, wanted: np.ndarray | None = None,
                 keep_frames: KeepFrames | None = None, prefetch: int = 4) -> None:
        self.cap, self.max_frames, self.keep_frames, self.prefetch = cap, max_frames, keep_frames, prefetch
        self.mask = None
        if wanted is not None:
            self.mask = np.zeros(int(wanted.max()) + 1 if len(wanted) else 0, dtype=bool)
            self.mask[wanted] = True
        self.count = 0

    def _decode(self, frames: queue.Queue, stop: threading.Event) -> None:
        cv2 = cv2_module()
        cap, mask, keep = self.cap, self.mask, self.keep_frames
        try:
            while not stop.is_set() and (self.max_frames is None or self.count < self.max_frames):
                i = self.count
                if mask is not None and not (i < len(mask) and bool(mask[i])):
                    if not cap.grab():
                        break
                else:
                    ok, frame = cap.read()
                    if not ok:
                        break
                    if keep is not None:
                        keep(i, frame)
                    frames.put((i, cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)))
                self.count = i + 1
        finally:
            frames.put(None)

    def __iter__(self) -> Iterator[tuple[int, np.ndarray]]:
        frames: queue.Queue = queue.Queue(maxsize=self.prefetch)
        stop = threading.Event()
        worker = threading.Thread(target=self._decode, args=(frames, stop), name="motionsim-decode", daemon=True)
        worker.start()
        try:
            while (item := frames.get()) is not None:
                yield item
        finally:
            stop.set()
            while worker.is_alive():  # unblock a producer waiting on a full queue, then let it finish
                try:
                    frames.get(timeout=0.05)
                except queue.Empty:
                    pass
            worker.join()


def hold_estimates(index: np.ndarray, n_frames: int) -> np.ndarray:
    """For each of ``n_frames`` frames, the position in ``index`` (the estimated frames, increasing) of the last
    estimated frame at or before it (the first one before any): a frame that was not estimated shows the pose
    of the one before it.

    Examples
    --------
    >>> hold_estimates(np.array([0, 2, 4]), 6).tolist()
    [0, 0, 1, 1, 2, 2]
    """
    return np.maximum(np.searchsorted(index, np.arange(n_frames), side="right") - 1, 0)


class EstimationPass:
    """One pose-estimation pass over an opened video, as both the one-person and the everyone extractors make it:
    the video's rate and size, the frames to estimate (above 30 fps, one per 30 fps instant:
    `resample.model_rate_frames`; all when ``model_rate`` is False), decoded in the background (`DecodedFrames`), and
    the progress shown as they go (a tqdm bar on ``terminal``, ``on_frames(done, total)`` every 10 frames and at
    the end). Iterate once for (frame number, RGB frame); ``index`` then lists the frames estimated and `held`
    maps every frame of the video to the estimate it shows."""

    def __init__(self, cap: Any, name: str, *, max_frames: int | None = None, model_rate: bool = True,
                 keep_frames: KeepFrames | None = None, progress: bool | None = None,
                 on_frames: Callable[[int, int | None], None] | None = None, terminal: Any = None) -> None:
        cv2 = cv2_module()
        self.fps: float | None = float(cap.get(cv2.CAP_PROP_FPS)) or None
        self.width, self.height = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        total = int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) or None
        if max_frames is not None:
            total = min(total, max_frames) if total else max_frames
        self.wanted = model_rate_frames(total or 0, self.fps) if model_rate else None
        self.to_estimate = len(self.wanted) if self.wanted is not None else total
        self.index: list[int] = []
        self._frames = DecodedFrames(cap, max_frames, self.wanted, keep_frames)
        self._name, self._progress, self._on_frames, self._terminal = name, progress, on_frames, terminal

    def __iter__(self) -> Iterator[tuple[int, np.ndarray]]:
        from tqdm.auto import tqdm

        disable = None if self._progress is None else not self._progress
        with tqdm(total=self.to_estimate, unit="frame", desc=self._name, disable=disable,
                  file=self._terminal) as bar:
            for i, frame_rgb in self._frames:
                yield i, frame_rgb
                self.index.append(i)
                bar.update(1)
                if self._on_frames is not None and len(self.index) % 10 == 0:
                    self._on_frames(len(self.index), self.to_estimate)
        if self._on_frames is not None:
            self._on_frames(len(self.index), self.to_estimate)

    @property
    def n_frames(self) -> int:
        """Frames of the video (decoded, or estimated: the last one may be the last decoded)."""
        return max(self._frames.count, self.index[-1] + 1) if self.index else self._frames.count

    def held(self) -> np.ndarray | None:
        """For every frame of the video, the position in ``index`` of the estimate it shows (`hold_estimates`);
        None when every frame was estimated."""
        return None if self.wanted is None else hold_estimates(np.asarray(self.index), self.n_frames)

