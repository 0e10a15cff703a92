"""The JSON API against the CLI: same result as `compare --json`, progress, history across restarts, delete,
and every bad input refused with the CLI's words."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from web_helpers import LOCAL, upload, wait_for

from helpers import compare_json
from motionsim.cli import main
from motionsim.evaluate.toy import make_motion
from motionsim.io import save_pose
from motionsim.web.app import create_app
from motionsim.web.settings import Settings


def test_compare_wait_returns_exactly_compare_json(client, data_dir):
    response = upload(client, data_dir / "wave.json", data_dir / "kick.json", wait=True, feedback="false")
    assert response.status_code == 200
    assert response.json() == compare_json(str(data_dir / "wave.json"), str(data_dir / "kick.json"))


def test_options_mirror_the_cli(client, data_dir):
    response = upload(client, data_dir / "wave.json", data_dir / "kick.json", wait=True, feedback="false",
                      window=16, stride=4, flip="true")
    expected = compare_json(str(data_dir / "wave.json"), str(data_dir / "kick.json"), "--window", "16", "--stride", "4",
                        "--flip")
    assert response.json() == expected
    assert expected["window"] == 16 and expected["stride"] == 4


def test_job_progress_files_and_history_survive_a_restart(settings, data_dir):
    with TestClient(create_app(settings), base_url=LOCAL) as client:
        created = upload(client, data_dir / "wave.json", data_dir / "kick.json")
        assert created.status_code == 202
        job = wait_for(client, created.json()["id"])
        assert job["status"] == "done", job["error"]
        assert job["progress"] == 1.0 and job["seen_progress"] == sorted(job["seen_progress"])
        assert job["result"] == compare_json(str(data_dir / "wave.json"), str(data_dir / "kick.json"))
        assert job["inputs"]["a"]["name"] == "wave.json" and len(job["inputs"]["a"]["sha256"]) == 64
        assert "path" not in job["inputs"]["a"]  # no server paths in the API
        video = client.get(job["links"]["video"])
        assert video.headers["content-type"] == "video/mp4" and video.content[4:8] == b"ftyp"
        assert b"<html" in client.get(job["links"]["report"]).content[:200].lower()
        assert client.get(job["links"]["json"]).json() == job["result"]
        timeline = client.get(job["links"]["timeline"]).json()
        assert timeline["frames"] == 64 and len(timeline["columns"]) == 64
        assert timeline["moments"] and timeline["colors"]["overall"].startswith("#")
        ranged = client.get(job["links"]["video"], headers={"Range": "bytes=0-99"})  # browsers seek with ranges
        assert ranged.status_code == 206 and len(ranged.content) == 100
    with TestClient(create_app(settings), base_url=LOCAL) as client:  # a new server on the same state folder
        history = client.get("/api/jobs").json()
        assert history["count"] == 1 and history["data"][0]["id"] == job["id"]
        assert history["data"][0]["summary"] == {k: job["result"][k] for k in ("similarity", "body_parts", "flipped")}
        assert history["data"][0]["summary"]["flipped"] is False and history["data"][0]["result"] is None
        assert client.get(f"/api/jobs/{job['id']}").json()["result"] == job["result"]



def test_scores_are_public_while_the_video_is_drawn(settings, data_dir, monkeypatch):
    """A job whose scores exist shows them (and its result and timeline files) while it is still running: the
    feedback video is held here until the job has been looked at. A failure while drawing leaves no link to a
    removed file."""
    import threading

    from motionsim.errors import MotionsimError
    from motionsim.render import feedback

    looked, real = threading.Event(), feedback.write_feedback
    attempts = []

    def held(*args, **kwargs):
        attempts.append(1)
        assert looked.wait(30), "the running job was never looked at"
        if len(attempts) == 2:
            raise MotionsimError("the disk is full")
        return real(*args, **kwargs)

    monkeypatch.setattr(feedback, "write_feedback", held)
    expected = compare_json(str(data_dir / "wave.json"), str(data_dir / "kick.json"))
    with TestClient(create_app(settings), base_url=LOCAL) as client:
        for outcome in ("done", "failed"):
            looked.clear()
            job_id = upload(client, data_dir / "wave.json", data_dir / "kick.json").json()["id"]
            for _ in range(600):  # bounded: 30 s
                job = client.get(f"/api/jobs/{job_id}").json()
                if job["result"] is not None:
                    break
                time.sleep(0.05)
            assert job["status"] == "running" and job["result"] == expected
            assert set(job["links"]) == {"json", "timeline"} and job["summary"]["similarity"] == expected["similarity"]
            assert client.get(job["links"]["json"]).json() == expected
            assert client.get(job["links"]["timeline"]).json()["frames"] == 64
            looked.set()
            job = wait_for(client, job_id)
            assert job["status"] == outcome
            if outcome == "done":
                assert set(job["links"]) == {"json", "timeline", "video", "report"} and job["result"] == expected
            else:
                assert job["error"] == "the disk is full" and job["links"] == {}
                assert not (settings.results_dir / job_id).exists()

def test_delete_removes_row_files_and_unused_uploads(client, settings, data_dir):
    first = upload(client, data_dir / "wave.json", data_dir / "kick.json", wait=True, feedback="false")
    assert first.status_code == 200
    job_id = client.get("/api/jobs").json()["data"][0]["id"]
    uploads = sorted(settings.upload_dir.iterdir())
    assert len(uploads) == 2 and all(p.stem == p.stem.lower() and len(p.stem) == 64 for p in uploads)
    assert client.delete(f"/api/jobs/{job_id}").status_code == 204
    assert client.get(f"/api/jobs/{job_id}").status_code == 404
    assert client.delete(f"/api/jobs/{job_id}").status_code == 404
    assert not (settings.results_dir / job_id).exists() and not list(settings.upload_dir.iterdir())
    assert client.get("/api/jobs").json()["count"] == 0
    assert (data_dir / "wave.json").is_file()  # the user's own files are never touched


def test_pick_from_data_folder(client, data_dir):
    assert client.get("/api/data").json() == {"enabled": True, "files": ["kick.json", "wave.json"]}
    response = client.post("/api/compare?wait=true", data={"a_name": "wave.json", "b_name": "kick.json",
                                                            "feedback": "false"})
    assert response.json() == compare_json(str(data_dir / "wave.json"), str(data_dir / "kick.json"))


@pytest.mark.parametrize("name", ["../outside.json", "/etc/passwd", "sub/../../outside.json", "..\\..\\x.json"])
def test_data_names_cannot_leave_the_data_folder(client, data_dir, name):
    save_pose(make_motion(64), data_dir.parent / "outside.json")
    response = client.post("/api/compare", data={"a_name": name, "b_name": "kick.json"})
    assert response.status_code in (403, 404)
    assert "not inside the data folder" in response.json()["detail"] or "file not found" in response.json()["detail"]
    assert client.get("/api/jobs").json()["count"] == 0


def test_upload_names_are_never_paths(client, settings, data_dir, tmp_path):
    with (data_dir / "wave.json").open("rb") as fa, (data_dir / "kick.json").open("rb") as fb:
        response = client.post("/api/compare?wait=true", data={"feedback": "false"},
                               files={"a": ("../../evil.json", fa), "b": ("/etc/passwd", fb)})
    assert response.status_code == 200
    assert not (tmp_path / "evil.json").exists() and not (settings.state_dir.parent / "evil.json").exists()
    job = client.get("/api/jobs").json()["data"][0]
    assert (job["inputs"]["a"]["name"], job["inputs"]["b"]["name"]) == ("evil.json", "passwd")


def test_wrong_type_is_refused_by_content(client, settings, data_dir, tmp_path):
    fake = tmp_path / "clip.mp4"
    fake.write_bytes(b"\x7fELF" + bytes(2000))  # named like a video, is not one
    response = upload(client, fake, data_dir / "kick.json")
    assert response.status_code == 415
    assert response.json()["detail"].startswith("clip.mp4: not a file motionsim reads (checked by content)")
    assert not list(settings.upload_dir.iterdir())  # nothing left behind
    assert client.get("/api/jobs").json()["count"] == 0


def test_readable_type_with_bad_content_fails_with_the_cli_words(client, settings, data_dir, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"hello": 1}))
    response = upload(client, bad, data_dir / "kick.json", wait=True)
    assert response.status_code == 400
    err = io.StringIO()
    assert main(["compare", str(bad), str(data_dir / "kick.json")], out=err) == 2
    detail = response.json()["detail"]
    assert detail.startswith("bad.json: JSON is not a known pose format")
    job = client.get(f"/api/jobs/{response.json()['job']}").json()
    assert job["status"] == "failed" and job["error"] == detail
    assert not list(settings.upload_dir.iterdir())  # uploads of failed jobs are deleted


def test_too_short_sequence_names_the_cli_problem(client, data_dir, tmp_path):
    short = tmp_path / "short.npy"
    np.save(short, make_motion(10))
    response = upload(client, short, data_dir / "kick.json", wait=True)
    assert response.status_code == 400 and "short.npy" in response.json()["detail"]
    assert "window" in response.json()["detail"]


def test_too_big_upload_is_refused(tmp_path, data_dir):
    settings = Settings(state_dir=tmp_path / "small", data_dir=data_dir, max_upload_mb=1 / 1024)  # 1 KB
    with TestClient(create_app(settings), base_url=LOCAL) as client:
        response = upload(client, data_dir / "wave.json", data_dir / "kick.json")  # each ~10 KB
        assert response.status_code == 413
        assert "larger than the upload limit" in response.json()["detail"]
        huge = client.post("/api/compare", files={"a": ("big.npy", b"\x93NUMPY" + bytes(200_000))})
        assert huge.status_code == 413 and "--max-upload-mb" in huge.json()["detail"]
        assert not list(settings.upload_dir.iterdir())
        assert client.get("/api/jobs").json()["count"] == 0


def test_missing_file_and_bad_options(client, data_dir):
    with (data_dir / "wave.json").open("rb") as fa:
        response = client.post("/api/compare", files={"a": ("wave.json", fa)})
    assert response.status_code == 400
    assert response.json()["detail"] == "no file B: upload one or pick one from the data folder"
    response = client.post("/api/compare", data={"a_name": "nope.json", "b_name": "kick.json"})
    assert response.status_code == 404 and response.json()["detail"] == "nope.json: file not found"
    response = client.post("/api/compare", data={"a_name": "wave.json", "b_name": "kick.json", "window": "30"})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("argument --window: the window must be a multiple of 8")
    response = client.post("/api/compare", data={"a_name": "wave.json", "b_name": "kick.json", "threshold": "2"})
    assert response.json()["detail"] == "argument --threshold: expected a number in [-1, 1], got 2.0"


def test_cross_site_writes_are_refused(client, data_dir):
    response = client.post("/api/compare", data={"a_name": "wave.json", "b_name": "kick.json"},
                           headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403
    response = client.post("/api/compare", data={"a_name": "wave.json", "b_name": "kick.json"},
                           headers={"Origin": "http://evil.example"})
    assert response.status_code == 403
    assert client.get("/api/jobs").json()["count"] == 0


def test_unknown_job_and_page(client):
    assert client.get("/api/jobs/doesnotexist").status_code == 404
    assert client.get("/api/jobs/doesnotexist/feedback.mp4").status_code == 404
    page = client.get("/")
    assert page.status_code == 200 and "compare-form" in page.text
    assert "http://" not in page.text.replace("http://www.w3.org", "") and "https://" not in page.text


def test_docs_are_served_offline(client):
    docs = client.get("/docs")
    assert docs.status_code == 200 and "https://" not in docs.text and "http://" not in docs.text
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert client.get(f"/static/swagger/{asset}").status_code == 200
    schema = client.get("/openapi.json").json()
    assert "/api/compare" in schema["paths"] and "/api/jobs/{job_id}" in schema["paths"]


def test_serve_command_is_registered():
    from motionsim.cli import build_parser

    args = build_parser().parse_args(["serve", "--port", "0", "--data", "."])
    assert args.host == "127.0.0.1" and args.port == 0 and args.max_upload_mb == 500


def test_serve_refuses_a_missing_data_folder(tmp_path, capsys):
    assert main(["serve", "--data", str(tmp_path / "nope"), "--state", str(tmp_path / "s")]) == 2
    assert "--data must be a folder" in capsys.readouterr().err


def test_upload_is_stored_by_content(settings, data_dir):
    from motionsim.web.uploads import InputRejected, UploadLeases, save_upload, sniff

    settings.make_dirs()
    with (data_dir / "wave.json").open("rb") as fh:
        saved = save_upload(fh, "x/y/wave.json", settings.upload_dir, 1 << 20, UploadLeases())
    assert Path(saved["path"]).name == saved["sha256"] + ".json" and saved["name"] == "wave.json"
    cases = {b"\x00\x00\x00\x18ftypisom" + bytes(20): ".mp4", b"\x00\x00\x00\x14ftypqt  " + bytes(20): ".mov",
             b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01webm" + bytes(20): ".webm", b"\x1a\x45\xdf\xa3" + bytes(40): ".mkv",
             b"RIFF\x00\x00\x00\x00AVI LIST": ".avi", b"\x93NUMPY\x01\x00": ".npy", b"t,x,y\n0,1,2\n1,2,3\n": ".csv",
             b'{"annotations": []}': ".json"}
    for i, (head, ext) in enumerate(cases.items()):
        path = settings.state_dir / f"sample{i}"
        path.write_bytes(head)
        assert sniff(path, "f") == ext, head
    path = settings.state_dir / "text"
    path.write_text("just one line of prose")
    with pytest.raises(InputRejected, match="checked by content"):
        sniff(path, "notes.csv")
