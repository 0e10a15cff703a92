"""The stages of a comparison job as the page shows them: where each starts on the progress bar, and its label."""

from __future__ import annotations

#: Stage -> (progress when it starts, label shown on the page).
STAGES = {
    "queued": (0.0, "waiting for the worker"),
    "poses": (0.02, "reading A and B (pose estimation for videos: the slow part)"),
    "scoring": (0.65, "scoring"),
    "video": (0.7, "rendering the feedback video"),
    "report": (0.9, "writing the report"),
    "done": (1.0, "done"),
}


def progress_at(stage: str, fraction: float = 0.0) -> float:
    """Overall progress ``fraction`` of the way through ``stage`` (pose estimation reports frames)."""
    start = STAGES[stage][0]
    end = min((v[0] for v in STAGES.values() if v[0] > start), default=1.0)
    return start + (end - start) * fraction
