"""``compare A B --person ...,all`` on keypoint files: the ``{"people": [...]}`` contract, the per-person table,
a file without ids tracked by position, and every bad input (exit 2, one line)."""

import json

import numpy as np
import pytest

from helpers import make_motion
from helpers import run_cli as run
from motionsim.io import save_pose
from motionsim.pose import PoseSequence

PART_KEYS = {"right_arm", "left_arm", "right_leg", "left_leg", "torso"}


def _person(motion, dx, present=None):
    scores = np.ones(motion.shape[:2], np.float32)
    if present is not None:
        scores[~present] = 0
    return PoseSequence(motion + [dx, 0], scores, fps=30.0)


@pytest.fixture
def files(tmp_path):
    """A: one person waving (.npy); B: a group (.json with object ids): 4 waves, 7 kicks, 9 stands for 10
    frames only."""
    n = 90
    ref = tmp_path / "ref.npy"
    np.save(ref, make_motion(80, seed=1, kind="wave"))
    short = np.zeros(n, bool)
    short[30:40] = True
    group = {4: _person(make_motion(n, seed=3, kind="wave"), -400),
             7: _person(make_motion(n, seed=4, kind="kick"), 400),
             9: _person(make_motion(n, seed=5, kind="still"), 0, short)}
    path = save_pose(group, tmp_path / "group.json")
    return str(ref), str(path)


