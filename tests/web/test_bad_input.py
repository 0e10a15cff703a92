"""Hostile but legitimate input (issue 26, findings 2, 4 and 5): every one is a 4xx with one clear line, never
an internal error; memory bombs are refused before they expand; only regular files under the real path of
--data are listed or read (no FIFO, no symlink out of it, symlink loops handled)."""

from __future__ import annotations

import io
import os
import threading
import time
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from web_helpers import LOCAL, upload

from motionsim.evaluate.toy import make_motion
from motionsim.io import save_pose
from motionsim.web.app import create_app
from motionsim.web.settings import Settings


def one_line(response) -> str:
    detail = response.json()["detail"]
    assert isinstance(detail, str) and "\n" not in detail and len(detail) < 400, detail
    assert not detail.startswith("internal error"), detail
    return detail


def npy_header(shape: tuple[int, ...]) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": "<f8", "fortran_order": False, "shape": shape})
    return buf.getvalue()


@pytest.mark.parametrize(("name", "status", "words"), [
    ("a\x00b.json", 400, "a?b.json: not a valid file name (it contains a NUL byte)"),
    ("x" * 300 + ".json", 400, "not a valid file name (a part is longer than 255 bytes)"),
    ("sub/" * 1100 + "a.json", 400, "not a valid file name (longer than 4096 bytes)"),
    ("wave.json/inner.json", 400, "wave.json/inner.json: cannot be opened (Not a directory)"),
])
def test_odd_names_are_bad_input(client, name, status, words):
    response = client.post("/api/compare", data={"a_name": name, "b_name": "kick.json"})
    assert response.status_code == status
    assert words in one_line(response)
    assert client.get("/api/jobs").json()["count"] == 0


@pytest.mark.parametrize("query", ["limit=" + "9" * 30, "limit=10001", "limit=0", "limit=-5", "limit=abc",
                                   "limit=1e3"])
def test_list_limit_out_of_range_is_one_line(client, query):
    response = client.get(f"/api/jobs?{query}")
    assert response.status_code == 422
    assert one_line(response).startswith("query limit: ")


@pytest.mark.parametrize(("field", "value", "words"), [
    ("window", "9" * 5000, "argument --window: expected a positive integer, got '99999"),
    ("window", "8" * 3000, "argument --window: the window must be at most 8192 frames, got 8888"),
    ("window", "1" + "0" * 40, "argument --window: the window must be at most 8192 frames, got 1000"),
    ("window", "8192", "wave.json: has 64 frames, shorter than the window (8192)"),
    ("stride", "-" + "9" * 400, "argument --stride: expected a positive integer, got -9999"),
    ("stride", str(2**63), "argument --stride: the stride must be at most 1,000,000 frames, got 9223372036854775808"),
    ("threshold", "1e400", "argument --threshold: expected a number in [-1, 1], got inf"),
    ("threshold", "nan", "argument --threshold: expected a number in [-1, 1], got nan"),
    ("person", "1," * 100, "argument --person: expected auto, largest, central, an index or two choices"),
    ("person", "9" * 30, "wave.json: no person with id 999999999999999999999999999999"),
    ("flip", "maybe", "body flip: Input should be a valid boolean"),
])
def test_huge_or_odd_options_are_bad_input(client, field, value, words):
    response = client.post("/api/compare?wait=true", data={"a_name": "wave.json", "b_name": "kick.json",
                                                            "feedback": "false", field: value})
    assert 400 <= response.status_code < 500
    assert words in one_line(response)


def test_the_largest_stride_is_a_valid_comparison(client):
    response = client.post("/api/compare?wait=true", data={"a_name": "wave.json", "b_name": "kick.json",
                                                            "stride": "1000000"})
    assert response.status_code == 200 and len(response.json()["windows"]) == 1


def test_deeply_nested_json_upload(client, settings, data_dir):
    response = client.post("/api/compare?wait=true", files={"a": ("deep.json", b"[" * 100_000 + b"]" * 100_000),
                                                            "b": ("kick.json", (data_dir / "kick.json").read_bytes())})
    assert response.status_code == 400
    assert one_line(response) == "deep.json: JSON nested too deeply to be a pose file"
    assert not list(settings.upload_dir.iterdir())


def test_npy_header_claiming_an_impossible_shape(client, data_dir):
    response = client.post("/api/compare?wait=true", files={
        "a": ("huge.npy", npy_header((10**12, 17, 3)) + bytes(100)),
        "b": ("kick.json", (data_dir / "kick.json").read_bytes())})
    assert response.status_code == 400
    assert one_line(response).startswith("huge.npy: header declares shape (1000000000000, 17, 3)")


