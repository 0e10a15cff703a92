"""Live sources and whole takes without a real pose estimator: a video whose frames say their own number, and a
fake estimator that returns a known motion for that number (optionally slowly, to make the pipeline fall
behind). Checks drop-not-queue pacing, bounded latency, the recorded take and its `compare` result."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest

from motionsim.errors import PoseFormatError
from motionsim.evaluate.toy import random_motion
from motionsim.live import LiveSession, open_source, run_take, take_result
from motionsim.live.source import Mailbox
from motionsim.live.take import TakeRecorder
from motionsim.pose import PoseSequence
from motionsim.similarity import compare

cv2 = pytest.importorskip("cv2")

N = 120  # frames of the test video: 4 s at 30 fps
MOTION = random_motion(N, np.random.default_rng(3))


@pytest.fixture(scope="module")
def numbered_video(tmp_path_factory) -> Path:
    """N grey frames, frame k of brightness 2k (uniform frames survive compression)."""
    path = tmp_path_factory.mktemp("live") / "numbered.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30.0, (64, 48))
    for k in range(N):
        writer.write(np.full((48, 64, 3), 2 * k, np.uint8))
    writer.release()
    return path


class MotionEstimator:
    """Reads the frame number off the frame and returns MOTION's pose for it (COCO-17), after ``delay_s``."""

    layout = "coco17"

    def __init__(self, delay_s: float = 0.0) -> None:
        self.delay_s, self.seen = delay_s, []

    def __call__(self, frame_rgb):
        k = int(round(float(frame_rgb.mean()) / 2))
        if frame_rgb.shape[0] == 48 and frame_rgb.mean() == 0 and not self.seen:
            self.seen.append(-1)  # the warm-up call on a black frame
        else:
            self.seen.append(k)
        if self.delay_s:
            time.sleep(self.delay_s)
        return MOTION[k, :, :2], MOTION[k, :, 2]


@pytest.fixture(scope="module")
def reference() -> PoseSequence:
    return PoseSequence(MOTION[..., :2], MOTION[..., 2], fps=30.0, source="reference")


def test_mailbox_keeps_only_the_newest():
    box = Mailbox()
    for k in range(5):
        box.put(k)
    assert box.get() == 4 and box.dropped == 4
    box.close()
    assert box.get() is None


def test_a_file_as_fast_as_possible_gives_every_frame(numbered_video, reference):
    estimator = MotionEstimator()
    take = run_take(LiveSession(reference, fps=30.0), open_source(numbered_video), estimator)
    assert estimator.seen[1:] == list(range(N))  # in order, none skipped
    assert (take.frames, take.processed, take.dropped, take.scored) == (N, N, 0, N - 31)
    np.testing.assert_allclose(take.poses.keypoints, MOTION[..., :2], atol=1e-4)
    assert take.poses.fps == 30.0 and take.poses.meta["format"] == "video"


def test_realtime_drops_frames_instead_of_falling_behind(numbered_video, reference):
    """A pipeline slowed to ~12 frames/s on a 30 fps file: it processes about 12 of every 30 frames, the others
    are dropped and counted, the take lasts the video's 4 s (not 10), and latency stays near one frame's
    processing time."""
    estimator = MotionEstimator(delay_s=0.08)
    scores = []
    started = time.perf_counter()
    take = run_take(LiveSession(reference, fps=30.0), open_source(numbered_video, realtime=True), estimator,
                    on_score=scores.append)
    elapsed = time.perf_counter() - started
    assert elapsed < N / 30.0 + 1.5
    assert take.frames == N and take.dropped == N - take.processed and take.dropped > N / 3
    assert 20 <= take.processed <= 60
    processed = estimator.seen[1:]
    # newest first, never the backlog (the reader itself skips a frame it is late for on a loaded machine)
    assert processed == sorted(processed) and processed[-1] >= N - 4, processed
    assert take.latency_ms.max() < 400 and np.percentile(take.latency_ms, 50) < 200
    assert [s.latency_ms for s in scores] == list(take.latency_ms)
    # the dropped frames of the recorded take are interpolated from their processed neighbours
    assert len(take.poses) == N and np.abs(take.poses.keypoints - MOTION[..., :2]).mean() < 5.0


def test_stop_ends_the_take_and_keeps_what_was_recorded(numbered_video, reference):
    stop = threading.Event()
    take = run_take(LiveSession(reference, fps=30.0), open_source(numbered_video, realtime=True),
                    MotionEstimator(), on_score=lambda s: s.frame >= 50 and stop.set(), stop=stop)
    assert take.interrupted and 50 <= len(take.poses) <= 55


