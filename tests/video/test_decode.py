"""Decoding for pose estimation: only the frames the model uses are estimated for fast videos, every frame
still reaches the keep_frames callback, and two videos estimated side by side give the poses one after the
other gives."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from helpers import demo_video
from motionsim.io import load_pose, load_poses
from motionsim.resample import model_rate_frames
from motionsim.skeleton import LAYOUTS
from motionsim.video import extract_pose
from motionsim.video.decode import hold_estimates

av = pytest.importorskip("av")
pytest.importorskip("cv2")


def _coded_video(path: Path, n: int, fps: int) -> Path:
    """An H.264 video whose frame i is flat grey 8 * i: a pixel tells which frame it is."""
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv444p"
        stream.options = {"qp": "0"}
        for i in range(n):
            frame = np.full((48, 64, 3), 8 * i, np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="bgr24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


class _FrameNumberEstimator:
    """Puts every joint at x = 1 + the frame number it reads from the pixels (grey / 8)."""

    layout = "coco17"

    def __init__(self) -> None:
        self.seen: list[int] = []

    def __call__(self, frame_rgb: np.ndarray):
        number = int(round(frame_rgb.mean() / 8))
        self.seen.append(number)
        n = LAYOUTS[self.layout][0]
        return np.tile([float(number) + 1, 10.0], (n, 1)).astype(np.float32), np.ones(n, np.float32)


@pytest.mark.parametrize("fps,expected", [(30.0, None), (25.0, None), (60.0, [0, 2, 4, 6, 8]),
                                          (50.0, [0, 2, 3, 5, 7])])
def test_frames_nearest_each_model_instant(fps, expected):
    got = model_rate_frames(10 if fps != 50.0 else 9, fps)
    assert (got if got is None else got.tolist()) == expected


def test_a_60fps_video_costs_the_estimation_of_30fps(tmp_path):
    video = _coded_video(tmp_path / "sixty.mp4", 20, 60)
    estimator, kept = _FrameNumberEstimator(), []
    seq = extract_pose(video, estimator, progress=False,
                       keep_frames=lambda i, f: kept.append((i, int(round(f.mean() / 8)))))
    assert estimator.seen == list(range(0, 20, 2))  # half the frames estimated
    assert kept == [(i, i) for i in range(0, 20, 2)]  # the feedback video keeps the same frames
    assert len(seq) == 20 and seq.fps == pytest.approx(60.0) and seq.meta["estimated_frames"] == 10
    x = seq.keypoints[:, 0, 0] - 1  # the frame whose pose each frame shows: the estimated one before it
    assert x.tolist() == [2 * (t // 2) for t in range(20)]
    every = _FrameNumberEstimator()
    assert len(extract_pose(video, every, progress=False, model_rate=False)) == 20 and len(every.seen) == 20


def test_at_30fps_every_frame_is_estimated(tmp_path):
    video = _coded_video(tmp_path / "thirty.mp4", 12, 30)
    estimator = _FrameNumberEstimator()
    seq = extract_pose(video, estimator, progress=False)
    assert estimator.seen == list(range(12)) and seq.meta["estimated_frames"] == 12


def test_hold_estimates_before_the_first_estimate_uses_it():
    assert hold_estimates(np.array([2, 5]), 7).tolist() == [0, 0, 0, 0, 0, 1, 1]


@pytest.mark.slow
def test_two_videos_side_by_side_give_the_poses_of_one_after_the_other(tmp_path):
    """MediaPipe in two threads (the GIL released while it works): bit-identical keypoints."""
    import cv2

    source = cv2.VideoCapture(str(demo_video()))
    frames = [source.read()[1] for _ in range(45)]
    source.release()
    paths = []
    for name, flip in (("a.mp4", False), ("b.mp4", True)):
        with av.open(str(tmp_path / name), mode="w") as container:
            stream = container.add_stream("libx264", rate=30)
            stream.width, stream.height, stream.pix_fmt = 884, 498, "yuv420p"
            for f in frames:
                f = cv2.resize(f[:, ::-1] if flip else f, (884, 498))
                for packet in stream.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(f), format="bgr24")):
                    container.mux(packet)
            for packet in stream.encode():
                container.mux(packet)
        paths.append(tmp_path / name)
    serial = [load_pose(p, cache=False) for p in paths]
    together = load_poses(paths, cache=False)
    for one, other in zip(serial, together):
        assert np.array_equal(one.keypoints, other.keypoints) and np.array_equal(one.scores, other.scores)
