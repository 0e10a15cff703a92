"""Pick one person in a video with several, and keep the pose estimator on that person.

MediaPipe Pose (the default estimator) sees one person per image: whoever its detector likes best, frame by
frame. To choose, `find_people` runs a still-image estimator repeatedly on one frame, greying out each person
it finds, which gives every person's box; `choose_person` applies the user's rule; `CroppedEstimator` then runs
the tracking estimator on a crop around the chosen person only, following their box from frame to frame, and
maps the joints back to full-frame pixels.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..errors import PoseFormatError

Box = np.ndarray  # (x0, y0, x1, y1) in pixels

#: Visibility above which a landmark counts when drawing a person's box.
VISIBLE = 0.5
RULES = ("largest", "central")


def box_of(points: np.ndarray, scores: np.ndarray) -> Box | None:
    """The bounding box of the visible joints, or None when fewer than 4 are visible."""
    seen = scores > VISIBLE
    if seen.sum() < 4:
        return None
    p = points[seen]
    return np.array([p[:, 0].min(), p[:, 1].min(), p[:, 0].max(), p[:, 1].max()], dtype=np.float64)


def grow(box: Box, factor: float, width: int, height: int, min_size: float = 64.0) -> Box:
    """``box`` scaled about its centre (at least ``min_size`` pixels a side), clipped to the image."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    half = max(box[2] - box[0], box[3] - box[1], min_size) * factor / 2  # square: limbs swing both ways
    return np.array([max(0.0, cx - half), max(0.0, cy - half), min(float(width), cx + half),
                     min(float(height), cy + half)])


def _find_in(image: np.ndarray, estimator: Callable[[np.ndarray], Any], max_people: int) -> list[Box]:
    """People in one image, one estimator call each, greying out each person found."""
    image = image.copy()
    h, w = image.shape[:2]
    fill = image.reshape(-1, 3).mean(axis=0).astype(image.dtype)
    boxes: list[Box] = []
    for _ in range(max_people):
        found = estimator(image)
        box = None if found is None else box_of(np.asarray(found[0]), np.asarray(found[1]))
        if box is None:
            break
        boxes.append(box)
        x0, y0, x1, y1 = grow(box, 1.15, w, h).astype(int)
        image[y0:y1, x0:x1] = fill
    return boxes


def _same_person(a: Box, b: Box) -> bool:
    ca, cb = ((a[:2] + a[2:]) / 2), ((b[:2] + b[2:]) / 2)
    return bool(b[0] <= ca[0] <= b[2] and b[1] <= ca[1] <= b[3] or a[0] <= cb[0] <= a[2] and a[1] <= cb[1] <= a[3])


def find_people(frame_rgb: np.ndarray, estimator: Callable[[np.ndarray], Any], max_people: int = 6) -> list[Box]:
    """Boxes of the people in one frame, found by a still-image estimator on the whole frame and on
    overlapping tiles (its detector misses people who are small in a wide frame)."""
    h, w = frame_rgb.shape[:2]
    tw, th = int(w * 0.6), int(h * 0.6)
    regions = [(0, 0, w, h), (0, 0, tw, h), (w - tw, 0, w, h), (0, 0, tw, th), (w - tw, 0, w, th),
               (0, h - th, tw, h), (w - tw, h - th, w, h)]
    boxes: list[Box] = []
    for x0, y0, x1, y1 in regions:
        for box in _find_in(frame_rgb[y0:y1, x0:x1], estimator, max_people):
            box = box + np.array([x0, y0, x0, y0])
            if not any(_same_person(box, b) for b in boxes):
                boxes.append(box)
    return boxes[:max_people]


