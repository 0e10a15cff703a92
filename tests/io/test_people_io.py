"""`load_people`: everyone in a keypoint file, by object id or tracked by position; the writer keeps the ids."""

from __future__ import annotations

import json

import numpy as np
import pytest
from pose_fixtures import coco_object, person, write_json

from motionsim.errors import PoseFormatError
from motionsim.io import load_people, load_pose, save_pose
from motionsim.pose import PoseSequence


def _frames(n, ids=True, shuffle=False):
    """Two people walking towards each other (crossing at the middle frame), and a third who leaves at t=10;
    with ``shuffle`` each frame's list comes in a random order."""
    rng = np.random.default_rng(0)
    frames = []
    for t in range(n):
        objs = [coco_object(person(100 + 10 * t, 300, 200, t), object_id=4 if ids else None),
                coco_object(person(500 - 10 * t, 320, 180, t), object_id=7 if ids else None)]
        if t < 10:
            objs.append(coco_object(person(900, 300, 150, t), object_id=9 if ids else None))
        if shuffle:
            objs = [objs[i] for i in rng.permutation(len(objs))]
        frames.append({"frame_num": t, "objects": objs})
    return frames


def test_every_object_id_is_a_person(tmp_path):
    path = write_json(tmp_path / "group.json", {"video": {"fps": 25.0}, "annotations": _frames(40)})
    people = load_people(path)
    assert sorted(people) == [4, 7, 9]
    assert all(len(s) == 40 and s.fps == 25.0 for s in people.values())
    assert {k: people[9].meta[k] for k in ("person", "frames_present", "first_frame", "last_frame")} == {
        "person": 9, "frames_present": 10, "first_frame": 0, "last_frame": 9}
    np.testing.assert_allclose(people[7].keypoints[5], person(450, 320, 180, 5), atol=1e-3)
    assert load_pose(path, person=7).keypoints.tolist() == people[7].keypoints.tolist()  # one loader, same reading


def test_a_file_without_ids_is_tracked_by_position(tmp_path):
    """No object_id: each frame's list (in any order) is followed by position, through the two people crossing."""
    path = write_json(tmp_path / "noid.json", {"annotations": _frames(40, ids=False, shuffle=True)})
    people = load_people(path)
    assert len(people) == 3
    starts = {k: s.keypoints[0, 11, 0] for k, s in people.items()}
    walker = min(starts, key=starts.get)  # starts on the left, walks right
    x = people[walker].keypoints[:, 11, 0]
    assert (np.diff(x) > 0).all()  # never swapped with the one walking left, even where they cross
    assert sorted(s.meta["frames_present"] for s in people.values()) == [10, 40, 40]


def test_written_ids_come_back(tmp_path):
    rng = np.random.default_rng(1)
    seqs = {3: PoseSequence(rng.uniform(0, 100, (6, 17, 2)), np.ones((6, 17)), fps=30.0),
            8: PoseSequence(rng.uniform(200, 300, (6, 17, 2)), np.ones((6, 17)), fps=30.0)}
    seqs[8].scores[:2] = 0  # absent in the first two frames
    path = save_pose(seqs, tmp_path / "two.json")
    doc = json.loads(path.read_text())
    assert [[o["object_id"] for o in f["objects"]] for f in doc["annotations"][:3]] == [[3], [3], [3, 8]]
    back = load_people(path)
    assert sorted(back) == [3, 8] and back[8].meta["first_frame"] == 2
    np.testing.assert_allclose(back[3].keypoints, seqs[3].keypoints, atol=1e-3)


def test_formats_of_one_person_give_id_0(tmp_path):
    path = tmp_path / "one.npy"
    np.save(path, np.ones((5, 17, 3)))
    people = load_people(path)
    assert list(people) == [0] and len(people[0]) == 5 and people[0].meta["frames_present"] == 5


def test_all_is_refused_where_one_person_is_needed(tmp_path):
    path = write_json(tmp_path / "group.json", {"annotations": _frames(4)})
    with pytest.raises(PoseFormatError, match="person 'all'.*load_people"):
        load_pose(path, person="all")


def test_nobody_at_all_is_refused(tmp_path):
    path = write_json(tmp_path / "empty.json", {"annotations": [{"frame_num": 0, "objects": []}]})
    with pytest.raises(PoseFormatError, match="nobody in any frame"):
        load_people(path)
