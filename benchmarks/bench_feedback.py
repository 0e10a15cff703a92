"""Two videos to feedback, as a user runs it: ``motionsim -v compare A.mp4 B.mp4 --video fb.mp4 --report fb.html``
in a fresh process with an empty pose cache, timed end to end and to the scores (the table is printed before the
feedback is drawn), with its own split (poses, scoring, rendering) from the ``-v`` log, its CPU seconds and its
peak memory.

Inputs, written once to ``benchmarks/.cache/`` (git-ignored) from the real Sports2D demo clip (``pip install
--no-deps sports2d==0.8.34``):
- ``issue``: the clip looped four times at its own 1768x994, 30 fps (30.7 s), and B its mirror image (so the pose
  cache cannot help): the measurement of issue 23;
- ``1080p``: 900 frames ping-ponging at 1920x1080, B starting 1.5 s later; ``720p``: the same at 1280x720;
- ``60fps``: the ``issue`` pair at 60 fps (each frame twice): estimated at 30 fps, it should cost about what
  ``issue`` costs.

Targets (issue 23): real-time factor (wall time / the videos' length) <= 1.0, 0.5 the aim; peak memory < 2 GB.
On a 2-core machine shared with other work the wall time is not meaningful: the CPU seconds are steadier, and
the load average is printed.

    .venv/bin/python benchmarks/bench_feedback.py [--inputs issue 1080p 720p 60fps] [--runs 1]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

CACHE = Path(__file__).parent / ".cache"
MOTIONSIM = str(Path(sys.executable).parent / "motionsim")
DEMO_FRAMES = 230  # frames of the Sports2D demo clip (1768x994, 30 fps)


def demo_clip() -> Path:
    spec = importlib.util.find_spec("Sports2D")
    if spec is None or spec.origin is None:
        raise SystemExit("needs the demo video: pip install --no-deps sports2d==0.8.34")
    return Path(spec.origin).parent / "Demo" / "demo.mp4"


def demo_frames() -> list[np.ndarray]:
    """Every frame of the Sports2D demo clip (BGR, 1768x994)."""
    import cv2

    cap = cv2.VideoCapture(str(demo_clip()))
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    cap.release()
    return frames


def _frames(size: tuple[int, int] | None) -> list[np.ndarray]:
    import cv2

    frames = demo_frames()
    return frames if size is None else [cv2.resize(f, size, interpolation=cv2.INTER_CUBIC) for f in frames]


def _write(path: Path, frames, fps: int) -> Path:
    import av

    CACHE.mkdir(exist_ok=True)
    h, w = frames[0].shape[:2]
    with av.open(str(path), mode="w") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        stream.options = {"crf": "20", "preset": "veryfast"}
        for frame in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), format="bgr24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def make_inputs(name: str) -> tuple[Path, Path, float]:
    """(A, B, seconds of video) of an input set, written once. The frames are read only to write the files: a
    child process's peak memory counts what the parent held when it started it."""
    a, b = CACHE / f"feedback_{name}_a.mp4", CACHE / f"feedback_{name}_b.mp4"
    seconds = {"1080p": 30.0, "720p": 30.0, "issue": 4 * DEMO_FRAMES / 30, "60fps": 4 * DEMO_FRAMES / 30}
    if name not in seconds:
        raise SystemExit(f"unknown input set {name!r}")
    if a.is_file() and b.is_file():
        return a, b, seconds[name]
    if name in ("1080p", "720p"):
        frames = _frames((1920, 1080) if name == "1080p" else (1280, 720))
        order = np.r_[np.arange(len(frames)), np.arange(len(frames) - 2, 0, -1)]
        _write(a, [frames[order[i % len(order)]] for i in range(900)], 30)
        _write(b, [frames[order[(i + 45) % len(order)]] for i in range(900)], 30)
        return a, b, seconds[name]
    looped = _frames(None) * 4
    assert len(looped) == 4 * DEMO_FRAMES
    repeat, rate = (1, 30) if name == "issue" else (2, 60)
    _write(a, [f for f in looped for _ in range(repeat)], rate)
    _write(b, [f[:, ::-1] for f in looped for _ in range(repeat)], rate)
    return a, b, seconds[name]


def run(a: Path, b: Path) -> dict:
    """One ``compare --video --report`` in a fresh process with an empty pose cache; its own CPU time and peak
    memory (`os.wait4`: the rusage of that child alone, not the maximum over every child so far)."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "MOTIONSIM_CACHE_DIR": str(Path(tmp) / "cache")}
        t0 = time.perf_counter()
        with open(f"{tmp}/err.txt", "w") as err:
            child = subprocess.Popen([MOTIONSIM, "-v", "compare", str(a), str(b), "--video", f"{tmp}/fb.mp4",
                                      "--report", f"{tmp}/fb.html"], stdout=subprocess.PIPE, stderr=err, env=env,
                                     text=True)
            lines = [(time.perf_counter() - t0, line) for line in child.stdout]  # the table comes first
            _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - t0
        log, stdout = Path(f"{tmp}/err.txt").read_text(), "".join(line for _, line in lines)
        if os.waitstatus_to_exitcode(status):
            raise SystemExit(log)
        split = {k: float(v) for k, v in re.findall(r"(poses|scoring|rendering) ([0-9.]+) s", log)}
        similarity = float(re.search(r"overall\s+([+-][0-9.]+)", stdout).group(1))
        return {"wall": wall, "scores_at": lines[0][0], "cpu": usage.ru_utime + usage.ru_stime,
                "peak_mb": usage.ru_maxrss / 1024, "split": split, "similarity": similarity,
                "video_mb": Path(f"{tmp}/fb.mp4").stat().st_size / 1e6,
                "report_mb": Path(f"{tmp}/fb.html").stat().st_size / 1e6}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--inputs", nargs="+", default=["issue", "1080p", "720p", "60fps"])
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs; motionsim -v compare A B --video --report, empty pose cache")
    for name in args.inputs:
        a, b, seconds = make_inputs(name)
        for _ in range(args.runs):
            load = os.getloadavg()[0]
            r = run(a, b)
            split = ", ".join(f"{k} {v:.1f} s" for k, v in r["split"].items())
            print(f"{name:>6}: {r['wall']:5.1f} s for {seconds:.1f} s of video = real-time factor "
                  f"{r['wall'] / seconds:.2f} (the scores at {r['scores_at']:.1f} s: "
                  f"{r['scores_at'] / seconds:.2f}); CPU {r['cpu']:.1f} s; {split}; peak RSS {r['peak_mb']:,.0f} MB; "
                  f"video {r['video_mb']:.1f} MB, report {r['report_mb']:.1f} MB; overall {r['similarity']:+.3f}; "
                  f"load average {load:.1f} before")


if __name__ == "__main__":
    main()
