"""`PoseSequence`: the one in-memory form of a 2D motion that every reader returns and every stage takes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import PoseFormatError


@dataclass
class PoseSequence:
    """A 2D motion of one person in COCO-17 joint order.

    Attributes
    ----------
    keypoints : float32 array, shape=(T, 17, 2), image pixels (x right, y down)
    scores : float32 array, shape=(T, 17), confidence in [0, 1]; 0 means the joint is missing in that frame
    fps : frames per second when known
    source : where the motion came from (a path, "array"...), used in error messages
    """

    keypoints: np.ndarray
    scores: np.ndarray
    fps: float | None = None
    source: str = "array"
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.keypoints = np.asarray(self.keypoints, dtype=np.float32)
        self.scores = np.asarray(self.scores, dtype=np.float32)
        k, s = self.keypoints, self.scores
        if k.ndim != 3 or k.shape[1:] != (17, 2):
            raise PoseFormatError(f"{self.source}: keypoints must have shape (T, 17, 2), got {k.shape}")
        if s.shape != k.shape[:2]:
            raise PoseFormatError(f"{self.source}: scores must have shape {k.shape[:2]}, got {s.shape}")

    def __len__(self) -> int:
        return int(self.keypoints.shape[0])

    @property
    def n_frames(self) -> int:
        return len(self)

    def validate(self, min_frames: int = 1) -> PoseSequence:
        """Raise `PoseFormatError` unless the motion can be compared; return self.

        NaN/inf coordinates count as missing joints (score 0), so a reader may use NaN for "not detected".
        """
        if len(self) < min_frames:
            raise PoseFormatError(f"{self.source}: has {len(self)} frames, needs at least {min_frames}")
        bad = ~np.isfinite(self.keypoints).all(axis=2)
        if bad.any():
            self.keypoints = np.where(bad[..., None], 0.0, self.keypoints).astype(np.float32)
            self.scores = np.where(bad, 0.0, self.scores).astype(np.float32)
        if not np.isfinite(self.scores).all():
            raise PoseFormatError(f"{self.source}: confidence scores contain NaN or inf")
        present = (self.scores > 0) & (np.abs(self.keypoints).sum(axis=2) > 0)
        if not present.any():
            raise PoseFormatError(f"{self.source}: no joint is present in any frame (all zero, NaN or score 0)")
        return self


def as_pose_sequence(obj: Any, *, source: str | None = None, fps: float | None = None) -> PoseSequence:
    """Convert a path, an array (T, 17, 2|3) in COCO order, or a PoseSequence into a PoseSequence.

    Examples
    --------
    >>> seq = as_pose_sequence(np.ones((4, 17, 3)))
    >>> seq.keypoints.shape, float(seq.scores[0, 0])
    ((4, 17, 2), 1.0)
    """
    if isinstance(obj, PoseSequence):
        return obj
    if isinstance(obj, (str, Path)):
        from .io import load_pose

        return load_pose(obj)
    arr = np.asarray(obj, dtype=np.float32)
    name = source or "array"
    if arr.ndim != 3 or arr.shape[1] != 17 or arr.shape[2] not in (2, 3):
        raise PoseFormatError(f"{name}: expected an array of shape (T, 17, 2) or (T, 17, 3), got {arr.shape}")
    if arr.shape[2] == 3:
        points, scores = arr[..., :2], arr[..., 2]
    else:
        points = arr
        scores = (np.isfinite(arr).all(axis=2) & (np.abs(arr).sum(axis=2) > 0)).astype(np.float32)
    return PoseSequence(points, scores, fps=fps, source=name)
