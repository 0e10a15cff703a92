"""Everyone in a video (``--person all``): the Sports2D demo (a man on a box, a woman walking), the Pose2Sim
multi-person scene (a man on a platform, a woman in front of him), a scene built here from two real clips side
by side, the pose cache, and bad input."""

import json

import numpy as np
import pytest

from helpers import demo_video, pose2sim_video, write_video
from helpers import run_cli as run
from motionsim.io import load_people, load_pose
from motionsim.video import cache as pose_cache
from motionsim.video import everyone as everyone_module

pytest.importorskip("mediapipe")
cv2 = pytest.importorskip("cv2")


def _hips(seq):
    """Mid-hip per frame (NaN where either hip is missing)."""
    ok = (seq.scores[:, 11] > 0.5) & (seq.scores[:, 12] > 0.5)
    out = np.full((len(seq), 2), np.nan)
    out[ok] = seq.keypoints[ok, 11:13].mean(axis=1)
    return out


@pytest.fixture(scope="module")
def demo_people(tmp_path_factory):
    """`extract --person all` of the Sports2D demo, read back from the JSON it wrote."""
    target = tmp_path_factory.mktemp("people") / "demo_all.json"
    import io

    from motionsim.cli import main

    out = io.StringIO()
    assert main(["extract", str(demo_video()), "-o", str(target), "--person", "all"], out=out) == 0
    return target, out.getvalue()


def test_extract_all_writes_everyone_with_ids(demo_people):
    target, text = demo_people
    doc = json.loads(target.read_text())
    ids = {o["object_id"] for f in doc["annotations"] for o in f["objects"]}
    assert len(doc["annotations"]) == 230 and {0, 1} <= ids, ids
    assert "person 0: frames" in text and "person 1: frames" in text
    people = load_people(target)
    assert sorted(people) == sorted(ids) and all(len(s) == 230 for s in people.values())
    assert all(people[i].meta["person"] == i for i in people)
    # the two people of the demo are ids 0 and 1, each in most frames; anyone else is a short appearance
    main = {i for i, s in people.items() if s.meta["frames_present"] > 120}
    assert main == {0, 1}, {i: s.meta["frames_present"] for i, s in people.items()}


def test_ids_never_swap_against_the_one_person_choices(demo_people, tmp_path, capsys):
    """Both people of the demo found, each id always the same person: id 0 is where `--person 0` (the man on
    the box) is, id 1 where `--person 1` (the woman) is, and no id ever jumps to the other person."""
    people = load_people(demo_people[0])
    singles = {}
    for k in (0, 1):
        target = tmp_path / f"p{k}.json"
        assert run(["extract", str(demo_video()), "-o", str(target), "--person", str(k)], capsys)[0] == 0
        singles[k] = _hips(load_pose(target))
    for k in (0, 1):
        mine, other = _hips(people[k]), singles[1 - k]
        both = ~np.isnan(mine[:, 0]) & ~np.isnan(singles[k][:, 0])
        assert both.sum() > 100
        near = np.linalg.norm(mine[both] - singles[k][both], axis=1)
        assert np.median(near) < 25 and (near < 100).mean() > 0.9, (k, np.percentile(near, [50, 90]))
        crossed = ~np.isnan(mine[:, 0]) & ~np.isnan(other[:, 0])
        assert (np.linalg.norm(mine[crossed] - other[crossed], axis=1) < 60).sum() <= 3  # never the other one
        seen = np.flatnonzero(~np.isnan(mine[:, 0]))
        steps = np.linalg.norm(np.diff(mine[seen], axis=0), axis=1) / np.maximum(np.diff(seen), 1)
        assert steps.max() < 120, (k, steps.max())  # no jump to someone else between frames


def test_pose2sim_scene_has_the_two_main_people(tmp_path):
    """A man on a platform and a woman moving in front of him, 60 fps: both followed in most frames, estimated
    at 30 fps (every other frame), one pose per frame of the video."""
    people = load_people(pose2sim_video("MultiPerson", 1))
    main = sorted(people.values(), key=lambda s: -s.meta["frames_present"])[:2]
    assert len(main) == 2 and all(len(s) == 100 for s in main)
    assert all(s.meta["estimated_frames"] == 50 for s in main)
    both = (main[0].scores > 0.5).sum(axis=1) >= 8
    both &= (main[1].scores > 0.5).sum(axis=1) >= 8
    assert both.mean() > 0.8, both.mean()
    gap = np.linalg.norm(np.nanmean(_hips(main[0]), axis=0) - np.nanmean(_hips(main[1]), axis=0))
    assert gap > 100  # two people, not one found twice


def _frames(path, every=1, limit=None):
    cap = cv2.VideoCapture(str(path))
    out = []
    while True:
        ok, frame = cap.read()
        if not ok or (limit and len(out) >= limit * every):
            break
        out.append(frame)
    cap.release()
    return out[::every]




