"""Rendering of comparison results: colours, per-frame timeline, drawn frames, feedback video, plots, report.

Nothing here runs a model or a pose estimator: every function takes a result of `motionsim.compare` (its
``to_dict()``) and `PoseSequence` objects, and draws. Heavy imports (cv2, av, matplotlib) happen inside the
functions that need them, so importing this package is cheap.
"""

from __future__ import annotations

from .._lazy import lazy_exports
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
    "write_feedback",
    "write_report",
]


# video and report pull in cv2 / av / matplotlib: they load when first used
__getattr__ = lazy_exports(__name__, {"render_feedback_video": "video", "write_report": "report",
                                      "write_feedback": "feedback"})
