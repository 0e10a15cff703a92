"""NTU refined / COCO-17 keypoint JSON: reading the real sample, wrappers, gaps, multi-person selection."""

from __future__ import annotations

import json

import numpy as np
import pytest
from pose_fixtures import SAMPLE_JSON, coco_object, person, write_json

from motionsim.errors import PoseFormatError
from motionsim.io import load_pose, save_pose
from motionsim.pose import PoseSequence


def test_reads_ntu_sample_values() -> None:
    doc = json.loads(SAMPLE_JSON.read_text())
    seq = load_pose(SAMPLE_JSON)
    expected = np.array([f["objects"][0]["keypoints"] for f in doc["annotations"]]).reshape(-1, 17, 3)
    assert len(seq) == len(doc["annotations"])
    np.testing.assert_allclose(seq.keypoints, expected[..., :2], rtol=1e-6)
    np.testing.assert_allclose(seq.scores, expected[..., 2], rtol=1e-6)
    assert seq.fps == doc["video"]["fps"]
    assert (seq.meta["width"], seq.meta["height"]) == (doc["video"]["width"], doc["video"]["height"])


@pytest.mark.parametrize("wrap", ["result", "list_of_frames", "list_of_object_lists"])
def test_alternate_wrappers_read_like_the_canonical_form(tmp_path, wrap) -> None:
    doc = json.loads(SAMPLE_JSON.read_text())
    if wrap == "result":
        other = {"result": {"annotations": doc["annotations"]}}
    elif wrap == "list_of_frames":
        other = doc["annotations"]
    else:
        other = [f["objects"] for f in doc["annotations"]]
    seq = load_pose(write_json(tmp_path / "alt.json", other))
    ref = load_pose(SAMPLE_JSON)
    np.testing.assert_array_equal(seq.keypoints, ref.keypoints)
    np.testing.assert_array_equal(seq.scores, ref.scores)


def test_frames_without_people_and_frame_gaps_become_missing(tmp_path) -> None:
    frames = [{"frame_num": 0, "objects": [coco_object(person(100, 100, 80))]},
              {"frame_num": 1, "objects": []},
              {"frame_num": 3, "objects": [coco_object(person(102, 100, 80))]}]
    seq = load_pose(write_json(tmp_path / "gaps.json", {"annotations": frames}))
    assert len(seq) == frames[-1]["frame_num"] + 1
    present = (seq.scores > 0).any(axis=1)
    np.testing.assert_array_equal(present, [True, False, False, True])


def test_frames_are_ordered_by_frame_num(tmp_path) -> None:
    frames = [{"frame_num": t, "objects": [coco_object(person(100 + 10 * t, 100, 80))]} for t in (2, 0, 1)]
    seq = load_pose(write_json(tmp_path / "order.json", {"annotations": frames}))
    assert np.all(np.diff(seq.keypoints[:, 0, 0]) > 0)


def _two_people(n: int, with_ids: bool) -> list[dict]:
    """A big person walking right and a small one standing still; list order alternates every frame."""
    frames = []
    for t in range(n):
        big = coco_object(person(200 + 3 * t, 300, 200, t), 0.9, 7 if with_ids else None)
        small = coco_object(person(600, 300, 80, t), 0.8, 3 if with_ids else None)
        frames.append({"frame_num": t, "objects": [big, small] if t % 2 else [small, big]})
    return frames


@pytest.mark.parametrize("with_ids", [True, False])
def test_auto_keeps_the_same_person_in_every_frame(tmp_path, with_ids) -> None:
    n = 6
    seq = load_pose(write_json(tmp_path / "two.json", {"annotations": _two_people(n, with_ids)}))
    expected = np.stack([person(200 + 3 * t, 300, 200, t) for t in range(n)])
    np.testing.assert_allclose(seq.keypoints, expected, atol=1e-3)


def test_tracking_marks_frames_missing_when_the_tracked_person_is_gone(tmp_path) -> None:
    frames = _two_people(5, with_ids=False)
    frames[2]["objects"] = [o for o in frames[2]["objects"] if o["bbox"][3] < 100]  # only the small one left
    seq = load_pose(write_json(tmp_path / "gone.json", {"annotations": frames}))
    assert not (seq.scores[2] > 0).any()
    np.testing.assert_allclose(seq.keypoints[3], person(209, 300, 200, 3), atol=1e-3)


def test_explicit_person_id_and_unknown_id(tmp_path) -> None:
    path = write_json(tmp_path / "two.json", {"annotations": _two_people(4, with_ids=True)})
    small = load_pose(path, person=3)
    np.testing.assert_allclose(small.keypoints[0], person(600, 300, 80, 0), atol=1e-3)
    with pytest.raises(PoseFormatError, match=r"no person with id 5; ids in the file: 3, 7"):
        load_pose(path, person=5)


