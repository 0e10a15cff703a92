"""Video -> `PoseSequence` with a pluggable 2D pose estimator.

An estimator is a callable ``estimate(frame_rgb) -> (points, scores) | None`` on one RGB frame (H, W, 3) uint8,
returning pixel coordinates shape=(J, 2) and scores shape=(J,) in the layout named by its ``layout``
attribute (a key of `motionsim.skeleton.LAYOUTS`), or None when nobody is seen. It may have ``close()``.
`ESTIMATORS` maps names to factories ``(**options) -> estimator``; `extract_pose` also takes an estimator object.

Optional dependencies (``pip install 'motionsim[video]'``): opencv for decoding, ``mediapipe==0.10.21`` for
the default estimator (its BlazePose models ship inside the wheel; newer releases download them at run time).
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
from .decode import EstimationPass, KeepFrames, open_video

log = logging.getLogger(__name__)

_INSTALL = "pip install 'motionsim[video]'"


class PoseEstimator(Protocol):
    """What `extract_pose` needs from a pose estimator."""

    layout: str

    def __call__(self, frame_rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None: ...


class MediaPipeEstimator:
    """MediaPipe Pose (BlazePose, 33 landmarks, one person) from ``mediapipe==0.10.21``.

    Parameters
    ----------
    model_complexity : 0 (lite), 1 (full, default; the only model inside the 0.10.21 wheel) or 2 (heavy)
    min_detection_confidence, min_tracking_confidence : MediaPipe's thresholds
    static_image_mode : detect afresh on every image instead of tracking (used to find people in one frame)
    """

    @staticmethod
    def version() -> str:
        from importlib.metadata import version

        return f"mediapipe {version('mediapipe')}"

    layout = "mediapipe33"

    def __init__(self, model_complexity: int = 1, min_detection_confidence: float = 0.5,
                 min_tracking_confidence: float = 0.5, static_image_mode: bool = False) -> None:
        from .detect import import_mediapipe

        import_mediapipe()  # without matplotlib.pyplot, which mediapipe imports and pose estimation never uses
        try:
            import mediapipe as mp
        except ImportError as exc:
            raise MissingExtraError(f"the mediapipe pose estimator needs mediapipe==0.10.21: {_INSTALL}") from exc
        self._pose = mp.solutions.pose.Pose(
            static_image_mode=static_image_mode, model_complexity=model_complexity,
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

    def reset(self) -> None:
        """Forget the person being tracked (the next frame is searched afresh)."""
        self._pose.reset()

    def close(self) -> None:
        self._pose.close()


#: Estimator name -> factory ``(**options) -> PoseEstimator``.
ESTIMATORS: MappingProxyType[str, Callable[..., PoseEstimator]] = MappingProxyType({"mediapipe": MediaPipeEstimator})


def _make_estimator(estimator: str | PoseEstimator, options: dict[str, Any]) -> tuple[str, Any, bool]:
    """(name, the estimating callable, whether we own it and must close it)."""
    if isinstance(estimator, str):
        return estimator, ESTIMATORS[estimator](**options), True
    return type(estimator).__name__, estimator, False


def _follow_person(cap: Any, estimate: Any, estimator: str | PoseEstimator, person: str | int,
                   options: dict[str, Any], path: Path) -> Any:
    """Wrap ``estimate`` so it follows the person ``person`` picks (see `video.people`)."""
    import cv2

    from .people import CroppedEstimator, choose_person, find_people

    if not isinstance(estimator, str):
        raise ValueError("choosing a person needs a named estimator (it builds a still-image twin)")
    finder = ESTIMATORS[estimator](**{**options, "static_image_mode": True})
    need = int(person) + 1 if not isinstance(person, str) else 1
    fps = float(cap.get(cv2.CAP_PROP_FPS)) or 30.0
    width, height = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
    most: list[Any] = []
    at = 0
    try:
        for k in range(20):  # a look every half second over the first 10 s
            cap.set(cv2.CAP_PROP_POS_FRAMES, int(k * fps / 2))
            ok, frame = cap.read()
            if not ok:
                break
            boxes = find_people(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB), finder)
            if len(boxes) > len(most):
                most, at = boxes, int(k * fps / 2)
            if len(boxes) >= need:
                break
    finally:
        if hasattr(finder, "close"):
            finder.close()
    cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
    if not most:
        raise PoseFormatError(f"{path}: nobody was found in the first 10 s of the video")
    try:
        chosen = choose_person(most, person, width, height)
    except PoseFormatError as exc:
        raise PoseFormatError(f"{path}: {exc}") from None
    log.info("%s: %d people seen; following the one at %s", path, len(most), np.round(chosen).astype(int).tolist())
    return CroppedEstimator(estimate, chosen, hold=at)


def parse_person(text: str | int) -> str | int:
    """``"auto"``, ``"largest"``, ``"central"`` or a non-negative index (from a CLI string or an int)."""
    if isinstance(text, int) or (isinstance(text, str) and text.isdigit()):
        return int(text)
    if text in ("auto", "largest", "central"):
        return text
    raise PoseFormatError(f"--person must be auto, largest, central, an index 0, 1, ... or all (everyone) "
                          f"(got {text!r})")


def extract_pose(
    path: str | Path,
    estimator: str | PoseEstimator = "mediapipe",
    *,
    person: str | int = "auto",
    max_frames: int | None = None,
    progress: bool | None = None,
    quiet: bool = True,
    on_frames: Callable[[int, int | None], None] | None = None,
    keep_frames: KeepFrames | None = None,
    model_rate: bool = True,
    **options: Any,
) -> PoseSequence:
    """Run a pose estimator on the frames of a video.

    Parameters
    ----------
    path : a video file opencv can decode
    estimator : a name in `ESTIMATORS` (``options`` go to its factory) or an estimator object
    person : ``"auto"`` lets the estimator follow whoever it sees best (fastest); ``"largest"``,
        ``"central"`` or an index counted from the left choose one person where people are first seen and
        follow them (`video.people`)
    max_frames : stop after this many frames (None: the whole video)
    progress : show a tqdm bar over frames; None shows it only on a terminal
    quiet : keep the estimator's native log lines off the terminal
    on_frames : called as ``on_frames(done, total)`` every 10 frames and at the end (e.g. a web page's
        progress bar); ``total`` is the number of frames to estimate, None when unknown
    keep_frames : ``keep_frames(index, frame_bgr)`` with each frame estimated, in order, in BGR (e.g. the
        feedback video's backgrounds)
    model_rate : a video faster than the model's 30 fps has only the frames nearest each 30 fps instant
        estimated (`resample.model_rate_frames`); the others hold the pose of the frame before them. The
        estimation then costs what the same video at 30 fps costs, and the model, which compares at 30 fps,
        sees one estimated pose per frame it uses. False estimates every frame.

    Returns
    -------
    PoseSequence in COCO-17 with the video's fps and one pose per frame of the video; frames where nobody is
    detected are all-missing. ``meta`` holds ``width``, ``height``, ``backend`` (the estimator's name),
    ``layout``, ``person`` and ``estimated_frames`` (how many frames the estimator saw).

    Raises
    ------
    PoseFormatError
        for a file that cannot be read or decoded, and for a video in which nobody is found.
    """
    from .quiet import native_stderr_silenced, quiet_native_logging

    path = Path(path)
    if not path.exists():
        raise PoseFormatError(f"{path}: file not found")
    if isinstance(estimator, str) and estimator not in ESTIMATORS:
        raise PoseFormatError(f"{path}: unknown pose estimator {estimator!r}; known: {', '.join(ESTIMATORS)}")
    person = parse_person(person)
    if quiet:
        quiet_native_logging()
    estimate: Any = None
    owned = False
    with native_stderr_silenced(quiet) as terminal:
        cap = open_video(path)

        try:
            name, estimate, owned = _make_estimator(estimator, options)
            layout = getattr(estimate, "layout", None)
            if layout not in LAYOUTS:
                raise ValueError(f"estimator {name} has layout {layout!r}; expected one of {', '.join(LAYOUTS)}")
            if person != "auto":
                estimate = _follow_person(cap, estimate, estimator, person, options, path)
            n_joints = LAYOUTS[layout][0]
            video = EstimationPass(cap, path.name, max_frames=max_frames, model_rate=model_rate,
                                   keep_frames=keep_frames, progress=progress, on_frames=on_frames,
                                   terminal=terminal)
            points, scores = [], []
            for _, frame_rgb in video:
                found = estimate(frame_rgb)
                if found is None:
                    found = (np.zeros((n_joints, 2), np.float32), np.zeros(n_joints, np.float32))
                points.append(np.asarray(found[0], np.float32)[:, :2])
                scores.append(np.asarray(found[1], np.float32))
        finally:
            cap.release()
            if owned and hasattr(estimate, "close"):
                estimate.close()
    if not points:
        raise PoseFormatError(f"{path}: video has zero readable frames")
    kp, sc = to_coco17(np.stack(points), np.stack(scores), layout)
    held = video.held()
    if held is not None:  # one pose per frame of the video: the frames not estimated hold the one before
        kp, sc = kp[held], sc[held]
    detected = int((sc > 0).any(axis=1).sum())
    if detected == 0:
        raise PoseFormatError(f"{path}: nobody was found in any of its {len(kp)} frames")
    log.info("%s: %d frames, person detected in %d (%s estimator)", path, len(kp), detected, name)
    meta = {"width": video.width, "height": video.height, "backend": name, "layout": layout, "format": "video",
            "person": person, "estimated_frames": len(video.index)}
    return PoseSequence(kp, sc, fps=video.fps, source=str(path), meta=meta)


def estimation_key(path: Path, estimator: str, recipe: dict[str, Any]) -> str:
    """The pose-cache key of ``path`` estimated by ``estimator`` (one of `ESTIMATORS`, with its version) as
    ``recipe`` says (its options, who is followed, which frames)."""
    from . import cache as pose_cache

    factory = ESTIMATORS[estimator]
    version = factory.version() if hasattr(factory, "version") else "unknown"
    return pose_cache.cache_key(path, estimator, recipe, version)


def load_video(
    path: str | Path,
    estimator: str = "mediapipe",
    *,
    person: str | int = "auto",
    cache: bool = True,
    progress: bool | None = None,
    quiet: bool = True,
    on_frames: Callable[[int, int | None], None] | None = None,
    keep_frames: KeepFrames | None = None,
    model_rate: bool = True,
    **options: Any,
) -> PoseSequence:
    """`extract_pose` through the pose cache (`video.cache`): the same video, estimator and options are
    estimated once. ``cache=False`` always runs the estimator and leaves the cache untouched. On a cache hit
    nothing is decoded, so ``keep_frames`` is never called."""
    from . import cache as pose_cache

    path = Path(path)
    run = dict(person=person, progress=progress, quiet=quiet, on_frames=on_frames, keep_frames=keep_frames,
               model_rate=model_rate)
    if not cache or estimator not in ESTIMATORS or not path.is_file():
        return extract_pose(path, estimator, **run, **options)
    person = parse_person(person)
    key = estimation_key(path, estimator, {**options, "person": person,
                                           "frames": "model rate" if model_rate else "all"})
    seq = pose_cache.load(key, source=str(path))
    if seq is not None:
        log.info("%s: poses from the cache (%s)", path, key)
        return seq
    seq = extract_pose(path, estimator, **run, **options)
    pose_cache.save(key, seq)
    return seq