@pytest.mark.slow
def test_two_real_clips_side_by_side_each_person_scores_best_against_their_own(tmp_path, capsys):
    """A scene made of two real clips side by side: the Pose2Sim man on his platform (left) and the Sports2D
    demo (right: the woman walking, the man on the box). Everyone is scored against each clip; the man on the
    platform is closest to his own clip and the walking woman to hers."""
    man = _frames(pose2sim_video("SinglePerson", 1), every=2)  # 60 fps -> 30 fps, 50 frames
    man = (man + man[::-1]) * 2  # there and back: 200 frames
    walk = _frames(demo_video())[20:220]
    height = 540
    man = [cv2.resize(f, (int(f.shape[1] * height / f.shape[0]) // 2 * 2, height)) for f in man]
    walk = [cv2.resize(f, (int(f.shape[1] * height / f.shape[0]) // 2 * 2, height)) for f in walk]
    scene = write_video(tmp_path / "scene.mp4", [np.hstack([a, b]) for a, b in zip(man, walk)])
    own_man = write_video(tmp_path / "man.mp4", man)
    own_walk = tmp_path / "walk.json"
    assert run(["extract", str(demo_video()), "-o", str(own_walk), "--person", "1"], capsys)[0] == 0
    results = {}
    for name, reference in (("man", own_man), ("walk", own_walk)):
        code, out, err = run(["compare", str(reference), str(scene), "--person", "auto,all", "--json"], capsys)
        assert code == 0, err
        results[name] = {p["person"]: p for p in json.loads(out)["people"]}
    people = load_people(scene)
    left = man[0].shape[1]

    def where(ident):
        x = _hips(people[ident])[:, 0]
        return np.nanmedian(x)

    scored = [i for i in people if "similarity" in results["man"][i]]
    on_platform = [i for i in scored if where(i) < left]
    walker = max((i for i in scored if where(i) > left), key=lambda i: np.nanstd(_hips(people[i])[:, 0]))
    assert len(on_platform) == 1, [(i, where(i)) for i in scored]
    p = on_platform[0]
    assert results["man"][p]["similarity"] > results["walk"][p]["similarity"], (results["man"][p], results["walk"][p])
    assert results["walk"][walker]["similarity"] > results["man"][walker]["similarity"]
    assert results["man"][p]["similarity"] == max(results["man"][i]["similarity"] for i in scored)
    assert results["walk"][walker]["similarity"] == max(results["walk"][i]["similarity"] for i in scored)


def test_everyone_is_cached_apart_from_one_person(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MOTIONSIM_CACHE_DIR", str(tmp_path / "cache"))
    video = pose2sim_video("MultiPerson", 2)
    one = load_pose(video)
    assert len(list(pose_cache.cache_dir().glob("*.npz"))) == 1
    everyone = load_people(video)
    assert len(list(pose_cache.cache_dir().glob("*.npz"))) == 2  # its own entry, not the one person's

    def no_estimation(*args, **kwargs):
        raise AssertionError("pose estimation ran although everyone is cached")

    monkeypatch.setattr(everyone_module, "extract_people", no_estimation)
    again = load_people(video)
    assert sorted(again) == sorted(everyone) and all(s.meta.get("cache") == "hit" for s in again.values())
    for k in everyone:
        np.testing.assert_array_equal(again[k].keypoints, everyone[k].keypoints)
    assert load_pose(video).meta.get("cache") == "hit" and len(one) == 100
    code, out, err = run(["extract", str(video), "-o", str(tmp_path / "all.json"), "--person", "all"], capsys)
    assert code == 0 and "from the cache" in out, err


def test_nobody_in_the_video_is_one_line(tmp_path, capsys):
    black = write_video(tmp_path / "black.mp4", [np.zeros((120, 160, 3), np.uint8)] * 10)
    target = tmp_path / "out.json"
    code, out, err = run(["extract", str(black), "-o", str(target), "--person", "all"], capsys)
    assert code == 2 and err.strip().splitlines() == [f"motionsim: error: {black}: nobody was found in any of "
                                                      f"its 10 frames"], err
    assert not target.exists()


def test_two_videos_one_of_them_everyone_in_a_fresh_process():
    """A whole new process, as a user runs it: the man alone (A) against the multi-person scene (B, everyone),
    the two videos estimated side by side (their first mediapipe imports in two threads once deadlocked).
    The man on the platform scores far above anyone else against his own performance."""
    import subprocess
    import sys

    single, group = pose2sim_video("SinglePerson", 1), pose2sim_video("MultiPerson", 1)
    done = subprocess.run([sys.executable, "-m", "motionsim", "compare", str(single), str(group), "--person",
                           "auto,all", "--json", "--no-cache"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    scores = sorted((p["similarity"] for p in json.loads(done.stdout)["people"] if "similarity" in p), reverse=True)
    assert len(scores) >= 2 and scores[0] > 0.9 and scores[1] < scores[0] - 0.3, scores
