"""The feedback of everyone in a group against one reference (``compare A B --person auto,all --video
--report``): the group's video with every person's skeleton in their own part colours and labelled with their
id and score, the reference beside it; and the report with the per-person table and each person's timeline.

``result`` is ``compare_people(...).to_dict()`` (``{"people": [...]}``); ``group`` is {id: PoseSequence} (every
sequence as long as the group's input), ``reference`` the other input's one person.
"""

from __future__ import annotations

import logging
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..atomic import atomic_output
from ..pose import PoseSequence
from ..skeleton import BODY_PARTS
from .backgrounds import PANEL_HEIGHT, FrameStore
from .colors import score_color
from .frames import cv2_module, draw_legend, draw_pose, draw_title, put_text
from .panels import Panel
from .timeline import person_frame_view, physical_part_scores
from .video import H264Writer, _ascii, av_module, output_fps

log = logging.getLogger(__name__)

_WHITE = (255, 255, 255)


class PersonView:
    """One scored person of the group, frame by frame of the group's input: part scores (as filmed) and the
    reference's matching frame."""

    def __init__(self, entry: Mapping[str, Any], n_reference: int, side: str) -> None:
        self.ident = int(entry["person"])
        self.first, self.last = int(entry["first_frame"]), int(entry["last_frame"])
        self.similarity = float(entry["similarity"])
        n = self.last - self.first + 1
        self.scores, self.reference = person_frame_view(entry, n, n_reference, side)
        # the person is mirrored only when they were A and the mirror image won
        self.flipped = bool(entry.get("flipped")) and side == "a"
        weights = entry.get("part_weights") or {}
        w = np.array([weights.get(p, 1.0) for p in BODY_PARTS], dtype=np.float64)
        self.overall = self.scores @ (w / w.sum())

    def at(self, t: int) -> tuple[dict[str, float], float] | None:
        """(part scores as filmed, overall) at frame ``t`` of the group, or None outside the person's frames."""
        if not self.first <= t <= self.last:
            return None
        row = self.scores[t - self.first]
        parts = {p: float(row[k]) for k, p in enumerate(BODY_PARTS)}
        return physical_part_scores(parts, self.flipped), float(self.overall[t - self.first])


def reference_frames(lead: PersonView | None, n_group: int, n_reference: int, ratio: float) -> np.ndarray:
    """The reference's frame shown with each frame of the group: the lead person's match inside their frames,
    advancing in time (``ratio`` = reference fps / group fps) before and after; non-decreasing."""
    t = np.arange(n_group, dtype=np.float64)
    if lead is None:
        mapped = t * ratio
    else:
        mapped = np.empty(n_group)
        inside = (t >= lead.first) & (t <= lead.last)
        mapped[inside] = lead.reference[(t[inside] - lead.first).astype(np.int64)]
        mapped[t < lead.first] = lead.reference[0] - (lead.first - t[t < lead.first]) * ratio
        mapped[t > lead.last] = lead.reference[-1] + (t[t > lead.last] - lead.last) * ratio
    return np.maximum.accumulate(np.clip(np.rint(mapped), 0, max(n_reference - 1, 0)).astype(np.int64))


def _label(frame: np.ndarray, points: np.ndarray, scores: np.ndarray, text: str, colour) -> None:
    """``text`` above the person's highest present joint."""
    cv2 = cv2_module()
    ok = (scores > 0) & np.isfinite(points).all(axis=1)
    if not ok.any():
        return
    h, w = frame.shape[:2]
    scale = max(0.45, h / 900)
    thick = max(1, int(round(scale * 2)))
    (tw, th), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thick)
    x = int(np.clip(points[ok, 0].mean() - tw / 2, 0, max(w - tw, 0)))
    y = int(np.clip(points[ok, 1].min() - th, th + 2, h - 2))
    put_text(frame, text, (x, y), colour, scale, thick)


def _group_panel(group: Mapping[int, PoseSequence], height: int, video: str | Path | None,
                 frames: FrameStore | None) -> Panel:
    """The group's side: its video, or a canvas that fits everyone."""
    first = next(iter(group.values()))
    if video is not None:
        return Panel(first, height, video, frames)
    everyone = PoseSequence(np.concatenate([s.keypoints for s in group.values()]),
                            np.concatenate([s.scores for s in group.values()]), fps=first.fps, meta=first.meta)
    return Panel(everyone, height)


