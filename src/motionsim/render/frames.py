"""Drawing on one BGR frame: skeleton bones in their part's score colour, part scores as text, the legend.

Sports2D style: functions take a frame, draw on it in place and return it; missing joints (score 0 or
non-finite) are skipped; every line and label gets a thick white (or dark) outline first, then its colour, so
it stays readable on any background. Sizes scale with the frame, so any resolution works. OpenCV (the
``video`` extra) is imported when a function is called.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..errors import MissingExtraError
from ..pose import PoseSequence
from ..skeleton import BODY_PARTS, PART_LABELS
from .colors import NEUTRAL_BGR, legend, score_color

#: COCO-17 bones of each body part, as filmed (left/right of the person). -1 stands for the neck (mid-shoulder).
PART_BONES: dict[str, tuple[tuple[int, int], ...]] = {
    "right_arm": ((6, 8), (8, 10)),
    "left_arm": ((5, 7), (7, 9)),
    "right_leg": ((12, 14), (14, 16)),
    "left_leg": ((11, 13), (13, 15)),
    "torso": ((5, 6), (5, 11), (6, 12), (11, 12), (-1, 0)),
}
#: Face bones, drawn in the neutral colour (no part score covers them).
HEAD_BONES: tuple[tuple[int, int], ...] = ((0, 1), (0, 2), (1, 3), (2, 4))
_WHITE = (255, 255, 255)
_DARK = (25, 25, 25)


def cv2_module():
    """Import OpenCV or say which extra installs it."""
    try:
        import cv2
    except ImportError as exc:
        raise MissingExtraError("drawing needs opencv: pip install 'motionsim[video]'") from exc
    return cv2


def line_width(frame: np.ndarray) -> int:
    """Bone thickness in pixels for a frame of this size (5 px at 480 p)."""
    return max(2, int(round(min(frame.shape[:2]) / 96)))


def _joints(points: np.ndarray, ok: np.ndarray) -> list[tuple[int, int] | None]:
    """Each joint's pixel (rounded; None when missing) and, at index -1, the neck's (mean of the shoulders):
    rounded in one go, as a skeleton has ~30 bone ends a frame."""
    xy = np.vstack([points, (points[5] + points[6]) / 2])
    present = np.append(ok, ok[5] and ok[6])
    xy[~present] = 0.0  # a missing joint may be NaN: never drawn, but cast
    return [tuple(p) if here else None for p, here in zip(np.rint(xy).astype(np.int64).tolist(), present.tolist())]


def draw_pose(
    frame_bgr: np.ndarray,
    keypoints: np.ndarray,
    scores: np.ndarray,
    part_scores: Mapping[str, float],
    threshold: float = 0.4,
) -> np.ndarray:
    """Draw a COCO-17 skeleton, each part's bones in its score colour (head neutral); returns the frame.

    Parameters
    ----------
    frame_bgr : uint8 array, shape=(H, W, 3), drawn on in place
    keypoints : shape=(17, 2), pixels of this frame
    scores : shape=(17,); joints with score <= 0 or non-finite coordinates are skipped
    part_scores : body part (as filmed) -> score; a part without a score is drawn neutral
    """
    cv2 = cv2_module()
    points = np.asarray(keypoints, dtype=np.float64)
    ok = (np.asarray(scores) > 0) & np.isfinite(points).all(axis=1)
    width = line_width(frame_bgr)
    outline = width + 2 * max(2, width // 2)
    at = _joints(points, ok)
    segments: list[tuple[tuple[int, int], tuple[int, int], tuple[int, int, int]]] = []
    for a, b in HEAD_BONES:
        pa, pb = at[a], at[b]
        if pa and pb:
            segments.append((pa, pb, NEUTRAL_BGR))
    joints: dict[int, tuple[int, int, int]] = {j: NEUTRAL_BGR for j in range(5)}
    for part in ("torso", *[p for p in BODY_PARTS if p != "torso"]):  # limbs last: their joints on top
        colour = score_color(part_scores[part], threshold) if part in part_scores else NEUTRAL_BGR
        for a, b in PART_BONES[part]:
            pa, pb = at[a], at[b]
            if pa and pb:
                segments.append((pa, pb, colour))
            joints.update({j: colour for j in (a, b) if j >= 0})
    for pa, pb, _ in segments:
        cv2.line(frame_bgr, pa, pb, _WHITE, outline, cv2.LINE_AA)
    for pa, pb, colour in segments:
        cv2.line(frame_bgr, pa, pb, colour, width, cv2.LINE_AA)
    for j, colour in joints.items():
        p = at[j] if j == 0 or j >= 5 else None  # no dots on eyes and ears
        if p:
            cv2.circle(frame_bgr, p, width, _WHITE, -1, cv2.LINE_AA)
            cv2.circle(frame_bgr, p, max(1, width - 2), colour, -1, cv2.LINE_AA)
    return frame_bgr


def _text_style(frame: np.ndarray) -> tuple[float, int, int]:
    """(font scale, thickness, line height) for a frame: readable from 240 p to 4K."""
    h, w = frame.shape[:2]
    scale = max(0.4, min(h / 800, w / 500))
    thickness = max(1, int(round(scale * 1.8)))
    return scale, thickness, int(round(30 * scale)) + 4


def put_text(frame: np.ndarray, text: str, org: tuple[int, int], colour, scale: float, thickness: int) -> None:
    """Text with a dark outline, then its colour (readable on any background)."""
    cv2 = cv2_module()
    font = cv2.FONT_HERSHEY_SIMPLEX
    cv2.putText(frame, text, org, font, scale, _DARK, thickness + 2 * max(1, thickness), cv2.LINE_AA)
    cv2.putText(frame, text, org, font, scale, colour, thickness, cv2.LINE_AA)


def _shade(frame: np.ndarray, x0: int, y0: int, x1: int, y1: int, alpha: float = 0.62) -> None:
    """Darken a box so text on it reads on bright video."""
    h, w = frame.shape[:2]
    x0, x1, y0, y1 = max(x0, 0), min(x1, w), max(y0, 0), min(y1, h)
    if x1 > x0 and y1 > y0:
        box = frame[y0:y1, x0:x1]
        box[:] = (box * (1 - alpha)).astype(np.uint8)


def draw_scores(
    frame: np.ndarray,
    part_scores: Mapping[str, float] | None,
    overall: float | None,
    threshold: float = 0.4,
    title: str = "",
    *,
    show_legend: bool = True,
) -> np.ndarray:
    """Write the title, the overall score and each part's score (a swatch, the name, the value in its colour)
    on a shaded box at the top left, and the legend at the bottom left; returns the frame."""
    cv2 = cv2_module()
    font = cv2.FONT_HERSHEY_SIMPLEX
    scale, thick, step = _text_style(frame)
    rows: list[tuple[str, float | None]] = []
    if overall is not None:
        rows.append(("overall", overall))
    rows += [(PART_LABELS[p], part_scores[p]) for p in BODY_PARTS if part_scores and p in part_scores]
    pad = step // 3
    label_w = max([cv2.getTextSize(t, font, scale, thick)[0][0] for t, _ in rows] + [0])
    value_w = cv2.getTextSize("+0.00", font, scale, thick)[0][0]
    swatch = step // 2
    box_w = pad + swatch + pad + label_w + pad * 2 + value_w + pad
    if title:
        box_w = max(box_w, cv2.getTextSize(title, font, scale, thick)[0][0] + 2 * pad)
    n_lines = len(rows) + bool(title)
    if n_lines:
        _shade(frame, 0, 0, box_w + pad, n_lines * step + 2 * pad)
    y = pad
    if title:
        y += step
        put_text(frame, title, (pad, y - step // 4), _WHITE, scale, thick)
    for label, value in rows:
        y += step
        base = y - step // 4
        colour = score_color(value, threshold) if value is not None else NEUTRAL_BGR
        top = base - swatch
        cv2.rectangle(frame, (pad, top), (pad + swatch, base), _WHITE, -1)
        cv2.rectangle(frame, (pad + 1, top + 1), (pad + swatch - 1, base - 1), colour, -1)
        put_text(frame, label, (2 * pad + swatch, base), _WHITE, scale, thick)
        put_text(frame, f"{value:+.2f}", (4 * pad + swatch + label_w, base), colour, scale, thick)
    if show_legend:
        draw_legend(frame, threshold)
    return frame


def draw_title(frame: np.ndarray, text: str) -> np.ndarray:
    """One line of white text on a shaded box at the top left; returns the frame."""
    return draw_scores(frame, None, None, title=text, show_legend=False)


def draw_legend(frame: np.ndarray, threshold: float = 0.4, corner: str = "top_right") -> np.ndarray:
    """A colour bar from 'different' (left) to 'same' (right) with the threshold marked and labelled, in a
    corner ("top_right", "top_left", "bottom_left" or "bottom_right"); returns the frame."""
    cv2 = cv2_module()
    font = cv2.FONT_HERSHEY_SIMPLEX
    scale, thick, step = _text_style(frame)
    scale = scale * 0.85
    h, w = frame.shape[:2]
    entries = legend(threshold)  # best first
    low, high = entries[-1][0], entries[0][0]
    pad = step // 3
    text_h = cv2.getTextSize("0", font, scale, thick)[0][1]
    end_w = max(cv2.getTextSize(f"{high:.2g} same", font, scale, thick)[0][0], 1) // 2
    bar_w, bar_h = int(np.clip(w // 3, 120, 320)), max(6, step // 3)
    box_w, box_h = bar_w + 2 * pad + 2 * end_w, bar_h + text_h + 4 * pad
    bx = w - box_w if corner.endswith("right") else 0
    by = 0 if corner.startswith("top") else h - box_h
    _shade(frame, bx, by, bx + box_w, by + box_h)
    x0, y0 = bx + pad + end_w, by + pad
    if 0 <= y0 and y0 + bar_h < h and 0 <= x0 and x0 + bar_w <= w:
        frame[y0:y0 + bar_h + 1, x0:x0 + bar_w] = _colour_bar(low, high, threshold, bar_w, bar_h)
    else:  # a frame too small for the bar: clipped lines
        for i in range(bar_w):
            s = low + (high - low) * i / (bar_w - 1)
            cv2.line(frame, (x0 + i, y0), (x0 + i, y0 + bar_h), score_color(s, threshold), 1)
    tx = x0 + int(round((threshold - low) / (high - low) * (bar_w - 1)))
    cv2.line(frame, (tx, y0 - pad // 2), (tx, y0 + bar_h + pad // 2), _WHITE, max(1, thick))
    for text, x in ((f"{low:.2g}", x0), (f"{threshold:.2g}", tx), (f"{high:.2g} same", x0 + bar_w)):
        tw = cv2.getTextSize(text, font, scale, thick)[0][0]
        put_text(frame, text, (min(max(x - tw // 2, 0), w - tw), y0 + bar_h + pad + text_h), _WHITE, scale, thick)
    return frame


@functools.lru_cache(maxsize=8)
def _colour_bar(low: float, high: float, threshold: float, width: int, height: int) -> np.ndarray:
    """The legend's colour bar (one colour per column, ``height + 1`` rows as a 1-pixel line from y to y + height
    draws), made once: the feedback video pastes it on every frame instead of drawing 320 lines."""
    bar = np.empty((height + 1, width, 3), dtype=np.uint8)
    for i in range(width):
        bar[:, i] = score_color(low + (high - low) * i / (width - 1), threshold)
    bar.flags.writeable = False
    return bar


@dataclass(frozen=True)
class CanvasTransform:
    """Keypoints -> panel pixels for inputs without video: ``points * scale + offset``."""

    scale: float
    offset: tuple[float, float]
    size: tuple[int, int]  # (width, height) of the panel

    def __call__(self, points: np.ndarray) -> np.ndarray:
        return np.asarray(points, dtype=np.float64) * self.scale + np.asarray(self.offset)

    def blank(self) -> np.ndarray:
        """An empty canvas of the panel's size (dark grey, so white outlines and colours both show)."""
        return np.full((self.size[1], self.size[0], 3), 48, dtype=np.uint8)


