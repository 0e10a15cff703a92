"""Rendering of comparison results: colours, per-frame timeline, drawn frames, feedback video, plots, report.

Nothing here runs a model or a pose estimator: every function takes a result of `motionsim.compare` (its
``to_dict()``) and `PoseSequence` objects, and draws. Heavy imports (cv2, av, matplotlib) happen inside the
functions that need them, so importing this package is cheap.
"""

from __future__ import annotations

from .colors import legend, score_color, score_hex
from .timeline import (
    frame_alignment,
    frame_overall_scores,
    frame_part_scores,
    least_similar_moments,
    physical_part_scores,
)

__all__ = [
    "frame_alignment",
    "frame_overall_scores",
    "frame_part_scores",
    "least_similar_moments",
    "legend",
    "physical_part_scores",
    "render_feedback_video",
    "score_color",
    "score_hex",
    "write_report",
]


def __getattr__(name: str):  # lazy: video and report pull in cv2 / av / matplotlib when first used
    if name == "render_feedback_video":
        from .video import render_feedback_video

        return render_feedback_video
    if name == "write_report":
        from .report import write_report

        return write_report
    raise AttributeError(name)
