"""`motionsim extract` and the pose cache on the real Sports2D demo video, plus its bad inputs."""

import json

import numpy as np
import pytest

from helpers import demo_video
from helpers import run_cli as run
from motionsim.io import load_pose
from motionsim.video import cache as pose_cache
from motionsim.video import extract as extract_module

pytest.importorskip("mediapipe")
cv2 = pytest.importorskip("cv2")


@pytest.fixture(scope="module")
def video():
    path = demo_video()
    return path


def test_extract_writes_keypoints_compare_reads_and_caches(video, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MOTIONSIM_CACHE_DIR", str(tmp_path / "cache"))
    target = tmp_path / "demo.json"
    code, out, err = run(["extract", str(video), "-o", str(target)], capsys)
    assert code == 0, err
    assert "XNNPACK" not in err and "W0000" not in err  # no native log lines without --debug
    doc = json.loads(target.read_text())
    assert doc["video"]["fps"] == pytest.approx(30.0) and doc["video"]["width"] == 1768
    seq = load_pose(target)
    cap = cv2.VideoCapture(str(video))
    n_frames = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    cap.release()
    assert len(seq) == n_frames
    assert (seq.scores > 0.5).any(axis=1).mean() > 0.8  # a person in most frames
    assert len(list(pose_cache.cache_dir().glob("*.npz"))) == 1

    def no_estimation(*args, **kwargs):
        raise AssertionError("pose estimation ran although the video is cached")

    monkeypatch.setattr(extract_module, "extract_pose", no_estimation)
    code, out, err = run(["extract", str(video), "-o", str(tmp_path / "again.json")], capsys)
    assert code == 0, err
    assert "from the cache" in out
    np.testing.assert_allclose(load_pose(tmp_path / "again.json").keypoints, seq.keypoints, atol=1e-3)
    # --no-cache estimates again
    code, _, err = run(["extract", str(video), "-o", str(tmp_path / "x.json"), "--no-cache"], capsys)
    assert code == 1 and "pose estimation ran" in err


def test_person_picks_someone_else(video, tmp_path, capsys):
    """Two people: the man on the box (left, mostly still) and the woman walking across."""
    left, right = tmp_path / "p0.json", tmp_path / "p1.json"
    assert run(["extract", str(video), "-o", str(left), "--person", "0"], capsys)[0] == 0
    assert run(["extract", str(video), "-o", str(right), "--person", "1"], capsys)[0] == 0
    man, woman = load_pose(left), load_pose(right)
    both = (man.scores[:, 11] > 0.5) & (woman.scores[:, 11] > 0.5)
    assert both.sum() > 50
    gap = np.linalg.norm(man.keypoints[both, 11] - woman.keypoints[both, 11], axis=1)
    assert (gap > 150).mean() > 0.95  # two different people, never swapped for one another

    def spread(seq):
        x = seq.keypoints[seq.scores[:, 11] > 0.5, 11, 0]
        return np.percentile(x, 90) - np.percentile(x, 10)

    assert spread(woman) > 600 and spread(man) < 300  # she walks across the frame; he stays on the box


def _black_video(path):
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30, (160, 120))
    for _ in range(10):
        writer.write(np.zeros((120, 160, 3), np.uint8))
    writer.release()
    return path


@pytest.mark.parametrize("kind", ["missing", "not_a_video", "folder", "nobody", "bad_person", "bad_out"])
def test_bad_input_exits_2_and_writes_nothing(kind, tmp_path, capsys):
    src = tmp_path / "in.mp4"
    extra = []
    if kind == "not_a_video":
        src.write_text("this is text, not a video")
    elif kind == "folder":
        src.mkdir()
    elif kind == "nobody":
        _black_video(src)
    elif kind == "bad_person":
        _black_video(src)
        extra = ["--person", "tallest"]
    elif kind == "bad_out":
        _black_video(src)
    target = tmp_path / ("out.txt" if kind == "bad_out" else "out.json")
    code, out, err = run(["extract", str(src), "-o", str(target), *extra], capsys)
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("motionsim: error:"), err
    assert not target.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".") or p.suffix == ".part"]


def test_extract_backend_is_the_old_name_of_estimator(video, tmp_path, capsys):
    """--backend names the model's runtime in every other command; extract's pose estimator is --estimator,
    and the old spelling still works, with a notice."""
    code, out, err = run(["extract", str(video), "-o", str(tmp_path / "a.json"), "--backend", "mediapipe"], capsys)
    assert code == 0, err
    assert "--backend is now --estimator" in err
    code, out, err = run(["extract", str(video), "-o", str(tmp_path / "b.json"), "--estimator", "mediapipe"], capsys)
    assert code == 0 and "notice" not in err
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
