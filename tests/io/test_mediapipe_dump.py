"""MediaPipe-33 landmark dumps (JSON and CSV): forms, pixel scaling, visibility, detection."""

from __future__ import annotations

import numpy as np
import pytest
from pose_fixtures import write_json

from motionsim.errors import PoseFormatError
from motionsim.io import detect_format, load_pose
from motionsim.io.mediapipe import LANDMARKS
from motionsim.skeleton import MEDIAPIPE33_TO_COCO17

N = len(LANDMARKS)
SRC = np.array(MEDIAPIPE33_TO_COCO17)


def _landmarks(t: int) -> np.ndarray:
    """(33, 4) x, y, z, visibility in [0, 1], distinct per landmark and frame."""
    j = np.arange(N)
    return np.stack([(j + 1) / 40 + 0.01 * t, (j + 1) / 50, np.zeros(N), np.full(N, 0.7)], axis=1)


@pytest.mark.parametrize("form", ["dicts", "arrays"])
def test_json_scaled_by_image_size(tmp_path, form) -> None:
    frames = [_landmarks(t) for t in range(3)]
    if form == "dicts":
        body = [[dict(zip(("x", "y", "z", "visibility"), lm.tolist())) for lm in f] for f in frames]
    else:
        body = [f.tolist() for f in frames]
    seq = load_pose(write_json(tmp_path / "mp.json", {"width": 640, "height": 480, "fps": 24, "frames": body}))
    expected = np.stack([f[SRC, :2] * [640, 480] for f in frames])
    np.testing.assert_allclose(seq.keypoints, expected, rtol=1e-5)
    np.testing.assert_allclose(seq.scores, 0.7)
    assert seq.fps == 24 and seq.meta["normalised"] is False


def test_json_plain_list_keeps_normalised_coords_and_null_frames_are_missing(tmp_path) -> None:
    body = [_landmarks(0).tolist(), None, {"landmarks": _landmarks(2).tolist()}]
    seq = load_pose(write_json(tmp_path / "mp.json", body))
    np.testing.assert_allclose(seq.keypoints[0], _landmarks(0)[SRC, :2], rtol=1e-5)
    assert seq.meta["normalised"] is True
    np.testing.assert_array_equal((seq.scores > 0).any(axis=1), [True, False, True])


def _csv(path, header: list[str], rows: list[list[float]]) -> object:
    path.write_text(",".join(header) + "\n" + "\n".join(",".join(map(str, r)) for r in rows) + "\n")
    return path


@pytest.mark.parametrize("naming", ["indexed", "named"])
def test_csv_forms(tmp_path, naming) -> None:
    fields = ("x", "y", "z", "visibility")
    if naming == "indexed":
        header = ["frame"] + [f"{f}{j}" for j in range(N) for f in fields]
    else:
        header = ["frame"] + [f"{name}_{f}" for name in LANDMARKS for f in fields]
    rows = [[t, *_landmarks(t).ravel().tolist()] for t in range(4)]
    path = _csv(tmp_path / "mp.csv", header + ["width", "height"], [r + [100, 200] for r in rows])
    assert detect_format(path) == "mediapipe"
    seq = load_pose(path)
    np.testing.assert_allclose(seq.keypoints[1], _landmarks(1)[SRC, :2] * [100, 200], rtol=1e-5)
    assert len(seq) == len(rows)


def test_csv_empty_cells_are_missing_joints(tmp_path) -> None:
    header = [f"{f}{j}" for j in range(N) for f in ("x", "y", "z", "visibility")]
    row = [str(v) for v in _landmarks(0).ravel()]
    row[0:2] = ["", ""]  # nose x, y
    path = tmp_path / "mp.csv"
    path.write_text(",".join(header) + "\n" + ",".join(row) + "\n")
    seq = load_pose(path)
    assert seq.scores[0, 0] == 0 and (seq.scores[0, 1:] > 0).all()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ([[[0.1, 0.2, 0.0, 0.9]] * 32], r"frame 0 has 32 landmarks, expected 33"),
        ([[[0.1]] * 33], r"frame 0 landmark 0 is not"),
        ({"frames": []}, r"has zero frames"),
    ],
)
def test_bad_json_dumps(tmp_path, content, message) -> None:
    with pytest.raises(PoseFormatError, match=message):
        load_pose(write_json(tmp_path / "mp.json", content), fmt="mediapipe")


def test_csv_without_needed_columns(tmp_path) -> None:
    path = _csv(tmp_path / "mp.csv", ["x0", "y0", "z0", "visibility0"], [[0.1, 0.2, 0.0, 0.9]])
    with pytest.raises(PoseFormatError, match=r"MediaPipe CSV lacks columns x2/left_eye_x"):
        load_pose(path)
