"""`motionsim live` on real video (the Sports2D demo, scaled to 640x360, MediaPipe): the streamed lines, the
--out JSON against `compare` of the same two files, the feedback video and report, Ctrl-C, bad sources."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from helpers import demo_video, make_motion
from helpers import run_cli as run

cv2 = pytest.importorskip("cv2")
pytest.importorskip("mediapipe")
av = pytest.importorskip("av")

LINE_KEYS = {"time", "frame", "reference_frame", "similarity", "body_parts", "latency_ms"}
PARTS = {"right_arm", "left_arm", "right_leg", "left_leg", "torso"}


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> dict[str, Path]:
    """The demo (230 frames, 30 fps) at 640x360, and its mirror image."""
    tmp = tmp_path_factory.mktemp("live_cli")
    cap = cv2.VideoCapture(str(demo_video()))
    paths = {"demo": tmp / "demo.mp4", "mirror": tmp / "mirror.mp4"}
    writers = {k: cv2.VideoWriter(str(p), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, (640, 360)) for k, p in paths.items()}
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        small = cv2.resize(frame, (640, 360), interpolation=cv2.INTER_AREA)
        writers["demo"].write(small)
        writers["mirror"].write(np.ascontiguousarray(small[:, ::-1]))
    for w in writers.values():
        w.release()
    cap.release()
    return paths


def _lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


@pytest.mark.slow
def test_a_take_of_the_reference_itself_is_its_compare(clips, tmp_path, capsys):
    demo = str(clips["demo"])
    outputs = [tmp_path / "take.json", tmp_path / "take.mp4", tmp_path / "take.html"]
    code, out, err = run(["live", demo, "--source", demo, "--json-lines", "--out", str(outputs[0]),
                          "--video", str(outputs[1]), "--report", str(outputs[2])], capsys)
    assert code == 0, err
    assert all(f"wrote {p}" in err for p in outputs)
    lines = _lines(out)  # nothing but the JSON lines on stdout
    assert len(lines) > 150 and all(LINE_KEYS <= set(line) and set(line["body_parts"]) == PARTS for line in lines)
    frames = [line["frame"] for line in lines]
    assert frames == sorted(set(frames)) and frames[-1] == 229
    assert all(line["time"] == pytest.approx(line["frame"] / 30.0, abs=1e-3) for line in lines)
    assert all(line["latency_ms"] > 0 for line in lines)
    assert np.mean([line["similarity"] for line in lines]) > 0.97  # the same motion, frame for frame
    assert np.median([line["frame"] - line["reference_frame"] for line in lines]) == 0
    take = json.loads(outputs[0].read_text())
    code, out, err = run(["compare", demo, demo, "--flip", "--json"], capsys)
    assert code == 0, err
    expected = json.loads(out)
    assert list(take) == [*expected, "live"]
    # every frame processed: the take's poses are MediaPipe's poses of the same frames, so the same numbers
    assert take["similarity"] == pytest.approx(expected["similarity"], abs=1e-4)
    assert take["frames"] == expected["frames"] == {"a": 230, "b": 230}
    live = take["live"]
    assert (live["frames"], live["processed"], live["dropped"]) == (230, 230, 0)
    assert live["scored"] == len(lines) and 0 < live["latency_ms"]["p50"] <= live["latency_ms"]["p95"]
    with av.open(str(outputs[1])) as container:
        assert sum(1 for _ in container.decode(video=0)) == 230
    assert "data:video/mp4;base64," in outputs[2].read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_mirrored_take_is_scored_mirrored_and_close_to_compare(clips, tmp_path, capsys):
    """Tolerance (docs/live.md): the streamed moments take each part's best match within the lag range; compare's
    windows follow one DTW path per part on a stride-8 grid, so the stream runs a few hundredths higher on average
    and most windows agree within a few hundredths."""
    code, out, err = run(["live", str(clips["demo"]), "--source", str(clips["mirror"]), "--json-lines",
                          "--out", str(tmp_path / "m.json")], capsys)
    assert code == 0, err
    lines, take = _lines(out), json.loads((tmp_path / "m.json").read_text())
    assert take["flipped"] and np.mean([line["flipped"] for line in lines]) > 0.9
    streamed = np.mean([line["similarity"] for line in lines])
    assert take["similarity"] - 0.02 < streamed < take["similarity"] + 0.08
    windows = {w["start_frame"]: w for w in take["windows"]}
    diff = [line["similarity"] - windows[line["frame"] - 31]["similarity"] for line in lines
            if line["frame"] - 31 in windows]
    assert len(diff) > 15 and np.median(np.abs(diff)) < 0.03


@pytest.mark.slow
def test_ctrl_c_ends_a_realtime_take_and_writes_its_outputs(clips, tmp_path):
    reference = tmp_path / "reference.json"
    assert subprocess.run([sys.executable, "-m", "motionsim", "extract", str(clips["demo"]), "-o", str(reference)],
                          capture_output=True).returncode == 0
    out = tmp_path / "take.json"
    proc = subprocess.Popen([sys.executable, "-m", "motionsim", "live", str(reference), "--source",
                             str(clips["demo"]), "--realtime", "--json-lines", "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        first = proc.stdout.readline()  # the first score: the take is under way
        assert LINE_KEYS <= set(json.loads(first))
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        rest, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert "ended by Ctrl-C" in err and "Traceback" not in err
    take = json.loads(out.read_text())
    assert take["live"]["interrupted"] and take["live"]["frames"] < 230
    assert take["frames"]["a"] <= take["live"]["frames"]
    assert len(_lines(first + rest)) == take["live"]["scored"]


def test_bad_sources_exit_2_with_one_line(tmp_path, capsys):
    reference = tmp_path / "ref.npy"
    np.save(reference, make_motion(48))
    (tmp_path / "notes.mp4").write_text("not a video")
    cases = {"7": "camera 7: cannot be opened", str(tmp_path / "missing.mp4"): "file not found",
             str(tmp_path / "notes.mp4"): "cannot be opened as a video"}
    for source, message in cases.items():
        code, out, err = run(["live", str(reference), "--source", source], capsys)
        assert code == 2 and out == "" and message in err
        assert err.count("\n") == 1 and err.startswith("motionsim: error:")


def test_a_bad_source_is_one_line_on_the_terminal(tmp_path):
    """OpenCV's and FFmpeg's own complaints go to file descriptor 2: the user sees our line only."""
    reference = tmp_path / "ref.npy"
    np.save(reference, make_motion(48))
    (tmp_path / "notes.mp4").write_text("not a video")
    for source, line in (("5", "camera 5: cannot be opened (no such camera, or it is busy)"),
                         (str(tmp_path / "notes.mp4"), f"{tmp_path / 'notes.mp4'}: cannot be opened as a video")):
        done = subprocess.run([sys.executable, "-m", "motionsim", "live", str(reference), "--source", source],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 2 and done.stdout == ""
        assert done.stderr.startswith(f"motionsim: error: {line}") and done.stderr.count("\n") == 1, done.stderr


def test_nobody_in_view_exits_2(tmp_path, capsys):
    reference = tmp_path / "ref.npy"
    np.save(reference, make_motion(48))
    empty = tmp_path / "empty.mp4"
    writer = cv2.VideoWriter(str(empty), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, (160, 120))
    for _ in range(20):
        writer.write(np.full((120, 160, 3), 40, np.uint8))
    writer.release()
    code, out, err = run(["live", str(reference), "--source", str(empty), "--out", str(tmp_path / "t.json")], capsys)
    assert code == 2 and "nobody was seen in any of its 20 frames" in err and err.count("\n") == 1
    assert not (tmp_path / "t.json").exists()


def test_output_names_are_checked_before_the_take(tmp_path, capsys):
    reference = tmp_path / "ref.npy"
    np.save(reference, make_motion(48))
    code, _, err = run(["live", str(reference), "--source", "7", "--video", str(tmp_path / "v.avi")], capsys)
    assert code == 2 and "expected a .mp4 file name" in err
