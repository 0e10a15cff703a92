"""`PoseSequence`: the one in-memory form of a 2D motion that every reader returns and every stage takes,
and the rules every stage shares about it (which joints are present, what the mirror image is).

Reading files is `motionsim.io`'s job: `motionsim.io.as_pose_sequence` takes paths as well as what `from_array`
takes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import PoseFormatError
from .skeleton import COCO17_SWAP


def joint_present(points: np.ndarray, scores: np.ndarray | None = None, min_score: float | None = None) -> np.ndarray:
    """Which joints are present, shape=points.shape[:-1]: finite and not at (0, 0) (how files and pose
    estimators write an undetected joint) and, given ``scores``, scored above 0 (or at least ``min_score``).

    Examples
    --------
    >>> joint_present(np.array([[1.0, 2.0], [0.0, 0.0], [np.nan, 3.0]])).tolist()
    [True, False, False]
    """
    coords = [points[..., d] for d in range(points.shape[-1])]  # (a reduction over a last axis of 2 is slow)
    present = np.logical_and.reduce([np.isfinite(c) for c in coords]) & np.logical_or.reduce([c != 0 for c in coords])
    if scores is not None:
        present &= (scores > 0) if min_score is None else (scores >= min_score)
    return present


def mirror_points(points: np.ndarray, about_x: float = 0.0) -> np.ndarray:
    """Mirror image of COCO-17 points (..., 17, 2) about the vertical line x = ``about_x``: left and right
    joints trade places (the paper's "body flip")."""
    out = points[..., list(COCO17_SWAP), :].copy()
    out[..., 0] *= -1
    if about_x:
        out[..., 0] += 2 * about_x
    return out


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
        # contiguous: the x, y of a (T, 17, 3) array are a strided view, on which every later step is slower
        # (np.isfinite of 5,040 frames: 0.8 ms against 0.03)
        self.keypoints = np.ascontiguousarray(self.keypoints, dtype=np.float32)
        self.scores = np.ascontiguousarray(self.scores, dtype=np.float32)
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

        NaN coordinates count as missing joints (score 0), so a reader may use NaN for "not detected"; an
        infinite coordinate is a broken file, never a pose, and is refused.
        """
        if len(self) < min_frames:
            raise PoseFormatError(f"{self.source}: has {len(self)} frames, needs at least {min_frames}")
        finite = np.isfinite(self.keypoints)
        if not finite.all():  # (one pass over the coordinates when they are all numbers, as they usually are)
            infinite = np.isinf(self.keypoints)
            if infinite.any():
                t, j = np.argwhere(infinite)[0][:2]
                raise PoseFormatError(f"{self.source}: coordinates contain inf ({int(infinite.any(axis=2).sum())} "
                                      f"joints, first at frame {t}, joint {j})")
            bad = ~finite.all(axis=2)
            self.keypoints = np.where(bad[..., None], 0.0, self.keypoints).astype(np.float32)
            self.scores = np.where(bad, 0.0, self.scores).astype(np.float32)
        if not np.isfinite(self.scores).all():
            raise PoseFormatError(f"{self.source}: confidence scores contain NaN or inf")
        if not joint_present(self.keypoints, self.scores).any():
            raise PoseFormatError(f"{self.source}: no joint is present in any frame (all zero, NaN or score 0)")
        return self


def mirror_sequence(seq: PoseSequence) -> PoseSequence:
    """The mirror image of a motion: x -> -x and left/right joints swapped (the paper's "body flip").

    Examples
    --------
    >>> seq = from_array(np.arange(17 * 2, dtype=float).reshape(1, 17, 2) + 1)
    >>> bool(np.array_equal(mirror_sequence(mirror_sequence(seq)).keypoints, seq.keypoints))
    True
    """
    return PoseSequence(mirror_points(seq.keypoints), seq.scores[:, list(COCO17_SWAP)].copy(), fps=seq.fps,
                        source=f"{seq.source} (mirrored)", meta=dict(seq.meta))


#: The x and y columns of a (T, 17, 3) array seen as (T, 51).
_XY_COLUMNS = (3 * np.arange(17)[:, None] + np.arange(2)).ravel()


def from_array(obj: Any, *, source: str | None = None, fps: float | None = None) -> PoseSequence:
    """Convert an array (T, 17, 2|3) in COCO order, or a PoseSequence, into a PoseSequence.

    Paths are `motionsim.io`'s: `motionsim.io.as_pose_sequence` takes them too.

    Examples
    --------
    >>> seq = from_array(np.ones((4, 17, 3)))
    >>> seq.keypoints.shape, float(seq.scores[0, 0])
    ((4, 17, 2), 1.0)
    """
    if isinstance(obj, PoseSequence):
        return obj
    if isinstance(obj, (str, Path)):
        raise TypeError(f"{obj}: a path; read files with motionsim.io.as_pose_sequence or motionsim.io.load_pose")
    arr = np.asarray(obj, dtype=np.float32)
    name = source or "array"
    if arr.ndim != 3 or arr.shape[1] != 17 or arr.shape[2] not in (2, 3):
        raise PoseFormatError(f"{name}: expected an array of shape (T, 17, 2) or (T, 17, 3), got {arr.shape}")
    if arr.shape[2] == 3:  # x, y gathered as columns: copying the strided view arr[..., :2] is 3x slower
        points = np.take(arr.reshape(len(arr), 51), _XY_COLUMNS, axis=1).reshape(len(arr), 17, 2)
        scores = arr[..., 2]
    else:
        points = arr
        scores = joint_present(arr).astype(np.float32)
    return PoseSequence(points, scores, fps=fps, source=name)


def people_meta(scores: np.ndarray) -> dict[str, int]:
    """Where one person of a group is seen, from their scores shape=(T, J): ``frames_present`` (frames with a
    present joint), ``first_frame`` and ``last_frame`` (-1 when never seen).

    Examples
    --------
    >>> people_meta(np.array([[0.0], [0.9], [0.0], [0.8]]))
    {'frames_present': 2, 'first_frame': 1, 'last_frame': 3}
    """
    present = np.flatnonzero((np.asarray(scores) > 0).any(axis=1))
    if not len(present):
        return {"frames_present": 0, "first_frame": -1, "last_frame": -1}
    return {"frames_present": int(len(present)), "first_frame": int(present[0]), "last_frame": int(present[-1])}