def test_ctrl_c_ends_the_take_and_keeps_what_was_recorded(numbered_video, reference):
    def interrupt(score):
        if score.frame >= 40:
            raise KeyboardInterrupt

    take = run_take(LiveSession(reference, fps=30.0), open_source(numbered_video), MotionEstimator(),
                    on_score=interrupt)
    assert take.interrupted and len(take.poses) == 41 and take.processed == 41


def test_the_take_result_is_compare_plus_live(numbered_video, reference):
    take = run_take(LiveSession(reference, fps=30.0), open_source(numbered_video), MotionEstimator())
    data = take_result(take, reference, flip=True)
    expected = compare(take.poses, reference, flip=True).to_dict()
    assert list(data)[:-1] == list(expected) and list(data)[-1] == "live"
    assert {k: v for k, v in data.items() if k != "live"} == expected
    live = data["live"]
    assert (live["frames"], live["processed"], live["dropped"]) == (N, N, 0)
    assert set(live["latency_ms"]) == {"p50", "p95"} and live["latency_ms"]["p50"] > 0


def test_nobody_in_view_is_refused(numbered_video, reference):
    class Nobody:
        layout = "coco17"

        def __call__(self, frame_rgb):
            return None

    with pytest.raises(PoseFormatError, match="nobody was seen in any of its 120 frames"):
        run_take(LiveSession(reference, fps=30.0), open_source(numbered_video), Nobody())


def test_bad_sources_are_refused_in_one_line(tmp_path):
    (tmp_path / "notes.mp4").write_text("not a video")
    cases = {str(tmp_path / "missing.mp4"): "file not found", str(tmp_path): "is a folder",
             str(tmp_path / "notes.mp4"): "cannot be opened as a video", "9": "camera 9: cannot be opened"}
    for spec, message in cases.items():
        with pytest.raises(PoseFormatError, match=message) as info:
            open_source(spec)
        assert "\n" not in str(info.value)


def test_recorder_blends_the_frames_it_never_saw():
    rec = TakeRecorder()
    rec.add(2, np.full((17, 2), 10.0), np.ones(17))
    rec.add(6, np.full((17, 2), 50.0), np.ones(17))
    rec.add(300, np.full((17, 2), 50.0), np.ones(17))  # beyond the first allocation
    kp, sc = rec.poses()
    assert len(kp) == 301 and rec.processed == 3
    assert [float(kp[i, 0, 0]) for i in range(7)] == pytest.approx([10, 10, 10, 20, 30, 40, 50])
    assert (sc > 0).all()


def test_a_take_fed_pose_by_pose_from_anywhere(reference):
    """`LiveTake` without a source (a web page's frames): poses added with gaps, counted as dropped."""
    from motionsim.live import LiveTake

    take = LiveTake(LiveSession(reference, fps=30.0), fps=30.0, name="page", meta={"format": "camera"})
    scores = [take.add_pose(MOTION[k, :, :2], MOTION[k, :, 2], k, time.perf_counter()) for k in range(0, N, 2)]
    scored = [s for s in scores if s is not None]
    assert len(scored) >= (N - 32) // 2 and all(s.latency_ms >= 0 for s in scored)
    done = take.finish(frames=N + 3)
    assert (done.frames, done.processed, done.dropped) == (N + 3, N // 2, N + 3 - N // 2)
    assert len(done.poses) == N - 1 and done.poses.source == "page" and done.poses.meta["format"] == "camera"
    with pytest.raises(PoseFormatError, match="page: nobody was seen in the take"):
        LiveTake(LiveSession(reference, fps=30.0), name="page").finish()


class SlowCamera:
    """A capture that says 30 fps and delivers 15: what a webcam does in dim light."""

    def __init__(self, frames: int = 12) -> None:
        self.left = frames

    def get(self, prop):
        return {cv2.CAP_PROP_FPS: 30.0, cv2.CAP_PROP_FRAME_WIDTH: 64, cv2.CAP_PROP_FRAME_HEIGHT: 48}.get(prop, 0.0)

    def read(self):
        time.sleep(1 / 15)
        self.left -= 1
        return (self.left >= 0), np.zeros((48, 64, 3), np.uint8)

    def grab(self):
        return self.read()[0]

    def release(self):
        pass


def test_a_camera_numbers_its_frames_by_the_clock():
    """The reference plays on the camera's clock: a camera delivering half the frames it claims leaves gaps."""
    from motionsim.live.source import FrameSource

    with FrameSource(SlowCamera(), "slow camera", is_file=False, realtime=False) as source:
        assert source.realtime and source.fps == 30.0
        indices = []
        for frame in source:
            indices.append(frame.index)
    steps = np.diff(indices)
    assert indices[0] == 0 and np.median(steps) == 2 and steps.min() >= 1
    assert source.frames == indices[-1] + 1
