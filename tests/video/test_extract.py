"""Video -> PoseSequence: pluggable pose estimators, missing extras, and MediaPipe on a clip of the Sports2D demo.

The real-video test needs the ``video`` extra and the demo file shipped in the ``sports2d`` wheel:
``pip install mediapipe==0.10.21 opencv-python-headless && pip install --no-deps sports2d==0.8.34``.
It is skipped when they are absent.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

from helpers import demo_video, write_video
from motionsim.errors import MissingExtraError, PoseFormatError
from motionsim.io import load_pose
from motionsim.skeleton import LAYOUTS
from motionsim.video import ESTIMATORS, MediaPipeEstimator, extract_pose


class _BrightSpotEstimator:
    """A fake estimator: every BODY_25 joint at the brightest pixel; nobody in dark frames."""

    layout = "body25"

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, frame_rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        self.calls += 1
        gray = frame_rgb.sum(axis=2)
        if gray.max() == 0:
            return None
        y, x = np.unravel_index(np.argmax(gray), gray.shape)
        n = LAYOUTS[self.layout][0]
        return np.tile([x, y], (n, 1)).astype(np.float32), np.ones(n, np.float32)


def _spot_frames(n: int) -> list[np.ndarray]:
    frames = []
    for t in range(n):
        f = np.zeros((48, 64, 3), np.uint8)
        if t != 2:  # frame 2 is dark: nobody there
            f[16:24, 8 + 4 * t: 16 + 4 * t] = 255
        frames.append(f)
    return frames


def test_custom_estimator_gets_every_frame_and_video_fps(tmp_path) -> None:
    path = write_video(tmp_path / "spot.mp4", _spot_frames(6), fps=12.0)
    estimator = _BrightSpotEstimator()
    seq = extract_pose(path, estimator, progress=False)
    assert len(seq) == estimator.calls == 6
    assert seq.fps == pytest.approx(12.0)
    assert (seq.meta["width"], seq.meta["height"]) == (64, 48)
    np.testing.assert_array_equal((seq.scores > 0).any(axis=1), [t != 2 for t in range(6)])
    xs = seq.keypoints[[0, 1, 3], 0, 0]
    assert np.all(np.diff(xs) > 0)  # the spot moves right


def test_max_frames(tmp_path) -> None:
    path = write_video(tmp_path / "spot.mp4", _spot_frames(6), fps=12.0)
    assert len(extract_pose(path, _BrightSpotEstimator(), max_frames=4, progress=False)) == 4


def test_unreadable_video_is_a_pose_format_error(tmp_path) -> None:
    pytest.importorskip("cv2")
    path = tmp_path / "broken.mp4"
    path.write_bytes(b"\x00\x01 this is not a video")
    with pytest.raises(PoseFormatError, match=r"broken\.mp4: cannot be opened as a video"):
        load_pose(path)


def test_unknown_estimator(tmp_path) -> None:
    path = tmp_path / "a.mp4"
    path.write_bytes(b"x")
    with pytest.raises(PoseFormatError, match=r"unknown pose estimator 'openpifpaf'; known: mediapipe"):
        extract_pose(path, "openpifpaf")


@pytest.mark.parametrize("module", ["mediapipe", "cv2"])
def test_missing_extra_names_the_fix(tmp_path, monkeypatch, module) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # makes `import module` fail
    path = tmp_path / "a.mp4"
    path.write_bytes(b"x")
    with pytest.raises(MissingExtraError, match=r"pip install 'motionsim\[video\]'"):
        if module == "mediapipe":
            MediaPipeEstimator()
        else:
            extract_pose(path, _BrightSpotEstimator())


def test_default_estimator_is_registered() -> None:
    assert ESTIMATORS["mediapipe"] is MediaPipeEstimator


def test_mediapipe_on_demo_clip(tmp_path) -> None:
    pytest.importorskip("mediapipe")
    cv2 = pytest.importorskip("cv2")
    demo = demo_video()
    cap = cv2.VideoCapture(str(demo))
    fps = cap.get(cv2.CAP_PROP_FPS)
    frames = []
    while len(frames) < 30:
        ok, frame = cap.read()
        assert ok
        frames.append(cv2.resize(frame, (frame.shape[1] // 2, frame.shape[0] // 2)))
    cap.release()
    clip = write_video(tmp_path / "clip.mp4", frames, fps)
    seq = load_pose(clip)
    h, w = frames[0].shape[:2]
    assert len(seq) == len(frames) and seq.fps == pytest.approx(fps)
    seen = seq.scores > 0.5
    found = seen.any(axis=1)
    assert found.mean() > 2 / 3 and found[-10:].all()  # MediaPipe needs a few frames to lock on, then tracks
    pts = seq.keypoints[seen]
    assert (pts[:, 0] >= -0.05 * w).all() and (pts[:, 0] <= 1.05 * w).all()
    assert (pts[:, 1] >= -0.05 * h).all() and (pts[:, 1] <= 1.05 * h).all()
    both = seen[:, 0] & seen[:, 15] & seen[:, 16]
    assert both.any()
    assert (seq.keypoints[both, 0, 1] < seq.keypoints[both, 15:17, 1].mean(axis=1)).all()  # nose above ankles


def test_on_frames_reports_progress(tmp_path) -> None:
    path = write_video(tmp_path / "spot.mp4", _spot_frames(25), fps=12.0)
    calls: list[tuple[int, int | None]] = []
    seq = extract_pose(path, _BrightSpotEstimator(), progress=False,
                       on_frames=lambda done, total: calls.append((done, total)))
    assert [c[0] for c in calls] == [10, 20, 25] and len(seq) == 25
    assert all(total in (25, None) for _, total in calls)


@pytest.mark.parametrize("pyplot_first", [False, True])
def test_mediapipe_is_imported_without_pyplot(pyplot_first):
    """mediapipe's drawing helpers import matplotlib.pyplot (a third of mediapipe's import time) that pose
    estimation never uses: building an estimator leaves it unimported, mediapipe's helpers still reach the real
    module on use, and a process that imported pyplot itself keeps it untouched. In a fresh interpreter."""
    import subprocess

    pytest.importorskip("matplotlib")
    script = f"""
import sys
if {pyplot_first}:
    import matplotlib.pyplot
    before = sys.modules["matplotlib.pyplot"]
from motionsim.video.extract import MediaPipeEstimator
MediaPipeEstimator().close()
assert ("matplotlib.pyplot" in sys.modules) == {pyplot_first}, "pyplot imported for pose estimation"
import mediapipe.python.solutions.drawing_utils as drawing
figure = drawing.plt.figure
import matplotlib.pyplot as plt
assert figure is plt.figure and type(plt).__name__ == "module"
if {pyplot_first}:
    assert plt is before and drawing.plt is before
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