def keypoint_bbox(seq: PoseSequence) -> tuple[float, float, float, float] | None:
    """(x0, y0, x1, y1) of every present keypoint of the whole sequence, or None when there is none."""
    pts = seq.keypoints.reshape(-1, 2)
    ok = (seq.scores.reshape(-1) > 0) & np.isfinite(pts).all(axis=1)
    if not ok.any():
        return None
    x0, y0 = pts[ok].min(axis=0)
    x1, y1 = pts[ok].max(axis=0)
    return float(x0), float(y0), float(x1), float(y1)


def canvas_transform(seq: PoseSequence, size: tuple[int, int], margin: float = 0.08) -> CanvasTransform:
    """Fit the whole sequence's keypoint bounding box into a ``(width, height)`` panel with a margin, centred,
    aspect kept; the same transform serves every frame (so the motion, not the framing, moves)."""
    width, height = size
    box = keypoint_bbox(seq)
    if box is None:
        return CanvasTransform(1.0, (0.0, 0.0), size)
    x0, y0, x1, y1 = box
    inner_w, inner_h = width * (1 - 2 * margin), height * (1 - 2 * margin)
    scale = min(inner_w / max(x1 - x0, 1e-6), inner_h / max(y1 - y0, 1e-6))
    offset = (width / 2 - scale * (x0 + x1) / 2, height / 2 - scale * (y0 + y1) / 2)
    return CanvasTransform(float(scale), (float(offset[0]), float(offset[1])), size)
