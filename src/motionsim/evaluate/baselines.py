"""Hand-made baselines of Table 2: frame-level DTW over joint positions or joint angles (no learning).

Both read the same preprocessed joints as BPE (internal 15-joint layout, gaps filled, smoothed, scaled to
a unit body height) so the comparison measures the representation, not the input cleaning.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial.distance import cdist

from ..dtw import BULK, dtw_path, mean_similarity_along_path
from ..pose import PoseSequence
from ..preprocess import prepare_points
from ..skeleton import BODY_PARTS, INTERNAL15_INDEX, PART_JOINTS, PART_REFERENCE
from .method_base import Method

#: Segments whose 2D orientation the joint-angle baseline compares: (from joint, to joint).
ANGLE_SEGMENTS: tuple[tuple[str, str], ...] = (
    ("neck", "nose"), ("mid_hip", "neck"), ("r_shoulder", "l_shoulder"), ("r_hip", "l_hip"),
    ("r_shoulder", "r_elbow"), ("r_elbow", "r_wrist"), ("l_shoulder", "l_elbow"), ("l_elbow", "l_wrist"),
    ("r_hip", "r_knee"), ("r_knee", "r_ankle"), ("l_hip", "l_knee"), ("l_knee", "l_ankle"),
)

#: Which of `ANGLE_SEGMENTS` belong to each body part (indices).
PART_SEGMENTS: dict[str, list[int]] = {"torso": [0, 1, 2, 3], "right_arm": [4, 5], "left_arm": [6, 7],
                                       "right_leg": [8, 9], "left_leg": [10, 11]}


class _FrameMethod(Method):
    """A frame-level method: reads the preprocessed joints of every ``frame_step``-th frame."""

    def __init__(self, frame_step: int = 1):
        if frame_step < 1:
            raise ValueError(f"frame_step must be >= 1, got {frame_step}")
        self.frame_step = frame_step

    def describe(self) -> str:
        return f"every {self.frame_step} frames" if self.frame_step > 1 else ""

    def _frames(self, seq: PoseSequence) -> np.ndarray:
        """Preprocessed joints, shape=(T', 15, 2), every ``frame_step``-th frame (at least one frame)."""
        return prepare_points(seq)[:: self.frame_step]


class JointDistance(_FrameMethod):
    """Joint distance + DTW: align frames with DTW on the RMS distance between corresponding joints.

    Joints are taken relative to the clip's mean mid-hip position (where the person stands in the image
    does not count; how they move about does) in units of body height. Score = minus the mean cost along
    the DTW path, so identical motions score 0 and everything else below.
    """

    name = "joint_distance"
    label = "joint distance + DTW"
    reference = "Euclidean joint distance with DTW-aligned frames (the paper's heuristic baseline)"

    def _features(self, seq: PoseSequence) -> np.ndarray:
        points = self._frames(seq)
        centre = points[:, INTERNAL15_INDEX["mid_hip"]].mean(axis=0)
        return np.ascontiguousarray((points - centre).reshape(len(points), -1), dtype=np.float64)

    def score(self, a: np.ndarray, b: np.ndarray) -> float:
        cost = cdist(a, b) / np.sqrt(a.shape[1] // 2)  # RMS over joints of the per-joint distance
        path, total = dtw_path(cost, kernel=BULK)
        return -total / len(path)

    def part_scores(self, a: np.ndarray, b: np.ndarray) -> dict[str, float]:
        """Joint distance + DTW on each body part alone (joints relative to the part's reference joint)."""
        pa, pb = a.reshape(len(a), -1, 2), b.reshape(len(b), -1, 2)
        out = {}
        for part in BODY_PARTS:
            idx, ref = list(PART_JOINTS[part]), PART_REFERENCE[part]
            fa = (pa[:, idx] - pa[:, ref: ref + 1]).reshape(len(pa), -1)
            fb = (pb[:, idx] - pb[:, ref: ref + 1]).reshape(len(pb), -1)
            cost = np.sqrt(((fa[:, None, :] - fb[None, :, :]) ** 2).sum(-1) / len(idx))
            path, total = dtw_path(cost, kernel=BULK)
            out[part] = -total / len(path)
        return out


class JointAngles(_FrameMethod):
    """Joint angles + DTW (after Kim & Kim 2018): compare the orientation of 12 body segments per frame.

    Kim & Kim compare 3D joint angles of a dancer and a teacher; from 2D joints we use each segment's
    image-plane angle, as a unit vector, so the frame similarity is the mean cosine of the angle
    differences. Frames are aligned with DTW on 1 - similarity and the score is the mean similarity along
    the path (in [-1, 1]), like Algorithm 1 on angles instead of embeddings.
    """

    name = "joint_angles"
    label = "Kim & Kim (joint angles)"
    reference = "Y. Kim and D. Kim, Multimedia Tools Appl. 77(23), 2018"

    def __init__(self, frame_step: int = 1):
        super().__init__(frame_step)
        self._from = [INTERNAL15_INDEX[a] for a, _ in ANGLE_SEGMENTS]
        self._to = [INTERNAL15_INDEX[b] for _, b in ANGLE_SEGMENTS]

    def _features(self, seq: PoseSequence) -> np.ndarray:
        points = self._frames(seq)
        seg = (points[:, self._to] - points[:, self._from]).astype(np.float64)  # (T, S, 2)
        norm = np.linalg.norm(seg, axis=2, keepdims=True)
        unit = np.divide(seg, norm, out=np.zeros_like(seg), where=norm > 1e-9)  # a collapsed segment counts 0
        return np.ascontiguousarray(unit.reshape(len(points), -1) / np.sqrt(len(ANGLE_SEGMENTS)))

    def score(self, a: np.ndarray, b: np.ndarray) -> float:
        # a @ b.T / sqrt(S)^2 = mean over segments of cos(angle_a - angle_b)
        return mean_similarity_along_path(np.clip(a @ b.T, -1.0, 1.0), kernel=BULK)

    def part_scores(self, a: np.ndarray, b: np.ndarray) -> dict[str, float]:
        """2-D limb angles per body part: the same score on each part's own segments (an arm's upper arm and
        forearm, a leg's thigh and shank, the torso's head, spine, shoulder and hip lines), DTW-aligned alone."""
        ua, ub = a.reshape(len(a), -1, 2), b.reshape(len(b), -1, 2)
        out = {}
        for part, segs in PART_SEGMENTS.items():
            fa, fb = ua[:, segs].reshape(len(a), -1), ub[:, segs].reshape(len(b), -1)
            out[part] = mean_similarity_along_path(np.clip(fa @ fb.T * (len(ANGLE_SEGMENTS) / len(segs)), -1.0, 1.0),
                                                   kernel=BULK)
        return out
