"""Follow every person in a video: a person detector finds people every few frames, one tracking pose estimator
per person follows them in a crop, and a tracker keeps each person's id from frame to frame.

How a frame is handled (`PeopleTracker.step`):

1. **Estimation.** Each person being followed has their own tracking estimator (MediaPipe Pose in tracking
   mode) on a crop around their last box (`video.people.CroppedEstimator`), with the other people's last
   boxes greyed out in that crop (except where they overlap the person), so that an estimator cannot slide
   onto a neighbour. The estimators run side by side on a pool of threads (MediaPipe releases the GIL and
   uses one core per call). A pose whose box is more than `STRETCH` times the person's last box (a blurred,
   broken estimate) counts as not found.
2. **Detection.** On the first frame the detector (`video.detect`) looks at the whole frame and its six tiles;
   afterwards at one of those seven regions every ``every`` frames, in turn, or every ``every + 1`` frames
   while tracking holds (everyone remembered is followed and was found in the frame before), on the same
   pool, beside the estimators: the whole frame is covered every 14 to 21 frames (0.5 to 0.7 s at 30 fps).
3. **Assignment.** Detections are matched to the people known (followed or recently lost) by the distance of
   box centres in units of the person's size (Hungarian assignment, `scipy.optimize.linear_sum_assignment`).
   A detection matched to a lost person restarts their estimator there (same id); a detection that matches no
   one and overlaps no one is a new person with a new id. A (re)started estimator also estimates the frame
   that found the person (twice: the second pass in a crop fitted to the first pose).
4. **One person, one track.** When two estimators end on the same person (people crossing: the crop of the one
   behind holds the one in front), the track that moved least keeps the person; the other is lost until a
   detection finds its person again.

What is kept, and what is not: ids survive people crossing each other and occlusions shorter than ``memory``
frames (1.5 s at 30 fps), as long as the person reappears within about one body size of where they were lost.
A person who leaves for longer, or comes back elsewhere, gets a new id. A person first appears at the first
detection that covers them (within 0.7 s of entering at 30 fps). After the last frame, `stitch` joins the
pieces of one person that the tracker split (lost, then taken for someone new before a detection gave them
their id back) when they meet in time and place. A track with fewer than `MIN_POSES` poses is taken for a
false detection and dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .detect import Box, centre, regions, same_person, size
from .people import CroppedEstimator, box_of

log = logging.getLogger(__name__)

#: Frames an estimator keeps looking for a person it lost (widening its crop) before it stops and waits for a
#: detection; frames a lost person is remembered (a detection near them then gives them their id back).
LOST_AFTER, MEMORY = 8, 45
#: How far, in units of the person's size, a detection may be from a followed / lost person and still be them.
GATE_FOLLOWED, GATE_LOST = 0.5, 1.0
#: Fewer poses than this (a sixth of a second at 30 fps) is a false detection, not a person: dropped.
MIN_POSES = 5
#: A pose whose box grew more than this many times the person's last box in one frame is a broken estimate.
STRETCH = 2.0


@dataclass
class Track:
    """One person: their estimator, last box and the poses found so far (frame number -> points, scores)."""

    key: int
    estimator: CroppedEstimator | None
    box: Box
    missed: int = 0
    since: int = 0  # frames since last seen
    poses: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    @property
    def followed(self) -> bool:
        return self.estimator is not None


class PeopleTracker:
    """Follows everyone in a stream of frames; ``step(frame_rgb)`` once per frame, then `people`.

    Parameters
    ----------
    make_estimator : a new one-person tracking estimator (``layout`` attribute, ``(frame) -> (points, scores)
        | None``; ``close()`` optional)
    detector : ``(frame_rgb) -> list[Box]``, every person in an image (`video.detect.MediaPipePoseDetector`)
    every : frames between two detections (each looks at one of the seven regions)
    max_people : the most people followed at once
    workers : threads that run the estimators and the detector
    """

    def __init__(self, make_estimator: Callable[[], Any], detector: Callable[[np.ndarray], list[Box]], *,
                 every: int = 2, max_people: int = 10, workers: int = 2) -> None:
        self.make_estimator, self.detector = make_estimator, detector
        self.every, self.max_people = max(1, int(every)), max_people
        self.tracks: list[Track] = []
        self.ended: list[Track] = []
        self.frame = 0
        self._next_key = 0
        self._spare: list[Any] = []  # estimators of tracks that ended, reused for new people
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="motionsim-people")
        self._regions: list[tuple[int, int, int, int]] = []
        self._region, self._waited = 0, 0  # the region last detected in, frames since
        self._started: list[Track] = []  # tracks (re)started on this frame's detections

    # ------------------------------------------------------------------ one frame
    def step(self, frame_rgb: np.ndarray) -> None:
        h, w = frame_rgb.shape[:2]
        if not self._regions:
            self._regions = regions(w, h)
        t = self.frame
        followed = [k for k in self.tracks if k.followed]
        # while tracking holds (everyone remembered is followed and was found last frame), detect less often
        holding = bool(followed) and len(followed) == len(self.tracks) and all(k.missed == 0 for k in followed)
        self._waited += 1
        if t == 0:
            where = self._regions
        elif self._waited >= self.every + (1 if holding else 0):
            self._waited, self._region = 0, (self._region + 1) % len(self._regions)
            where = [self._regions[self._region]]
        else:
            where = []
        # each estimator sees the others (their last boxes) greyed out, unless they overlap its person
        jobs = [self._pool.submit(k.estimator, frame_rgb, [o.box for o in followed if o is not k])  # type: ignore
                for k in followed]
        detections = self._pool.submit(self._detect, frame_rgb, where) if where else None
        found: dict[int, tuple[np.ndarray, np.ndarray, Box]] = {}
        for track, job in zip(followed, jobs):
            result = job.result()
            box = None if result is None else box_of(np.asarray(result[0]), np.asarray(result[1]))
            if box is not None and (size(box) > STRETCH * size(track.box)):
                box = None  # a pose stretched far beyond the person (a blurred frame): not them
            if box is not None:
                found[track.key] = (np.asarray(result[0], np.float32), np.asarray(result[1], np.float32), box)
        self._one_track_per_person(found)
        for track in self.tracks:
            if track.key in found:
                points, scores, box = found[track.key]
                track.poses[t] = (points, scores)
                track.box, track.missed, track.since = box, 0, 0
            else:
                track.since += 1
                if track.followed:
                    track.missed += 1
                    if track.missed > LOST_AFTER:
                        self._stop(track)
        if detections is not None:
            self._started = []
            self._assign(detections.result(), seen=set(found))
            self._estimate_started(frame_rgb, t, found)
        for track in [k for k in self.tracks if not k.followed and k.since > MEMORY]:
            self.tracks.remove(track)
            self.ended.append(track)
        self.frame += 1

    def _detect(self, frame_rgb: np.ndarray, where: list[tuple[int, int, int, int]]) -> list[Box]:
        from .detect import detect_people

        return detect_people(frame_rgb, self.detector, where)

    def _estimate_started(self, frame_rgb: np.ndarray, t: int,
                          found: dict[int, tuple[np.ndarray, np.ndarray, Box]]) -> None:
        """Run the estimators just started on a detection of this frame on this frame too, twice (a person's
        first pose is in the frame that found them, as precise as the next ones), unless they land on someone
        already found."""
        started = [k for k in self._started if k.followed and k.key not in found]
        others = [box for *_, box in found.values()]

        def twice(track: Track) -> Any:  # the second pass estimates in a crop fitted to the first pass's pose
            return track.estimator(frame_rgb, others) and track.estimator(frame_rgb, others)  # type: ignore[misc]

        jobs = [self._pool.submit(twice, k) for k in started]
        for track, job in zip(started, jobs):
            result = job.result()
            box = None if result is None else box_of(np.asarray(result[0]), np.asarray(result[1]))
            if box is None or any(same_person(box, other[2]) for other in found.values()):
                continue
            track.poses[t] = (np.asarray(result[0], np.float32), np.asarray(result[1], np.float32))
            track.box, track.missed, track.since = box, 0, 0
            found[track.key] = (*track.poses[t], box)

    def _one_track_per_person(self, found: dict[int, tuple[np.ndarray, np.ndarray, Box]]) -> None:
        """Where two tracks found the same person this frame, keep the one that moved least (ties: the older)."""
        by_key = {k.key: k for k in self.tracks}
        keys = sorted(found)
        for i, a in enumerate(keys):
            for b in keys[i + 1:]:
                if a not in found or b not in found or not same_person(found[a][2], found[b][2]):
                    continue
                moved = {k: np.hypot(*(centre(found[k][2]) - centre(by_key[k].box))) / size(by_key[k].box)
                         for k in (a, b)}
                loser = max((a, b), key=lambda k: (moved[k], k))
                del found[loser]
                self._stop(by_key[loser])  # their own person is elsewhere: wait for a detection

    def _assign(self, boxes: list[Box], seen: set[int]) -> None:
        """Detections -> the people known (Hungarian assignment on centre distance / size), lost people found
        again, and new people."""
        from scipy.optimize import linear_sum_assignment

        if not boxes:
            return
        tracks = self.tracks
        cost = np.full((len(boxes), len(tracks)), 1e6)
        for i, box in enumerate(boxes):
            for j, track in enumerate(tracks):
                dist = np.hypot(*(centre(box) - centre(track.box))) / size(track.box)
                gate = GATE_FOLLOWED if track.key in seen else GATE_LOST
                if dist <= gate:
                    cost[i, j] = dist
        matched: set[int] = set()
        if tracks:
            for i, j in zip(*linear_sum_assignment(cost)):
                if cost[i, j] < 1e6:
                    matched.add(i)
                    if tracks[j].key not in seen:  # lost, or followed but missing: restart on the detection
                        self._restart(tracks[j], boxes[i])
        for i, box in enumerate(boxes):
            if i in matched or any(same_person(box, k.box) for k in tracks if k.key in seen or k.followed):
                continue
            if sum(k.followed for k in self.tracks) >= self.max_people:
                break
            self.tracks.append(Track(self._next_key, None, box))
            self._next_key += 1
            self._restart(self.tracks[-1], box)

    def _restart(self, track: Track, box: Box) -> None:
        inner = track.estimator.inner if track.estimator is not None else None
        if inner is None:
            inner = self._spare.pop() if self._spare else self.make_estimator()
        if hasattr(inner, "reset"):  # forget whoever it tracked before, in another crop
            inner.reset()
        track.estimator, track.box, track.missed = CroppedEstimator(inner, box), np.asarray(box, np.float64), 0
        self._started.append(track)

    def _stop(self, track: Track) -> None:
        if track.estimator is not None:
            self._spare.append(track.estimator.inner)
            track.estimator = None

    # ------------------------------------------------------------------ results
    def people(self) -> list[dict[int, tuple[np.ndarray, np.ndarray]]]:
        """Everyone seen (in `MIN_POSES` frames at least), ordered by first frame then from left to right: per person,
        frame number -> (points, scores)."""
        everyone = [k for k in self.ended + self.tracks if k.poses]
        stitch(everyone)

        def order(track: Track) -> tuple[int, float]:
            first = min(track.poses)
            points, scores = track.poses[first]
            box = box_of(points, scores)
            return first, float(centre(box)[0]) if box is not None else 0.0

        return [k.poses for k in sorted((k for k in everyone if len(k.poses) >= MIN_POSES), key=order)]

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        for estimator in self._spare + [k.estimator.inner for k in self.tracks if k.estimator is not None]:
            if hasattr(estimator, "close"):
                estimator.close()
        self._spare = []
        for track in self.tracks:
            track.estimator = None


def _box_at(track: Track, t: int) -> Box | None:
    points, scores = track.poses[t]
    return box_of(points, scores)


def _joins(short: Track, other: Track) -> float | None:
    """How far ``short`` is from ``other`` where one would continue the other (mean distance / size over the
    ends that meet within `MEMORY` frames), or None when they overlap in time or do not meet."""
    first, last = min(short.poses), max(short.poses)
    frames = np.array(sorted(other.poses))
    if ((frames >= first) & (frames <= last)).any():
        return None
    gaps = []
    before, after = frames[frames < first], frames[frames > last]
    for mine, theirs in ((first, before[-1] if len(before) else None), (last, after[0] if len(after) else None)):
        if theirs is None or abs(int(theirs) - mine) > MEMORY:
            continue
        a, b = _box_at(short, mine), _box_at(other, int(theirs))
        if a is None or b is None:
            return None
        gaps.append(np.hypot(*(centre(a) - centre(b))) / max(size(a), size(b)))
    if not gaps or max(gaps) > GATE_LOST:
        return None
    return float(np.mean(gaps))


def stitch(tracks: list[Track]) -> None:
    """Join pieces of one person that the tracker split (a person lost, then found again as someone new before
    the detection could give them their id back): a track joins another when it does not overlap it in time and
    meets it within `MEMORY` frames and `GATE_LOST` body sizes at each end that has a neighbour. Shortest first;
    a joined track is emptied."""
    changed = True
    while changed:
        changed = False
        for short in sorted((k for k in tracks if k.poses), key=lambda k: len(k.poses)):
            options = [(d, k.key, k) for k in tracks if k is not short and len(k.poses) >= len(short.poses)
                       and (d := _joins(short, k)) is not None]
            if options:
                target = min(options, key=lambda o: (o[0], o[1]))[2]
                target.poses.update(short.poses)
                short.poses = {}
                changed = True
                break
