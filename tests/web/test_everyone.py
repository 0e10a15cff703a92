"""The web service's "everyone" option: everyone in one input scored against the other, exactly as
``motionsim compare A B --person auto,all --json``; the group's video and report; the history's summary."""

from __future__ import annotations

import numpy as np
import pytest
from web_helpers import upload, wait_for

from helpers import compare_json
from motionsim.evaluate.toy import make_motion
from motionsim.io import save_pose
from motionsim.pose import PoseSequence


@pytest.fixture
def group(tmp_path):
    """A keypoint file of three people (object ids 2, 5, 8): a wave, a kick, and someone seen for 8 frames."""
    n = 72
    short = np.zeros((n, 17), np.float32)
    short[20:28] = 1
    people = {2: PoseSequence(make_motion(n, seed=3, kind="wave") - [400, 0], np.ones((n, 17)), fps=30.0),
              5: PoseSequence(make_motion(n, seed=4, kind="kick") + [400, 0], np.ones((n, 17)), fps=30.0),
              8: PoseSequence(make_motion(n, seed=5, kind="still"), short, fps=30.0)}
    return save_pose(people, tmp_path / "group.json")


@pytest.mark.parametrize(("fields", "person"), [({"everyone": "b"}, "auto,all"), ({"person": "auto,all"}, "auto,all")])
def test_everyone_in_b_is_compare_people_json(client, data_dir, group, fields, person):
    response = upload(client, data_dir / "wave.json", group, wait=True, feedback="false", **fields)
    assert response.status_code == 200, response.text
    assert response.json() == compare_json(str(data_dir / "wave.json"), str(group), "--person", person)
    assert [p["person"] for p in response.json()["people"]] == [2, 5, 8]


def test_everyone_in_a_with_its_video_report_and_summary(client, data_dir, group):
    created = upload(client, group, data_dir / "kick.json", everyone="a", flip="true")
    assert created.status_code == 202, created.text
    job = wait_for(client, created.json()["id"])
    assert job["status"] == "done", job["error"]
    assert job["options"]["person"] == "all,auto"
    expected = compare_json(str(group), str(data_dir / "kick.json"), "--person", "all,auto", "--flip")
    assert job["result"] == expected
    best = max((p for p in expected["people"] if "similarity" in p), key=lambda p: p["similarity"])
    assert job["summary"]["person"] == best["person"] and job["summary"]["similarity"] == best["similarity"]
    assert job["summary"]["people"] == 3
    video = client.get(job["links"]["video"])
    assert video.headers["content-type"] == "video/mp4" and video.content[4:8] == b"ftyp"
    report = client.get(job["links"]["report"]).text
    assert 'data-person="8"' in report and "fewer than one window" in report
    assert "timeline" not in job["links"]  # each person's timeline is in the report
    listed = client.get("/api/jobs").json()["data"][0]
    assert listed["id"] == job["id"] and listed["status"] == "done"


@pytest.mark.parametrize(("fields", "words"), [
    ({"everyone": "c"}, "everyone: expected a or b"),
    ({"everyone": "a", "person": "auto,all"}, "choose everyone once"),
    ({"person": "all,all"}, "'all' (everyone) may be the choice of one input only"),
])
def test_bad_everyone_is_refused_in_one_line(client, data_dir, group, fields, words):
    response = upload(client, data_dir / "wave.json", group, wait=True, feedback="false", **fields)
    assert 400 <= response.status_code < 500 and words in response.json()["detail"], response.text
