"""Skeleton layouts as plain data, and maps from other keypoint layouts onto COCO-17.

Every reader turns its input into COCO-17 (the pose estimators' common denominator); preprocessing then
builds the paper's 15-joint internal layout from it (docs/method.md §2).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - numpy loads with the first conversion (the CLI parser needs names only)
    import numpy as np

# ---------------------------------------------------------------- COCO-17: the canonical input layout
COCO17_JOINTS: tuple[str, ...] = (
    "nose", "left_eye", "right_eye", "left_ear", "right_ear",
    "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist",
    "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
)
COCO17_INDEX: dict[str, int] = {name: i for i, name in enumerate(COCO17_JOINTS)}


def _swap_partner(name: str) -> str:
    if name.startswith("left_"):
        return "right_" + name[5:]
    if name.startswith("right_"):
        return "left_" + name[6:]
    return name


#: For each COCO-17 joint, the index of its mirror-image partner (itself for the nose).
COCO17_SWAP: tuple[int, ...] = tuple(COCO17_INDEX[_swap_partner(n)] for n in COCO17_JOINTS)

COCO17_EDGES: tuple[tuple[int, int], ...] = (
    (0, 1), (0, 2), (1, 3), (2, 4), (5, 6), (5, 7), (7, 9), (6, 8), (8, 10),
    (5, 11), (6, 12), (11, 12), (11, 13), (13, 15), (12, 14), (14, 16),
)

# ---------------------------------------------------------------- the paper's internal 15-joint layout
INTERNAL15_JOINTS: tuple[str, ...] = (
    "nose", "neck", "r_shoulder", "r_elbow", "r_wrist", "l_shoulder", "l_elbow", "l_wrist",
    "mid_hip", "r_hip", "r_knee", "r_ankle", "l_hip", "l_knee", "l_ankle",
)
INTERNAL15_INDEX: dict[str, int] = {name: i for i, name in enumerate(INTERNAL15_JOINTS)}

#: Internal joint -> COCO-17 joints averaged to make it (neck and mid_hip are means of two joints).
INTERNAL15_FROM_COCO17: tuple[tuple[int, ...], ...] = (
    (0,), (5, 6), (6,), (8,), (10,), (5,), (7,), (9,), (11, 12), (12,), (14,), (16,), (11,), (13,), (15,),
)

# ---------------------------------------------------------------- body parts (docs/method.md §2)
BODY_PARTS: tuple[str, ...] = ("right_arm", "left_arm", "right_leg", "left_leg", "torso")
#: How tables, pictures and pages name the parts (and a short form for narrow tables).
PART_LABELS: dict[str, str] = {p: p.replace("_", " ") for p in BODY_PARTS}
PART_SHORT_LABELS: dict[str, str] = {"right_arm": "R arm", "left_arm": "L arm", "right_leg": "R leg",
                                     "left_leg": "L leg", "torso": "torso"}

#: How an overall score combines the part scores: "movement" (default) weights each part by how much it moves
#: in the two motions (`similarity.part_weights`); "equal" is the plain mean of the paper's Algorithm 1.
PART_WEIGHTINGS: tuple[str, ...] = ("movement", "equal")

#: Internal-15 joints of each part, and the joint they are expressed relative to.
PART_JOINTS: dict[str, tuple[int, ...]] = {
    "right_arm": (2, 3, 4),
    "left_arm": (5, 6, 7),
    "right_leg": (9, 10, 11),
    "left_leg": (12, 13, 14),
    "torso": (0, 1, 2, 5, 9, 12),
}
PART_REFERENCE: dict[str, int] = {
    "right_arm": 2, "left_arm": 5, "right_leg": 9, "left_leg": 12, "torso": 8,
}
#: Channels per part: 2 per joint, plus the mid-hip velocity (x, y) on the torso.
PART_CHANNELS: dict[str, int] = {"right_arm": 6, "left_arm": 6, "right_leg": 6, "left_leg": 6, "torso": 14}
N_CHANNELS: int = sum(PART_CHANNELS.values())  # 38
#: Slice of each part in the concatenated 38-channel array.
PART_SLICES: dict[str, slice] = {}
_start = 0
for _part in BODY_PARTS:
    PART_SLICES[_part] = slice(_start, _start + PART_CHANNELS[_part])
    _start += PART_CHANNELS[_part]
del _start, _part

#: The mirror image of each part.
PART_SWAP: dict[str, str] = {
    "right_arm": "left_arm", "left_arm": "right_arm",
    "right_leg": "left_leg", "left_leg": "right_leg", "torso": "torso",
}
#: Joint order of the torso after mirroring: nose, neck, l_shoulder, r_shoulder, l_hip, r_hip.
TORSO_SWAP: tuple[int, ...] = (0, 1, 3, 2, 5, 4)

# ---------------------------------------------------------------- other layouts -> COCO-17
# Each map is a tuple of 17 source indices (None: joint absent in that layout).
OPENPOSE_BODY25_TO_COCO17: tuple[int | None, ...] = (0, 16, 15, 18, 17, 5, 2, 6, 3, 7, 4, 12, 9, 13, 10, 14, 11)
OPENPOSE_COCO18_TO_COCO17: tuple[int | None, ...] = (0, 15, 14, 17, 16, 5, 2, 6, 3, 7, 4, 11, 8, 12, 9, 13, 10)
MEDIAPIPE33_TO_COCO17: tuple[int | None, ...] = (0, 2, 5, 7, 8, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28)
# NTU Kinect-25 (1-based in the NTU docs, 0-based here): the head (3) stands in for the nose; no eyes or ears.
NTU25_TO_COCO17: tuple[int | None, ...] = (3, None, None, None, None, 4, 8, 5, 9, 6, 10, 12, 16, 13, 17, 14, 18)

LAYOUTS: dict[str, tuple[int, tuple[int | None, ...]]] = {
    "coco17": (17, tuple(range(17))),
    "body25": (25, OPENPOSE_BODY25_TO_COCO17),
    "coco18": (18, OPENPOSE_COCO18_TO_COCO17),
    "mediapipe33": (33, MEDIAPIPE33_TO_COCO17),
    "ntu25": (25, NTU25_TO_COCO17),
}


def to_coco17(points: np.ndarray, scores: np.ndarray, layout: str) -> tuple[np.ndarray, np.ndarray]:
    """Map keypoints of a named layout onto COCO-17.

    Parameters
    ----------
    points : array, shape=(T, J, 2)
    scores : array, shape=(T, J)
    layout : one of ``LAYOUTS`` (the layout is always named explicitly, never guessed from J)

    Returns
    -------
    (points, scores) with shape (T, 17, 2) and (T, 17); absent joints get score 0.

    Examples
    --------
    >>> import numpy as np
    >>> p, s = to_coco17(np.ones((2, 25, 2)), np.ones((2, 25)), "body25")
    >>> p.shape, s.shape
    ((2, 17, 2), (2, 17))
    """
    import numpy as np

    if layout not in LAYOUTS:
        raise ValueError(f"unknown keypoint layout {layout!r}; known: {', '.join(LAYOUTS)}")
    n_joints, index = LAYOUTS[layout]
    if points.ndim != 3 or points.shape[1] != n_joints:
        raise ValueError(f"layout {layout} needs shape (T, {n_joints}, 2), got {points.shape}")
    t = points.shape[0]
    out_p = np.zeros((t, 17, 2), dtype=np.float32)
    out_s = np.zeros((t, 17), dtype=np.float32)
    for dst, src in enumerate(index):
        if src is not None:
            out_p[:, dst] = points[:, src, :2]
            out_s[:, dst] = scores[:, src]
    return out_p, out_s