def bomb(frames: int) -> bytes:
    """A .npz of zeros: (frames, 17, 3) float64 keypoints in a few KB of deflate."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("keypoints.npy", "w") as member:
        member.write(npy_header((frames, 17, 3)))
        member.write(bytes(frames * 17 * 3 * 8))
    return buf.getvalue()


def test_a_small_compressed_bomb_with_a_low_limit(tmp_path, data_dir):
    payload = bomb(50_000)  # 19.5 MB once expanded
    assert len(payload) < 100_000
    settings = Settings(state_dir=tmp_path / "s", data_dir=data_dir, max_input_mb=2)
    with TestClient(create_app(settings), base_url=LOCAL) as client:
        started = time.perf_counter()
        tracemalloc.start()  # every thread: the worker's reading included
        try:
            response = client.post("/api/compare?wait=true", files={"a": ("bomb.npz", payload), "b": (
                "kick.json", (data_dir / "kick.json").read_bytes())})
            peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        finally:
            tracemalloc.stop()
        assert peak < 10  # MB: the 19.5 MB array was never made
        assert response.status_code == 400
        assert one_line(response) == ("bomb.npz: archive would expand to 19.5 MB, more than the reading limit of "
                                      "2 MB (motionsim serve --max-input-mb raises it)")
        assert time.perf_counter() - started < 10
        assert not list(settings.upload_dir.iterdir())
        text = tmp_path / "big.json"
        save_pose(make_motion(6000), text)  # 2.8 MB of JSON text
        response = upload(client, text, data_dir / "kick.json", wait=True)
        assert response.status_code == 400 and "more than the reading limit of 2 MB" in one_line(response)


def test_a_fifo_in_data_is_neither_listed_nor_read(client, data_dir):
    fifo = data_dir / "pipe.json"
    os.mkfifo(fifo)
    assert "pipe.json" not in client.get("/api/data").json()["files"]
    answer: dict = {}
    request = threading.Thread(target=lambda: answer.update(r=client.post(
        "/api/compare", data={"a_name": "pipe.json", "b_name": "kick.json"})))
    request.start()
    request.join(10)
    if request.is_alive():  # a request thread hangs on the pipe: release it, then fail
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        request.join(10)
        pytest.fail("a request on a FIFO hung")
    assert answer["r"].status_code == 400
    assert one_line(answer["r"]) == "pipe.json: not a regular file (a pipe, device or socket is never read)"


def test_symlinks_out_of_data_are_refused_files_and_folders(client, data_dir, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    save_pose(make_motion(64), outside / "secret.json")
    frames = tmp_path / "openpose_out"
    frames.mkdir()
    openpose_frames(frames)
    poses = data_dir / "poses"  # a real folder in --data whose files are symlinks out of it
    poses.mkdir()
    for f in frames.iterdir():
        (poses / f.name).symlink_to(f)
    (data_dir / "linked").symlink_to(outside, target_is_directory=True)  # a symlinked folder
    (data_dir / "link.json").symlink_to(outside / "secret.json")
    listed = client.get("/api/data").json()["files"]
    assert listed == ["kick.json", "wave.json"]
    for name, words in (("poses", "poses/c_000000000000_keypoints.json: not a regular file inside the data folder"),
                        ("linked/secret.json", "linked/secret.json: not inside the data folder"),
                        ("link.json", "link.json: not inside the data folder")):
        response = client.post("/api/compare", data={"a_name": name, "b_name": "kick.json"})
        assert response.status_code == 403, name
        assert one_line(response) == words
    assert client.get("/api/jobs").json()["count"] == 0


def openpose_frames(folder: Path, n: int = 40) -> None:
    rng = np.random.default_rng(0)
    for t in range(n):
        keypoints = np.column_stack([rng.uniform(100, 300, (25, 2)), np.full(25, 0.9)]).ravel().tolist()
        (folder / f"c_{t:012d}_keypoints.json").write_text('{"people": [{"pose_keypoints_2d": ' + str(keypoints)
                                                           + "}]}")


def test_an_openpose_folder_inside_data_is_read(client, data_dir):
    poses = data_dir / "poses"
    poses.mkdir()
    openpose_frames(poses)
    response = client.post("/api/compare?wait=true", data={"a_name": "poses", "b_name": "kick.json",
                                                            "feedback": "false"})
    assert response.status_code == 200, response.text
    empty = data_dir / "empty"
    empty.mkdir()
    response = client.post("/api/compare", data={"a_name": "empty", "b_name": "kick.json"})
    assert response.status_code == 400
    assert one_line(response) == "empty: a folder without OpenPose '*_keypoints.json' files"


def test_a_symlink_loop_in_data(client, data_dir):
    (data_dir / "loop1").symlink_to(data_dir / "loop2")
    (data_dir / "loop2").symlink_to(data_dir / "loop1")
    (data_dir / "dirloop").mkdir()
    (data_dir / "dirloop" / "up.json").symlink_to(data_dir / "dirloop" / "up.json")
    assert client.get("/api/data").json() == {"enabled": True, "files": ["kick.json", "wave.json"]}
    for name in ("loop1", "loop1/x.json", "dirloop/up.json"):
        response = client.post("/api/compare", data={"a_name": name, "b_name": "kick.json"})
        assert response.status_code == 400, name
        assert "cannot be opened (Too many levels of symbolic links)" in one_line(response)


def test_detection_and_hashing_read_a_bounded_amount(tmp_path):
    """Type detection reads SNIFF_BYTES of a file, whatever its size; hashing a --data file streams it."""
    from motionsim.web import uploads

    data = tmp_path / "d"
    data.mkdir()
    big = data / "big.json"
    with big.open("wb") as fh:
        fh.write(b"[" + b"1," * (8 * 1024 * 1024) + b"1]")  # 16 MB of JSON
    peaks = {}
    for name, run in (("sniff", lambda: uploads.sniff(big, "big.json")),
                      ("pick", lambda: uploads.resolve_data("big.json", data))):
        tracemalloc.start()
        try:
            result = run()
            peaks[name] = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        finally:
            tracemalloc.stop()
        assert result == ".json" if name == "sniff" else len(result["sha256"]) == 64
    assert peaks["sniff"] < 0.5 and peaks["pick"] < 3, peaks  # MB, for a 16 MB file
