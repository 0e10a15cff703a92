"""Video -> `PoseSequence` with a pluggable 2D pose estimator.

A backend is a callable ``backend(frame_rgb) -> (points, scores) | None`` on one RGB frame (H, W, 3) uint8,
returning pixel coordinates shape=(J, 2) and scores shape=(J,) in the layout named by its ``layout``
attribute (a key of `motionsim.skeleton.LAYOUTS`), or None when nobody is seen. It may have ``close()``.
`BACKENDS` maps names to factories ``(**options) -> backend``; `extract_pose` also takes a backend object.

Optional dependencies (``pip install 'motionsim[video]'``): opencv for decoding, ``mediapipe==0.10.21`` for
the default backend (its BlazePose models ship inside the wheel; newer releases download them at run time).
Both are imported only when a video is read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol

import numpy as np

from ..errors import MissingExtraError, PoseFormatError
from ..pose import PoseSequence
from ..skeleton import LAYOUTS, to_coco17

log = logging.getLogger(__name__)

_INSTALL = "pip install 'motionsim[video]'"


class PoseBackend(Protocol):
    """What `extract_pose` needs from a pose estimator."""

    layout: str

    def __call__(self, frame_rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None: ...


class MediaPipeBackend:
    """MediaPipe Pose (BlazePose, 33 landmarks, one person) from ``mediapipe==0.10.21``.

    Parameters
    ----------
    model_complexity : 0 (lite), 1 (full, default) or 2 (heavy; not shipped in every wheel)
    min_detection_confidence, min_tracking_confidence : MediaPipe's thresholds
    """

    layout = "mediapipe33"

    def __init__(self, model_complexity: int = 1, min_detection_confidence: float = 0.5,
                 min_tracking_confidence: float = 0.5) -> None:
        try:
            import mediapipe as mp
        except ImportError as exc:
            raise MissingExtraError(f"the mediapipe video backend needs mediapipe==0.10.21: {_INSTALL}") from exc
        self._pose = mp.solutions.pose.Pose(
            static_image_mode=False, model_complexity=model_complexity,
            min_detection_confidence=min_detection_confidence, min_tracking_confidence=min_tracking_confidence,
        )

    def __call__(self, frame_rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        result = self._pose.process(frame_rgb)
        if result.pose_landmarks is None:
            return None
        h, w = frame_rgb.shape[:2]
        lms = result.pose_landmarks.landmark
        points = np.array([[lm.x * w, lm.y * h] for lm in lms], dtype=np.float32)
        scores = np.array([lm.visibility for lm in lms], dtype=np.float32)
        return points, scores

    def close(self) -> None:
        self._pose.close()


#: Backend name -> factory ``(**options) -> PoseBackend``.
BACKENDS: MappingProxyType[str, Callable[..., PoseBackend]] = MappingProxyType({"mediapipe": MediaPipeBackend})


def _open(path: Path) -> Any:
    try:
        import cv2
    except ImportError as exc:
        raise MissingExtraError(f"reading videos needs opencv: {_INSTALL}") from exc
    cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        cap.release()
        raise PoseFormatError(f"{path}: cannot be opened as a video")
    return cap


def extract_pose(
    path: str | Path,
    backend: str | PoseBackend = "mediapipe",
    *,
    max_frames: int | None = None,
    progress: bool | None = None,
    **options: Any,
) -> PoseSequence:
    """Run a pose estimator on every frame of a video.

    Parameters
    ----------
    path : a video file opencv can decode
    backend : a name in `BACKENDS` (``options`` go to its factory) or a backend object
    max_frames : stop after this many frames (None: the whole video)
    progress : show a tqdm bar over frames; None shows it only on a terminal

    Returns
    -------
    PoseSequence in COCO-17 with the video's fps; frames where nobody is detected are all-missing.
    ``meta`` holds ``width``, ``height``, ``backend`` and ``layout``.
    """
    from tqdm.auto import tqdm

    path = Path(path)
    if not path.is_file():
        raise PoseFormatError(f"{path}: file not found")
    if isinstance(backend, str) and backend not in BACKENDS:
        raise PoseFormatError(f"{path}: unknown video backend {backend!r}; known: {', '.join(BACKENDS)}")
    cap = _open(path)
    import cv2

    estimator: Any = None
    try:
        if isinstance(backend, str):
            name, estimator = backend, BACKENDS[backend](**options)
        else:
            name, estimator = type(backend).__name__, backend
        layout = getattr(estimator, "layout", None)
        if layout not in LAYOUTS:
            raise ValueError(f"backend {name} has layout {layout!r}; expected one of {', '.join(LAYOUTS)}")
        n_joints = LAYOUTS[layout][0]
        fps = float(cap.get(cv2.CAP_PROP_FPS)) or None
        width, height = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        total = int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) or None
        if max_frames is not None:
            total = min(total, max_frames) if total else max_frames
        points, scores = [], []
        with tqdm(total=total, unit="frame", desc=path.name, disable=None if progress is None else not progress) as bar:
            while max_frames is None or len(points) < max_frames:
                ok, frame = cap.read()
                if not ok:
                    break
                found = estimator(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
                if found is None:
                    found = (np.zeros((n_joints, 2), np.float32), np.zeros(n_joints, np.float32))
                points.append(np.asarray(found[0], np.float32)[:, :2])
                scores.append(np.asarray(found[1], np.float32))
                bar.update(1)
    finally:
        cap.release()
        if isinstance(backend, str) and hasattr(estimator, "close"):
            estimator.close()
    if not points:
        raise PoseFormatError(f"{path}: video has zero readable frames")
    kp, sc = to_coco17(np.stack(points), np.stack(scores), layout)
    detected = int((sc > 0).any(axis=1).sum())
    log.info("%s: %d frames, person detected in %d (%s backend)", path, len(kp), detected, name)
    meta = {"width": width, "height": height, "backend": name, "layout": layout, "format": "video"}
    return PoseSequence(kp, sc, fps=fps, source=str(path), meta=meta)