def render_people_video(
    result: Mapping[str, Any],
    group: Mapping[int, PoseSequence],
    reference: PoseSequence,
    out_path: str | Path,
    *,
    side: str = "b",
    group_video: str | Path | None = None,
    reference_video: str | Path | None = None,
    threshold: float = 0.4,
    height: int = PANEL_HEIGHT,
    progress: bool | None = None,
    group_name: str = "everyone",
    reference_name: str = "reference",
    group_frames: FrameStore | None = None,
    reference_frames_kept: FrameStore | None = None,
) -> Path:
    """Write the group's feedback video: one frame per frame of the group's input, at its frame rate; left,
    the group with each scored person's skeleton in their part colours (red to green, yellow at ``threshold``)
    labelled ``#id`` and their score at that moment (people too short to score in grey); right, the reference
    at the moment matched by the best-scoring person (the lead), in grey."""
    cv2_module()
    av_module()
    from tqdm.auto import tqdm

    n_group = len(next(iter(group.values())))
    views = [PersonView(e, len(reference), side) for e in result["people"] if "similarity" in e]
    lead = max(views, key=lambda v: (v.similarity, -v.ident)) if views else None
    fps = output_fps(next(iter(group.values())))
    ratio = (reference.fps or fps) / fps
    ref_index = reference_frames(lead, n_group, len(reference), ratio)
    by_id = {v.ident: v for v in views}
    show = sys.stderr.isatty() if progress is None else bool(progress)
    out = Path(out_path)
    title_ref = _ascii(f"{reference_name}" + (f"  (timed to #{lead.ident})" if lead else ""))
    with (_group_panel(group, height, group_video, group_frames) as pg,
          Panel(reference, height, reference_video, reference_frames_kept) as pr, atomic_output(out) as tmp):
        gap = 4
        width = pg.width + gap + pr.width
        with H264Writer(tmp, width, pg.height, fps) as writer, tqdm(
                total=n_group, disable=not show, unit="frame", desc="feedback video") as bar:
            for t in range(n_group):
                left, right = pg.background(t), pr.background(int(ref_index[t]))
                lines = []
                for ident in group:
                    view = by_id.get(ident)
                    now = view.at(t) if view is not None else None
                    if now is not None:
                        lines.append((f"#{ident} {now[1]:+.2f}", score_color(now[1], threshold)))
                draw_title(left, _ascii(f"{group_name}  {t / fps:.1f}s"))
                _person_list(left, lines)
                draw_title(right, title_ref)
                draw_legend(right, threshold)
                for ident, seq in group.items():  # skeletons last: text boxes never dim their colours
                    if not (seq.scores[t] > 0).any():
                        continue
                    view = by_id.get(ident)
                    now = view.at(t) if view is not None else None
                    points = pg.to_panel(seq.keypoints[t])
                    draw_pose(left, points, seq.scores[t], now[0] if now else {}, threshold)
                    text = f"#{ident} {now[1]:+.2f}" if now else f"#{ident}"
                    _label(left, points, seq.scores[t], text, score_color(now[1], threshold) if now else _WHITE)
                pr.draw_pose_on(right, int(ref_index[t]), {}, threshold)
                frame = np.zeros((pg.height, width, 3), dtype=np.uint8)
                frame[:, :pg.width] = left
                frame[:, pg.width + gap:] = right
                writer.write(frame)
                bar.update(1)
    return out


def _person_list(frame: np.ndarray, lines: list[tuple[str, tuple[int, int, int]]]) -> None:
    """Each person on screen with their score at this moment, under the title, in their score's colour."""
    cv2 = cv2_module()
    h = frame.shape[0]
    scale = max(0.4, h / 900)
    thick = max(1, int(round(scale * 1.8)))
    step = int(round(32 * scale)) + 4
    shown = lines[:12]
    if not shown:
        return
    top = int(1.6 * step)
    width = max(cv2.getTextSize(t, cv2.FONT_HERSHEY_SIMPLEX, scale, thick)[0][0] for t, _ in shown) + 16
    box = frame[top:top + len(shown) * step + step // 3, :width]
    box[:] = (box * 0.38).astype(np.uint8)  # shaded, as the other text boxes
    for k, (text, colour) in enumerate(shown):
        put_text(frame, text, (8, top + (k + 1) * step - step // 4), colour, scale, thick)


def write_people_feedback(
    result: Mapping[str, Any],
    group: Mapping[int, PoseSequence],
    reference: PoseSequence,
    *,
    side: str = "b",
    video: str | Path | None = None,
    report: str | Path | None = None,
    group_video: str | Path | None = None,
    reference_video: str | Path | None = None,
    group_name: str = "everyone",
    reference_name: str = "reference",
    threshold: float = 0.4,
    progress: bool | None = None,
    on_stage: Callable[[str], None] | None = None,
    group_frames: FrameStore | None = None,
    reference_frames: FrameStore | None = None,
) -> dict[str, str]:
    """Write the group's feedback video to ``video`` and/or the report to ``report`` (which embeds a video,
    made in a temporary folder when ``video`` is None); ``side``: the input ("a" or "b") that holds everyone.
    Returns {"video": path, "report": path} for what was written."""
    from .group_report import write_people_report

    stage = on_stage or (lambda _name: None)
    written: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="motionsim-") as tmp:
        feedback = Path(video) if video else Path(tmp) / "feedback.mp4"
        stage("video")
        render_people_video(result, group, reference, feedback, side=side, group_video=group_video,
                            reference_video=reference_video, threshold=threshold, progress=progress,
                            group_name=group_name, reference_name=reference_name, group_frames=group_frames,
                            reference_frames_kept=reference_frames)
        if video:
            written["video"] = str(feedback)
        if report:
            stage("report")
            with atomic_output(Path(report)) as out:
                write_people_report(result, group, reference, out, side=side, feedback_video=feedback,
                                    threshold=threshold, group_name=group_name, reference_name=reference_name)
            written["report"] = str(report)
    return written
