"""Video -> every person in it, each a `PoseSequence` with a stable id (``person="all"``), through the pose cache.

The decoding (`video.decode`: a background thread, 30 fps estimated for faster videos) is the one-person
path's; the people are found and followed by `video.tracking.PeopleTracker`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import PoseFormatError
from ..pose import PoseSequence, people_meta
from ..skeleton import LAYOUTS, to_coco17
from .decode import EstimationPass, KeepFrames, open_video
from .detect import MediaPipePoseDetector
from .extract import ESTIMATORS, estimation_key
from .tracking import PeopleTracker

log = logging.getLogger(__name__)

#: Estimator name -> the factory of the person detector that finds people for it (several people need both).
DETECTORS: dict[str, Callable[..., Any]] = {"mediapipe": MediaPipePoseDetector}
#: Version of the way people are followed (part of the pose cache's key).
TRACKER_VERSION = 2


def extract_people(
    path: str | Path,
    estimator: str = "mediapipe",
    *,
    max_frames: int | None = None,
    progress: bool | None = None,
    quiet: bool = True,
    on_frames: Callable[[int, int | None], None] | None = None,
    keep_frames: KeepFrames | None = None,
    model_rate: bool = True,
    every: int = 2,
    max_people: int = 10,
    workers: int | None = None,
    **options: Any,
) -> dict[int, PoseSequence]:
    """Every person in a video, followed from frame to frame (`video.tracking`).

    Parameters are `video.extract.extract_pose`'s, plus: ``every`` frames between two detections, ``max_people``
    followed at once, ``workers`` threads for the estimators (default: the CPU cores, at most 4).

    Returns
    -------
    {id: PoseSequence} in COCO-17, ids 0, 1, ... in the order people first appear (then from left to right);
    each sequence has one pose per frame of the video (all-missing where the person is not seen) and ``meta``
    as `extract_pose`'s plus ``person`` (the id), ``frames_present``, ``first_frame`` and ``last_frame``.

    Raises
    ------
    PoseFormatError
        for a file that cannot be read or decoded, and for a video in which nobody is found.
    """
    from .quiet import native_stderr_silenced, quiet_native_logging

    path = Path(path)
    if not path.exists():
        raise PoseFormatError(f"{path}: file not found")
    if estimator not in ESTIMATORS or estimator not in DETECTORS:
        raise PoseFormatError(f"{path}: following several people needs an estimator with a person detector; "
                              f"known: {', '.join(DETECTORS)}")
    if quiet:
        quiet_native_logging()
    workers = workers or min(4, os.cpu_count() or 1)
    with native_stderr_silenced(quiet) as terminal:
        cap = open_video(path)
        tracker = None
        try:
            tracker = PeopleTracker(lambda: ESTIMATORS[estimator](**options), DETECTORS[estimator](),
                                    every=every, max_people=max_people, workers=workers)
            layout = ESTIMATORS[estimator].layout
            video = EstimationPass(cap, path.name, max_frames=max_frames, model_rate=model_rate,
                                   keep_frames=keep_frames, progress=progress, on_frames=on_frames,
                                   terminal=terminal)
            for _, frame_rgb in video:
                tracker.step(frame_rgb)
            found = tracker.people()
        finally:
            cap.release()
            if tracker is not None:
                tracker.close()
    if not video.index:
        raise PoseFormatError(f"{path}: video has zero readable frames")
    n_frames = video.n_frames
    if not found:
        raise PoseFormatError(f"{path}: nobody was found in any of its {n_frames} frames")
    held = video.held()
    n_joints = LAYOUTS[layout][0]
    people: dict[int, PoseSequence] = {}
    for ident, poses in enumerate(found):
        points = np.zeros((len(video.index), n_joints, 2), np.float32)
        scores = np.zeros((len(video.index), n_joints), np.float32)
        for t, (p, s) in poses.items():
            points[t], scores[t] = p[:, :2], s
        kp, sc = to_coco17(points, scores, layout)
        if held is not None:
            kp, sc = kp[held], sc[held]
        meta = {"width": video.width, "height": video.height, "backend": estimator, "layout": layout,
                "format": "video", "person": ident, "estimated_frames": len(video.index), **people_meta(sc)}
        people[ident] = PoseSequence(kp, sc, fps=video.fps, source=str(path), meta=meta)
    log.info("%s: %d frames, %d people", path, n_frames, len(people))
    return people


def load_people(
    path: str | Path,
    estimator: str = "mediapipe",
    *,
    cache: bool = True,
    progress: bool | None = None,
    quiet: bool = True,
    on_frames: Callable[[int, int | None], None] | None = None,
    keep_frames: KeepFrames | None = None,
    model_rate: bool = True,
    **options: Any,
) -> dict[int, PoseSequence]:
    """`extract_people` through the pose cache (its own entries: keyed with ``person: all`` and the tracker's
    version). On a cache hit nothing is decoded, so ``keep_frames`` is never called."""
    from . import cache as pose_cache

    path = Path(path)
    run = dict(progress=progress, quiet=quiet, on_frames=on_frames, keep_frames=keep_frames, model_rate=model_rate)
    if not cache or estimator not in ESTIMATORS or not path.is_file():
        return extract_people(path, estimator, **run, **options)
    key = estimation_key(path, estimator, {**options, "person": "all", "tracker": TRACKER_VERSION,
                                           "frames": "model rate" if model_rate else "all"})
    people = pose_cache.load_people(key, source=str(path))
    if people is not None:
        log.info("%s: people from the cache (%s)", path, key)
        return people
    people = extract_people(path, estimator, **run, **options)
    pose_cache.save_people(key, people)
    return people