def test_save_several_people_and_read_each_back(tmp_path) -> None:
    a = PoseSequence(np.stack([person(100, 200, 150, t) for t in range(4)]), np.ones((4, 17)), fps=25.0)
    b = PoseSequence(np.stack([person(500, 200, 150, t) for t in range(4)]), np.full((4, 17), 0.5), fps=25.0)
    path = save_pose([a, b], tmp_path / "pair.json")
    for k, seq in enumerate((a, b)):
        back = load_pose(path, person=k)
        np.testing.assert_allclose(back.keypoints, seq.keypoints, atol=1e-3)
        np.testing.assert_allclose(back.scores, seq.scores)
        assert back.fps == seq.fps


@pytest.mark.parametrize(
    ("annotations", "message"),
    [
        ([{"frame_num": 0, "objects": [{"keypoints": [1.0] * 48}]}], r"frame 0 has 48 keypoint values, expected 51"),
        ([{"frame_num": 0, "objects": [{"keypoints": ["a"] * 51}]}], r"frame 0 keypoints contains values that are not"),
        ([{"frame_num": 0, "objects": [{"bbox": [0, 0, 1, 1]}]}], r"frame 0 is not an object with 'keypoints'"),
        ([{"frame_num": -1, "objects": []}], r"frame 0 has frame_num -1"),
        ([], r"has zero frames"),
        ([{"frame_num": 0, "objects": []}], r"no joint is present"),
    ],
)
def test_bad_coco_content(tmp_path, annotations, message) -> None:
    path = write_json(tmp_path / "bad.json", {"annotations": annotations})
    with pytest.raises(PoseFormatError, match=message) as info:
        load_pose(path)
    assert str(info.value).startswith(str(path))


def _general_path(obj, source):
    """What every file went through before the one-person-a-frame shortcut."""
    from motionsim.io import coco_json
    from motionsim.io._common import select_person

    frames, first, video = coco_json._parsed(obj, source, None)
    points, scores, meta = select_person(frames, 17, "auto", source)
    return coco_json._sequence(points, scores, meta, first, video, source)


def _outcome(read, obj, source):
    try:
        seq = read(obj, source)
    except Exception as exc:  # noqa: BLE001 - the two paths must fail alike too
        return type(exc).__name__, str(exc)
    return (seq.keypoints.tobytes(), seq.scores.tobytes(), seq.keypoints.dtype, seq.scores.dtype, seq.fps,
            seq.source, sorted(seq.meta.items(), key=str))


def test_the_one_person_a_frame_shortcut_reads_as_the_general_path(tmp_path) -> None:
    """Random files, well-formed and not: frame numbers in order, with gaps, repeated or of the wrong type; zero
    to two objects a frame; one id, several, none, or ids that are no numbers; keypoints of the wrong shape or
    with NaN; boxes present, absent or malformed; the same sequence or the same error either way."""
    from motionsim.io import coco_json

    rng = np.random.default_rng(11)
    source = tmp_path / "clip.json"
    ids = [None, 0, 3, 2.0, True, "a"]
    shortcut_taken = 0
    for trial in range(600):
        n, first = int(rng.integers(1, 7)), int(rng.integers(0, 3))
        entries = []
        for pos in range(n):
            entry: dict = {"frame_num": first + pos}
            if rng.random() < 0.05:  # a gap, a repeat, a float, a bool
                entry["frame_num"] = [first + pos + 2, first, float(first + pos), True][int(rng.integers(4))]
            if rng.random() < 0.03:
                del entry["frame_num"]
            objects = []
            for _ in range(int(rng.choice([0, 1, 1, 1, 1, 2]))):
                kp = rng.normal(100, 50, N_KP).round(2)
                kp[2::3] = rng.uniform(-0.2, 1.2, 17).round(2)
                values = kp.tolist()
                if rng.random() < 0.03:
                    values[int(rng.integers(N_KP))] = float("nan")
                if rng.random() < 0.02:
                    values = values[:-1]
                if rng.random() < 0.02:
                    values = kp.reshape(17, 3).tolist()
                obj = {"keypoints": values}
                ident = ids[int(rng.integers(len(ids)))] if trial % 3 else 0
                if ident is not None:
                    obj["object_id"] = ident
                if rng.random() < 0.3:
                    obj["bbox"] = [[1, 2, 3, 4], [1, 2, 3], None, ["1", "2", "3", "4"]][int(rng.integers(4))]
                objects.append(obj)
            entry["objects"] = objects
            entries.append(entry)
        doc = {"video": {"fps": 30.0, "width": 640, "height": 480}, "annotations": entries}
        if coco_json._one_person_a_frame(doc, source, None) is not None:
            shortcut_taken += 1
        assert _outcome(coco_json.from_json, doc, source) == _outcome(_general_path, doc, source), trial
    assert 100 < shortcut_taken < 550  # both paths were exercised


N_KP = 51
