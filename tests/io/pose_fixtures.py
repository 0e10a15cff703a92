"""Helpers for the reader tests: hand-made poses and files in the formats under test."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from motionsim.skeleton import COCO17_JOINTS

# A standing person in a unit box (x right, y down), COCO-17 order.
_UNIT_POSE = np.array([
    [0.50, 0.05], [0.53, 0.03], [0.47, 0.03], [0.56, 0.05], [0.44, 0.05],
    [0.65, 0.20], [0.35, 0.20], [0.70, 0.38], [0.30, 0.38], [0.72, 0.52], [0.28, 0.52],
    [0.60, 0.55], [0.40, 0.55], [0.60, 0.77], [0.40, 0.77], [0.60, 0.98], [0.40, 0.98],
])
assert len(_UNIT_POSE) == len(COCO17_JOINTS)


def person(cx: float, cy: float, height: float, t: int = 0) -> np.ndarray:
    """COCO-17 points (17, 2) of a person centred at (cx, cy), ``height`` pixels tall, arms moving with t."""
    pts = (_UNIT_POSE - 0.5) * height + [cx, cy]
    pts[9:11, 1] -= 0.05 * height * np.sin(t / 3.0)
    return pts


def coco_object(points: np.ndarray, score: float = 0.9, object_id: int | None = None) -> dict:
    kp = np.concatenate([points, np.full((len(points), 1), score)], axis=1)
    lo, hi = points.min(axis=0), points.max(axis=0)
    obj = {"keypoints": kp.ravel().round(3).tolist(), "score": score,
           "bbox": [*lo.tolist(), *(hi - lo).tolist()], "category_id": 1}
    if object_id is not None:
        obj["object_id"] = object_id
    return obj


def write_json(path: Path, obj: object) -> Path:
    path.write_text(json.dumps(obj))
    return path


#: The NTU refined-skeleton sample from the authors' data (2 frames, one person), copied into tests/data.
SAMPLE_JSON = Path(__file__).parents[1] / "data" / "ntu_refined_sample.json"
