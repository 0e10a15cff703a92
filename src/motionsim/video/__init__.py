"""Videos: pose extraction (optional extra ``motionsim[video]``; nothing heavy is imported here)."""

from __future__ import annotations

from .extract import BACKENDS, MediaPipeBackend, PoseBackend, extract_pose, load_video

__all__ = ["BACKENDS", "MediaPipeBackend", "PoseBackend", "extract_pose", "load_video"]
