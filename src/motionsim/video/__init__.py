"""Videos: pose estimation (optional extra ``motionsim[video]``; nothing heavy is imported here)."""

from __future__ import annotations

from .extract import ESTIMATORS, MediaPipeEstimator, PoseEstimator, extract_pose, load_video

__all__ = ["ESTIMATORS", "MediaPipeEstimator", "PoseEstimator", "extract_pose", "load_video"]