def test_people_json_contract(files, capsys):
    ref, group = files
    code, out, err = run(["compare", ref, group, "--person", "auto,all", "--json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert list(data) == ["people"] and [p["person"] for p in data["people"]] == [4, 7, 9]
    by_id = {p["person"]: p for p in data["people"]}
    assert {k: by_id[9][k] for k in ("frames_present", "first_frame", "last_frame")} == {
        "frames_present": 10, "first_frame": 30, "last_frame": 39}
    assert "similarity" not in by_id[9] and "fewer than one window" in by_id[9]["error"]
    for ident in (4, 7):
        p = by_id[ident]
        assert (p["frames_present"], p["first_frame"], p["last_frame"]) == (90, 0, 89)
        # the same keys and values as compare --json of that one person
        code, single, err = run(["compare", ref, group, "--person", f"auto,{ident}", "--json"], capsys)
        assert code == 0, err
        single = json.loads(single)
        assert set(p) == set(single) | {"person", "frames_present", "first_frame", "last_frame"}
        assert set(p["body_parts"]) == PART_KEYS
        assert p["similarity"] == pytest.approx(single["similarity"], abs=1e-5)
        for part in PART_KEYS:
            assert p["body_parts"][part] == pytest.approx(single["body_parts"][part], abs=1e-5)
    # the waving person is closer to a wave than the kicking one, above all in the right arm
    assert by_id[4]["body_parts"]["right_arm"] > by_id[7]["body_parts"]["right_arm"]


def test_all_alone_means_b_and_all_first_means_a(files, capsys):
    ref, group = files
    code, out, _ = run(["compare", ref, group, "--person", "all", "--json"], capsys)
    alone = json.loads(out)
    code2, out2, _ = run(["compare", ref, group, "--person", "auto,all", "--json"], capsys)
    assert code == code2 == 0 and alone == json.loads(out2)
    code, out, err = run(["compare", group, ref, "--person", "all,auto", "--json"], capsys)
    assert code == 0, err
    swapped = {p["person"]: p for p in json.loads(out)["people"]}
    assert sorted(swapped) == [4, 7, 9] and "similarity" in swapped[4] and "error" in swapped[9]


def test_table_marks_best_and_weakest(files, capsys):
    ref, group = files
    code, out, err = run(["compare", ref, group, "--person", "auto,all"], capsys)
    assert code == 0, err
    code, data, _ = run(["compare", ref, group, "--person", "auto,all", "--json"], capsys)
    scores = {p["person"]: p["similarity"] for p in json.loads(data)["people"] if "similarity" in p}
    best, weakest = max(scores, key=scores.get), min(scores, key=scores.get)
    rows = {int(line.split()[0]): line for line in out.splitlines() if line.strip()[:1].isdigit()}
    assert sorted(rows) == [4, 7, 9]
    assert rows[best].rstrip().endswith("best") and rows[weakest].rstrip().endswith("weakest")
    assert f"{scores[best]:+.3f}" in rows[best]
    assert "fewer than one window" in rows[9]
    assert "right arm" in out or "R arm" in out or "arm" in out


def test_a_file_without_ids_is_tracked_by_position(tmp_path, capsys):
    """No object_id in the group file: each frame's list is followed by position, and everyone scored."""
    n = 80
    wave, kick = make_motion(n, seed=3, kind="wave") - [300, 0], make_motion(n, seed=4, kind="kick") + [300, 0]
    frames = []
    for t in range(n):
        objs = [{"keypoints": np.concatenate([p[t], np.full((17, 1), 0.9)], axis=1).ravel().tolist()}
                for p in ((kick, wave) if t % 2 else (wave, kick))]  # the list's order changes every frame
        frames.append({"frame_num": t, "objects": objs})
    path = tmp_path / "noids.json"
    path.write_text(json.dumps({"video": {"fps": 30.0}, "annotations": frames}))
    ref = tmp_path / "ref.npy"
    np.save(ref, make_motion(80, seed=1, kind="wave"))
    code, out, err = run(["compare", str(ref), str(path), "--person", "auto,all", "--json"], capsys)
    assert code == 0, err
    people = json.loads(out)["people"]
    assert [p["person"] for p in people] == [0, 1] and all(p["frames_present"] == n for p in people)
    # id 0 is the first in the first frame's list (the waving one), and stays the waving one
    assert people[0]["body_parts"]["right_arm"] > people[1]["body_parts"]["right_arm"]


@pytest.mark.parametrize("person,message", [
    ("all,all", "'all' (everyone) may be the choice of one input only"),
    ("auto,all,all", "'all' (everyone) may be the choice of one input only"),
    ("everyone", "everyone"),
    ("auto,tallest", "tallest"),
])
def test_bad_person_specs_are_one_line(files, person, message, capsys):
    ref, group = files
    code, out, err = run(["compare", ref, group, "--person", person], capsys)
    assert code == 2 and out == "" and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and message in err, err


def test_nobody_in_the_group_file_is_one_line(tmp_path, capsys):
    ref = tmp_path / "ref.npy"
    np.save(ref, make_motion(80, seed=1, kind="wave"))
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"annotations": [{"frame_num": 0, "objects": []}]}))
    code, _, err = run(["compare", str(ref), str(empty), "--person", "auto,all"], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "empty.json" in err, err


def test_without_all_the_output_is_unchanged(files, capsys):
    """One person on each side: the plain compare --json object, no "people" key."""
    ref, group = files
    code, out, err = run(["compare", ref, group, "--person", "auto,7", "--json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert "people" not in data and "person" not in data and set(data["body_parts"]) == PART_KEYS


def test_video_and_report_of_everyone(files, tmp_path, capsys):
    """--video and --report with all: one video frame per frame of the group, the report's per-person table
    with the best and weakest marked and a timeline for each scored person."""
    cv2 = pytest.importorskip("cv2")
    pytest.importorskip("av")
    pytest.importorskip("matplotlib")
    ref, group = files
    video, report = tmp_path / "fb.mp4", tmp_path / "fb.html"
    code, out, err = run(["compare", ref, group, "--person", "auto,all", "--video", str(video), "--report",
                          str(report)], capsys)
    assert code == 0, err
    assert f"wrote {video}" in out and f"wrote {report}" in out
    cap = cv2.VideoCapture(str(video))
    frames = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    ok, frame = cap.read()
    cap.release()
    assert ok and frames == 90 and frame.std() > 5  # drawn, not blank
    html = report.read_text()
    for ident in (4, 7, 9):
        assert f'data-person="{ident}"' in html
    assert 'class="mark best"' in html and 'class="mark weakest"' in html
    assert 'id="timeline-4"' in html and 'id="timeline-7"' in html and 'id="timeline-9"' not in html
    assert "fewer than one window" in html and 'src="data:video/mp4;base64,' in html


def test_people_table_comes_before_the_feedback(files, tmp_path, monkeypatch, capsys):
    """As for one person: the per-person table is printed before the group's feedback video is drawn."""
    import io

    from motionsim.cli import main
    from motionsim.render import group as group_render

    ref, group = files
    _, table, _ = run(["compare", ref, group, "--person", "auto,all"], capsys)
    out = io.StringIO()
    printed = []

    def draw(*args, **kwargs):
        printed.append(out.getvalue())
        return {}

    monkeypatch.setattr(group_render, "write_people_feedback", draw)
    video = tmp_path / "fb.mp4"
    assert main(["compare", ref, group, "--person", "auto,all", "--video", str(video)], out=out) == 0
    assert printed == [table] and out.getvalue() == table + f"wrote {video}\n"
