"""`load_pose` / `save_pose`: format detection and one-line PoseFormatError for every kind of bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest
from pose_fixtures import SAMPLE_JSON, coco_object, person

from motionsim.errors import PoseFormatError
from motionsim.io import READERS, as_pose_sequence, detect_format, load_pose, save_pose


def _ntu(objects_per_frame: list[list[dict]]) -> str:
    return json.dumps({"annotations": [{"frame_num": t, "objects": o} for t, o in enumerate(objects_per_frame)]})


def _nan_object() -> dict:
    obj = coco_object(person(50, 50, 40))
    obj["keypoints"] = [float("nan")] * 51
    return obj


BAD_INPUTS = {
    "empty_json": ("clip.json", "", r"is empty"),
    "whitespace_json": ("clip.json", "  \n", r"is empty"),
    "empty_csv": ("clip.csv", "", r"is empty"),
    "empty_npy": ("clip.npy", "", r"is empty"),
    "invalid_json": ("clip.json", '{"annotations": [', r"invalid JSON: .* at line 1 column"),
    "not_utf8": ("clip.json", b"\xff\xfe\x00garbage", r"is not UTF-8 text"),
    "unknown_json": ("clip.json", '{"hello": 1}', r"JSON is not a known pose format"),
    "json_scalar": ("clip.json", "42", r"JSON is not a known pose format"),
    "zero_frames_list": ("clip.json", "[]", r"has zero frames"),
    "zero_frames_annotations": ("clip.json", '{"annotations": []}', r"has zero frames"),
    "wrong_joint_count": ("clip.json", _ntu([[coco_object(person(50, 50, 40))], [{"keypoints": [1.0] * 48}]]),
                          r"frame 1 has 48 keypoint values, expected 51 \(17 joints x 3\)"),
    "all_nan": ("clip.json", _ntu([[_nan_object()]]), r"no joint is present in any frame"),
    "all_zero": ("clip.npy", np.zeros((5, 17, 3)), r"no joint is present in any frame"),
    "all_zero_scores": ("clip.npy", np.concatenate([np.ones((5, 17, 2)), np.zeros((5, 17, 1))], 2),
                        r"no joint is present"),
    "nan_scores": ("clip.npy", np.full((5, 17, 3), np.nan), r"no joint is present|NaN"),
    "zero_frames_npy": ("clip.npy", np.zeros((0, 17, 3)), r"has zero frames"),
    "unknown_extension": ("clip.txt", "1,2,3", r"unknown extension '.txt'; accepted: .json"),
    "no_extension": ("clip", "1,2,3", r"unknown extension '\(none\)'"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_raises_one_clear_line(tmp_path, case) -> None:
    name, content, message = BAD_INPUTS[case]
    path = tmp_path / name
    if isinstance(content, np.ndarray):
        np.save(path, content)
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    with pytest.raises(PoseFormatError, match=message) as info:
        load_pose(path)
    text = str(info.value)
    assert text.startswith(f"{path}: ") and "\n" not in text


def test_missing_file(tmp_path) -> None:
    with pytest.raises(PoseFormatError, match=r"nope\.json: file not found"):
        load_pose(tmp_path / "nope.json")


def test_folder_without_openpose_files(tmp_path) -> None:
    with pytest.raises(PoseFormatError, match=r"folder has no OpenPose"):
        load_pose(tmp_path)


@pytest.mark.parametrize(("fmt", "message"), [("matlab", r"unknown format 'matlab'; known: coco"),
                                              ("npy", r"is not a readable .npy array")])
def test_explicit_wrong_format(fmt, message) -> None:
    with pytest.raises(PoseFormatError, match=message):
        load_pose(SAMPLE_JSON, fmt)


def test_ntu_alias_and_explicit_format_read_the_same() -> None:
    ref = load_pose(SAMPLE_JSON)
    np.testing.assert_array_equal(load_pose(SAMPLE_JSON, "ntu").keypoints, ref.keypoints)
    np.testing.assert_array_equal(load_pose(SAMPLE_JSON, "coco").keypoints, ref.keypoints)


def test_partial_nan_joints_become_missing(tmp_path) -> None:
    arr = np.ones((4, 17, 3))
    arr[1, 5, 0] = np.nan
    np.save(tmp_path / "a.npy", arr)
    seq = load_pose(tmp_path / "a.npy")
    assert seq.scores[1, 5] == 0 and seq.keypoints[1, 5].tolist() == [0.0, 0.0]
    assert (np.delete(seq.scores.ravel(), 1 * 17 + 5) == 1).all()


@pytest.mark.parametrize(
    ("name", "expected"),
    [("a.npy", "npy"), ("a.NPZ", "npz"), ("a.mp4", "video"), ("a.MOV", "video"), ("a.webm", "video")],
)
def test_detect_format_by_extension(name, expected) -> None:
    assert detect_format(name) == expected
    assert expected in READERS


def test_as_pose_sequence_reads_paths() -> None:
    assert len(as_pose_sequence(str(SAMPLE_JSON))) == len(load_pose(SAMPLE_JSON))


@pytest.mark.parametrize(("name", "fmt", "message"), [("m.txt", None, r"cannot tell the format"),
                                                      ("m.json", "openpose", r"no writer for format 'openpose'")])
def test_save_pose_refuses_unknown_formats(tmp_path, name, fmt, message) -> None:
    with pytest.raises(PoseFormatError, match=message):
        save_pose(np.ones((2, 17, 3)), tmp_path / name, fmt)


def test_one_loader_takes_the_person_choice_for_keypoint_files(tmp_path):
    """`load_pose` is the loader every front end calls: keypoint files take auto or an object id (digits too);
    the video-only choices are refused in one line."""
    from motionsim.errors import PoseFormatError

    path = save_pose(np.ones((8, 17, 3)), tmp_path / "m.json")
    assert len(load_pose(path, person="auto", cache=False, quiet=False)) == 8
    assert len(load_pose(path, person="0")) == 8
    with pytest.raises(PoseFormatError, match="chooses among people in a video"):
        load_pose(path, person="largest")
