"""The feedback of one comparison, as every front end makes it (`motionsim compare --video/--report`, the web
page): the feedback video and/or the report that embeds it, from a result and the two compared motions."""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..pose import PoseSequence
from .backgrounds import FrameStore

log = logging.getLogger(__name__)


def source_video(seq: PoseSequence, path: str | Path) -> str | None:
    """``path`` when ``seq`` was estimated from that video (the feedback draws on its frames), else None."""
    return str(path) if seq.meta.get("format") == "video" else None


def write_feedback(
    result: Mapping[str, Any],
    seq_a: PoseSequence,
    seq_b: PoseSequence,
    *,
    video: str | Path | None = None,
    report: str | Path | None = None,
    video_a: str | Path | None = None,
    video_b: str | Path | None = None,
    name_a: str = "A",
    name_b: str = "B",
    threshold: float = 0.4,
    progress: bool | None = None,
    on_stage: Callable[[str], None] | None = None,
    frames_a: FrameStore | None = None,
    frames_b: FrameStore | None = None,
) -> dict[str, str]:
    """Write the feedback video to ``video`` and/or the report to ``report`` (a report always embeds a
    feedback video, made in a temporary folder when ``video`` is None). ``video_a``/``video_b``: the original
    videos to draw on (None: a plain canvas); ``frames_a``/``frames_b``: their frames kept while the poses were
    estimated (`FrameStore`, so they are not decoded again); ``on_stage("video" | "report")`` is called as
    each starts. The report's thumbnails come from the video's pass. Returns {"video": path, "report": path}
    for what was written."""
    from .report import moment_frames, write_report
    from .video import render_feedback_video

    stage = on_stage or (lambda _name: None)
    written: dict[str, str] = {}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="motionsim-") as tmp:
        feedback = Path(video) if video else Path(tmp) / "feedback.mp4"
        stage("video")
        backgrounds = {}
        if report:
            backgrounds = {(side, i): None for a, b in moment_frames(result, len(seq_a), len(seq_b))
                           for side, i in (("a", a), ("b", b))}
        render_feedback_video(seq_a, seq_b, result, feedback, video_a=video_a, video_b=video_b, threshold=threshold,
                              progress=progress, name_a=name_a, name_b=name_b, frames_a=frames_a,
                              frames_b=frames_b, backgrounds=backgrounds)
        if video:
            written["video"] = str(feedback)
        if report:
            stage("report")
            write_report(result, seq_a, seq_b, report, video_a=video_a, video_b=video_b, feedback_video=feedback,
                         threshold=threshold, name_a=name_a, name_b=name_b, backgrounds=backgrounds)
            written["report"] = str(report)
    log.info("rendering %.2f s", time.perf_counter() - started)
    return written