def choose_person(boxes: list[Box], rule: str | int, width: int, height: int) -> Box:
    """The box the rule picks: ``"largest"`` (area), ``"central"`` (nearest the image centre) or an index
    counted from the left (0 = leftmost)."""
    if not boxes:
        raise PoseFormatError("nobody was found in the video")
    if rule == "largest":
        return max(boxes, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]))
    if rule == "central":
        return min(boxes, key=lambda b: np.hypot((b[0] + b[2]) / 2 - width / 2, (b[1] + b[3]) / 2 - height / 2))
    index = int(rule)
    ordered = sorted(boxes, key=lambda b: (b[0] + b[2]) / 2)
    if not 0 <= index < len(ordered):
        raise PoseFormatError(f"person {index} asked for, but only {len(ordered)} found (0 is the leftmost)")
    return ordered[index]


class CroppedEstimator:
    """Runs ``inner`` on a crop around one person and follows them; joints come back in full-frame pixels."""

    def __init__(self, inner: Callable[[np.ndarray], Any], start: Box, margin: float = 1.6, hold: int = 0) -> None:
        self.inner = inner
        self.layout = inner.layout  # type: ignore[attr-defined]
        self.box = np.asarray(start, dtype=np.float64)
        self.margin = margin
        self.lost = 0
        self.hold = hold  # frames before the one the person was chosen in: wait where they will be

    def __call__(self, frame_rgb: np.ndarray, hide: Sequence[Box] = ()) -> tuple[np.ndarray, np.ndarray] | None:
        """The person's joints in this frame (full-frame pixels), or None. ``hide``: boxes of other people,
        greyed out in the crop (a box that holds this person's centre is left alone: they overlap) so that the
        estimator cannot take one of them for this person."""
        h, w = frame_rgb.shape[:2]
        # widen the search a little while the person is lost (not so far that it jumps to someone else)
        widen = 1.0 if self.hold > 0 else 1.25 ** min(self.lost, 4)
        self.hold -= 1
        x0, y0, x1, y1 = grow(self.box, self.margin * widen, w, h).astype(int)
        crop = np.ascontiguousarray(frame_rgb[y0:y1, x0:x1])
        cx, cy = (self.box[0] + self.box[2]) / 2, (self.box[1] + self.box[3]) / 2
        covered = [b for b in hide if not (b[0] <= cx <= b[2] and b[1] <= cy <= b[3])]
        if covered:
            crop = crop.copy() if np.shares_memory(crop, frame_rgb) else crop
            fill = crop.reshape(-1, crop.shape[-1]).mean(axis=0).astype(crop.dtype)
            original = crop.copy()
            for box in covered:
                bx0, by0, bx1, by1 = (grow(np.asarray(box, np.float64), 1.1, w, h, 0.0)
                                      - [x0, y0, x0, y0]).astype(int)
                crop[max(by0, 0):max(by1, 0), max(bx0, 0):max(bx1, 0)] = fill
            ox0, oy0, ox1, oy1 = (self.box - [x0, y0, x0, y0]).astype(int)  # this person's own box stays
            own = (slice(max(oy0, 0), max(oy1, 0)), slice(max(ox0, 0), max(ox1, 0)))
            crop[own] = original[own]
        found = self.inner(crop)
        if found is None:
            self.lost += 1
            return None
        points = np.asarray(found[0], dtype=np.float32).copy()
        points[:, 0] += x0
        points[:, 1] += y0
        scores = np.asarray(found[1], dtype=np.float32)
        box = box_of(points, scores)
        if box is None:
            self.lost += 1
        elif self._jumped(box):  # someone else walked into the crop: not our person
            self.lost += 1
            return None
        else:
            self.box, self.lost = box, 0
        return points, scores

    def _jumped(self, box: Box) -> bool:
        """Whether ``box`` is too far from the last box to be the same person a few frames later."""
        size = max(self.box[2] - self.box[0], self.box[3] - self.box[1], 1.0)
        shift = np.hypot(*((box[:2] + box[2:]) / 2 - (self.box[:2] + self.box[2:]) / 2))
        return bool(shift > 0.6 * size and self.hold <= 0)

    def close(self) -> None:
        if hasattr(self.inner, "close"):
            self.inner.close()
