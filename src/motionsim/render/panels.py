"""One side (A or B) of a feedback frame: its background (video frame or plain canvas) at the panel size and
where its keypoints land on it.

Video frames come from the `FrameStore` kept while the video was decoded for pose estimation when it holds them
all; otherwise they are decoded forward only (a skipped frame is grabbed, not converted), so a whole comparison
is drawn in one pass over each video, holding one frame per side.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from ..errors import MotionsimError
from ..pose import PoseSequence
from .backgrounds import FrameStore, even, panel_size, resize_to_panel
from .frames import canvas_transform, cv2_module, draw_pose, keypoint_bbox

log = logging.getLogger(__name__)


class Panel:
    """A side of the feedback video, ``height`` pixels high, its width from the video's (or the motion's) aspect.

    Parameters
    ----------
    seq : the side's poses (pixels of ``video`` when given)
    height : panel height (made even)
    video : the video the poses came from, or None for a plain canvas that fits the whole motion
    frames : that video's frames kept at this height while its poses were estimated (used when complete)
    """

    def __init__(self, seq: PoseSequence, height: int, video: str | Path | None = None,
                 frames: FrameStore | None = None) -> None:
        self.seq = seq
        self.height = even(height)
        self._cap = None
        self._next = 0  # index of the next frame the capture will decode
        self._last: np.ndarray | None = None
        self._warned = False
        self._frames = None
        src_w, src_h = seq.meta.get("width"), seq.meta.get("height")
        if (video is not None and frames is not None and frames.complete(len(seq), seq.fps) and src_w and src_h
                and (frames.width, frames.height) == panel_size(src_w, src_h, self.height)):
            self._frames, self.width = frames, frames.width
            self._scale = np.array([self.width / src_w, self.height / src_h])
            self._canvas = None
        elif video is not None:
            cv2 = cv2_module()
            self._cap = cv2.VideoCapture(str(video))
            ok, first = self._cap.read() if self._cap.isOpened() else (False, None)
            if not ok:
                self.close()
                raise MotionsimError(f"{video}: cannot read this video")
            src_h, src_w = first.shape[:2]
            self.width = even(src_w * self.height / src_h)
            self._scale = np.array([self.width / src_w, self.height / src_h])
            self._last, self._next = self._resize(first), 1
            self._canvas = None
        else:
            self.width = even(self.height * _motion_aspect(seq))
            self._canvas = canvas_transform(seq, (self.width, self.height))

    def _resize(self, frame: np.ndarray) -> np.ndarray:
        return resize_to_panel(frame, self.width, self.height)

    @property
    def is_video(self) -> bool:
        """Whether the background is the video's frame (not a plain canvas)."""
        return self._canvas is None

    def background(self, index: int) -> np.ndarray:
        """A fresh copy of the panel's background for frame ``index`` (moving backwards seeks; forward reads)."""
        if self._frames is not None:
            return self._frames.get(index)
        if self._cap is None:
            return self._canvas.blank()
        if index < self._next - 1:  # only thumbnails go back; the video render never does
            self._cap.set(cv2_module().CAP_PROP_POS_FRAMES, index)
            self._next, self._last = index, None
        while self._next < index:
            if not self._cap.grab():
                break
            self._next += 1
        if self._next == index:
            ok, frame = self._cap.read()
            if ok:
                self._last, self._next = self._resize(frame), index + 1
            elif not self._warned:
                log.warning("video ends before frame %d; holding its last frame", index)
                self._warned = True
        if self._last is None:
            return np.zeros((self.height, self.width, 3), dtype=np.uint8)
        return self._last.copy()

    def points(self, index: int) -> np.ndarray:
        """Keypoints of frame ``index`` in panel pixels, shape=(17, 2)."""
        return self.to_panel(self.seq.keypoints[min(max(index, 0), len(self.seq) - 1)])

    def to_panel(self, keypoints: np.ndarray) -> np.ndarray:
        """Any keypoints of this side (pixels of its video) in panel pixels, e.g. another person in the frame."""
        if self._canvas is not None:
            return self._canvas(keypoints)
        return np.asarray(keypoints).astype(np.float64) * self._scale

    def draw(self, index: int, part_scores: Mapping[str, float], threshold: float = 0.4) -> np.ndarray:
        """The background of frame ``index`` with its skeleton coloured by ``part_scores`` (parts as filmed)."""
        return self.draw_pose_on(self.background(index), index, part_scores, threshold)

    def draw_pose_on(self, frame: np.ndarray, index: int, part_scores: Mapping[str, float],
                     threshold: float = 0.4) -> np.ndarray:
        """Frame ``index``'s skeleton drawn on ``frame`` (a background that may already carry text boxes: the
        skeleton goes on top so a shaded box never dims its colours)."""
        scores = self.seq.scores[min(max(index, 0), len(self.seq) - 1)]
        return draw_pose(frame, self.points(index), scores, part_scores, threshold)

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None

    def __enter__(self) -> Panel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _motion_aspect(seq: PoseSequence) -> float:
    """Width / height of a canvas for a motion without video: the source frame's when known (meta width and
    height), else landscape 4:3 (or the motion's own aspect up to 16:9 when it is wider), so that the motion,
    centred, leaves the top left corner free for the score text."""
    w, h = seq.meta.get("width"), seq.meta.get("height")
    if w and h:
        return float(w) / float(h)
    box = keypoint_bbox(seq)
    if box is None:
        return 4 / 3
    x0, y0, x1, y1 = box
    return float(np.clip((x1 - x0 + 1) / (y1 - y0 + 1), 4 / 3, 16 / 9))
