"""OpenPose folders: frame order, BODY_25 / COCO-18 mapping, empty frames, person ids, bad folders."""

from __future__ import annotations

import numpy as np
import pytest
from pose_fixtures import write_json

from motionsim.errors import PoseFormatError
from motionsim.io import detect_format, load_pose
from motionsim.skeleton import LAYOUTS


def _people(layout: str, shift: float, person_id: int = -1) -> dict:
    """One person whose joint j sits at x = j + shift, y = 2 j + 1 (so the mapping can be checked)."""
    n = LAYOUTS[layout][0]
    kp = np.array([[j + shift, 2 * j + 1, 0.8] for j in range(n)])
    return {"person_id": [person_id], "pose_keypoints_2d": kp.ravel().tolist()}


@pytest.mark.parametrize("layout", ["body25", "coco18"])
def test_layout_from_value_count_and_mapping(tmp_path, layout) -> None:
    write_json(tmp_path / "clip_000000000000_keypoints.json", {"version": 1.3, "people": [_people(layout, 0.0)]})
    seq = load_pose(tmp_path)
    src = np.array(LAYOUTS[layout][1])
    assert seq.meta["layout"] == layout
    np.testing.assert_allclose(seq.keypoints[0, :, 0], src)
    np.testing.assert_allclose(seq.keypoints[0, :, 1], 2 * src + 1)


def test_frames_sorted_by_number_not_name(tmp_path) -> None:
    for t in (10, 2, 1):
        write_json(tmp_path / f"v_{t}_keypoints.json", {"people": [_people("body25", 100.0 * t)]})
    (tmp_path / "notes.txt").write_text("ignored")
    seq = load_pose(tmp_path)
    np.testing.assert_allclose(seq.keypoints[:, 0, 0], [100.0, 200.0, 1000.0])


def test_empty_frame_is_missing_and_zeros_are_missing_joints(tmp_path) -> None:
    person = _people("body25", 5.0)
    person["pose_keypoints_2d"][0:3] = [0.0, 0.0, 0.0]  # OpenPose's "not found" nose
    write_json(tmp_path / "a_000_keypoints.json", {"people": [person]})
    write_json(tmp_path / "a_001_keypoints.json", {"people": []})
    seq = load_pose(tmp_path)
    assert seq.scores[0, 0] == 0 and (seq.scores[0, 1:] > 0).all()
    assert not (seq.scores[1] > 0).any()


def test_person_id_selects_that_person(tmp_path) -> None:
    for t in range(3):
        write_json(tmp_path / f"a_{t}_keypoints.json",
                   {"people": [_people("body25", 0.0, person_id=1), _people("body25", 500.0, person_id=2)][::-1]})
    assert load_pose(tmp_path, person=2).keypoints[0, 0, 0] == pytest.approx(500.0)
    assert load_pose(tmp_path, person=1).keypoints[0, 0, 0] == pytest.approx(0.0)


def test_single_frame_file_is_detected(tmp_path) -> None:
    path = write_json(tmp_path / "one.json", {"people": [_people("coco18", 1.0)]})
    assert load_pose(path).meta["layout"] == "coco18"


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"a_0_keypoints.json": {"people": [{"pose_keypoints_2d": [1.0] * 48}]}},
         r"person 0 has 48 pose_keypoints_2d values, expected 75 \(BODY_25: 25 joints x 3\) or 54"),
        ({"a_0_keypoints.json": {"people": [_people("body25", 0)]},
          "a_1_keypoints.json": {"people": [_people("coco18", 0)]}}, r"mixes layouts"),
        ({"a_0_keypoints.json": {"people": []}}, r"no person detected in any of its 1 frames"),
        ({"a_0_keypoints.json": {"persons": []}}, r"is not an OpenPose frame"),
        ({"other.json": {"people": []}}, r"folder has no OpenPose"),
    ],
)
def test_bad_openpose_folders(tmp_path, files, message) -> None:
    for name, content in files.items():
        write_json(tmp_path / name, content)
    with pytest.raises(PoseFormatError, match=message):
        load_pose(tmp_path)


def test_detects_openpose_folder(tmp_path) -> None:
    write_json(tmp_path / "x_0_keypoints.json", {"people": []})
    assert detect_format(tmp_path) == "openpose"
