"""The CLI in-process: exit codes, one-line errors, the JSON contract, score-pairs."""

import csv
import json

import numpy as np
import pytest

from helpers import make_motion
from helpers import run_cli as run
from motionsim.io import as_pose_sequence, save_pose
from motionsim.model import save_model
from motionsim.model.checkpoint import untrained_checkpoint


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    return str(save_model(untrained_checkpoint(seed=0), tmp_path_factory.mktemp("m") / "test.safetensors"))


@pytest.fixture
def files(tmp_path):
    a, b = tmp_path / "a.npy", tmp_path / "b.json"
    np.save(a, make_motion(70, seed=1, kind="wave"))
    save_pose(as_pose_sequence(make_motion(60, seed=2, kind="kick")), b)
    return str(a), str(b)


def test_compare_json_contract(files, model_path, capsys):
    code, out, err = run(["compare", *files, "--json", "--model", model_path, "--flip"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert set(data["body_parts"]) == {"right_arm", "left_arm", "right_leg", "left_leg", "torso"}
    assert isinstance(data["similarity"], float) and isinstance(data["flipped"], bool)
    assert isinstance(data["windows"], list) and data["windows"]


def test_compare_table_and_out_file(files, model_path, tmp_path, capsys):
    out_file = tmp_path / "r.json"
    code, out, _ = run(["compare", *files, "--model", model_path, "--stride", "16", "--out", str(out_file)], capsys)
    assert code == 0
    assert "right arm" in out and "overall" in out
    assert json.loads(out_file.read_text())["stride"] == 16



def test_compare_prints_the_scores_before_drawing_the_feedback(files, model_path, tmp_path, monkeypatch, capsys):
    """The table is on stdout (flushed) before the feedback video starts: the wait for it is the poses, not the
    drawing; a failure while drawing still exits non-zero, with the scores already shown."""
    import io

    from motionsim.cli import main
    from motionsim.errors import MotionsimError
    from motionsim.render import feedback

    _, table, _ = run(["compare", *files, "--model", model_path], capsys)
    out = io.StringIO()
    printed = []

    def drawing_fails(*args, **kwargs):
        printed.append(out.getvalue())
        raise MotionsimError("the feedback video could not be drawn")

    monkeypatch.setattr(feedback, "write_feedback", drawing_fails)
    code = main(["compare", *files, "--model", model_path, "--video", str(tmp_path / "fb.mp4")], out=out)
    assert code != 0 and "could not be drawn" in capsys.readouterr().err
    assert printed == [table] and out.getvalue() == table  # the whole table, and no "wrote" line
    assert not (tmp_path / "fb.mp4").exists()

def write_bad(tmp_path, kind):
    path = tmp_path / {"empty": "e.json", "badjson": "b.json", "zero": "z.npy", "nan": "n.npy",
                       "allzero": "a.npy", "joints": "j.npy", "short": "s.npy", "ext": "x.txt",
                       "inf": "i.npy", "neginf_csv": "i.csv", "inf_json": "i.json"}[kind]
    if kind == "empty":
        path.write_text("")
    elif kind == "badjson":
        path.write_text("{not json")
    elif kind == "zero":
        np.save(path, np.zeros((0, 17, 2)))
    elif kind == "nan":
        np.save(path, np.full((40, 17, 2), np.nan))
    elif kind == "allzero":
        np.save(path, np.zeros((40, 17, 3)))
    elif kind == "joints":
        np.save(path, np.ones((40, 12, 2)))
    elif kind == "short":
        np.save(path, make_motion(12))
    elif kind == "ext":
        path.write_text("hello")
    elif kind == "inf":
        motion = make_motion(40)
        motion[5, 9, 0] = np.inf
        np.save(path, motion)
    elif kind == "neginf_csv":
        motion = make_motion(40)
        motion[7, 3, 1] = -np.inf
        save_pose(as_pose_sequence(np.concatenate([motion, np.ones((40, 17, 1))], axis=2)), path)
    elif kind == "inf_json":  # Python's json reads the non-standard Infinity literal
        frames = [{"frame_num": t, "objects": [{"keypoints": [float(v) for xy in pose for v in (*xy, 1.0)]}]}
                  for t, pose in enumerate(make_motion(40))]
        frames[3]["objects"][0]["keypoints"][0] = float("inf")
        path.write_text(json.dumps({"annotations": frames}))
    return str(path)


@pytest.mark.parametrize("kind", ["empty", "badjson", "zero", "nan", "allzero", "joints", "short", "ext", "missing",
                                  "inf", "neginf_csv", "inf_json"])
def test_bad_input_exits_2_with_one_line(kind, files, model_path, tmp_path, capsys):
    bad = str(tmp_path / "missing.json") if kind == "missing" else write_bad(tmp_path, kind)
    code, out, err = run(["compare", bad, files[0], "--model", model_path], capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("motionsim: error:"), err
    assert "Traceback" not in err and out == ""


def test_short_sequence_can_be_padded(tmp_path, files, model_path, capsys):
    code, out, _ = run(["compare", write_bad(tmp_path, "short"), files[0], "--pad-short", "--json",
                        "--model", model_path], capsys)
    assert code == 0 and json.loads(out)["padded"]["a"] is True


@pytest.mark.parametrize("argv", [["compare", "a"], ["compare", "a", "b", "--window", "30"],
                                  ["compare", "a", "b", "--stride", "0"], []])
def test_usage_errors_exit_2(argv, capsys):
    code, _, err = run(argv, capsys)
    assert code == 2 and "Traceback" not in err


def test_huge_window_is_refused_before_any_allocation(capsys):
    """A window of 10^13 frames with --pad-short once asked for terabytes; windows are bounded."""
    code, _, err = run(["compare", "a", "b", "--window", "8" * 14, "--pad-short"], capsys)
    assert code == 2 and err.splitlines()[-1] == ("motionsim compare: error: argument --window: the window must be "
                                                  "at most 8192 frames, got 88888888888888")
    code, _, err = run(["compare", "a", "b", "--stride", "9" * 2999 + "x"], capsys)
    assert code == 2 and "expected a positive integer, got '9999" in err and "(3000 characters)" in err
    assert len(err.splitlines()[-1]) < 150


def test_corrupt_model_exits_2(files, tmp_path, capsys):
    bad = tmp_path / "m.safetensors"
    bad.write_bytes(b"garbage")
    code, _, err = run(["compare", *files, "--model", str(bad)], capsys)
    assert code == 2 and "m.safetensors" in err


def test_score_pairs_keeps_going_and_reports(tmp_path, model_path, capsys):
    skel = tmp_path / "skel" / "A001"
    skel.mkdir(parents=True)
    for i, kind in enumerate(["wave", "wave", "kick"]):
        save_pose(as_pose_sequence(make_motion(50 + 10 * i, seed=i, kind=kind)), skel / f"S{i}.json")
    np.save(skel / "S3.npy", make_motion(64, seed=9, kind="kick"))
    (skel / "BROKEN.json").write_text("{")
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("num,sample1,sample2,AMT_score\n1,S0,S1,4\n2,S0,S2,1\n3,S0,NOPE,2\n4,BROKEN,S1,3\n5,S3,S2,4\n")
    out_csv = tmp_path / "out" / "scores.csv"
    code, out, err = run(["score-pairs", str(pairs), "--skeletons", str(tmp_path / "skel"), "--out", str(out_csv),
                          "--model", model_path, "--flip"], capsys)
    assert code == 0, err
    assert "scored 3 of 5 pairs (2 failed)" in out
    assert "pair 3" in err and "NOPE" in err and "pair 4" in err
    rows = list(csv.DictReader(out_csv.open()))
    assert [r["num"] for r in rows] == ["1", "2", "3", "4", "5"]  # every input row kept, in order
    assert rows[0]["AMT_score"] == "4"
    for col in ["similarity", "right_arm", "left_arm", "right_leg", "left_leg", "torso"]:
        assert -1.0 <= float(rows[0][col]) <= 1.0
    assert rows[2]["similarity"] == "" and "NOPE" in rows[2]["error"]
    assert float(rows[0]["similarity"]) > float(rows[1]["similarity"])  # wave-wave vs wave-kick


def test_score_pairs_never_overwrites_its_input(tmp_path, model_path, capsys):
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("sample1,sample2\nx,y\n")
    (tmp_path / "skel").mkdir()
    code, _, err = run(["score-pairs", str(pairs), "--skeletons", str(tmp_path / "skel"), "--out", str(pairs),
                        "--model", model_path], capsys)
    assert code == 2 and pairs.read_text() == "sample1,sample2\nx,y\n"


def test_score_pairs_missing_columns(tmp_path, model_path, capsys):
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("a,b\nx,y\n")
    (tmp_path / "skel").mkdir()
    code, _, err = run(["score-pairs", str(pairs), "--skeletons", str(tmp_path / "skel"), "--out",
                        str(tmp_path / "o.csv"), "--model", model_path], capsys)
    assert code == 2 and "sample1" in err
