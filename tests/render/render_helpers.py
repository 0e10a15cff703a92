"""Shared inputs of the render tests: one small synthetic comparison (computed once) and tiny videos."""

from __future__ import annotations

import copy
import functools
from pathlib import Path

import numpy as np

from helpers import make_motion
from motionsim import compare
from motionsim.io import as_pose_sequence
from motionsim.pose import PoseSequence

N_A, N_B = 64, 72


@functools.lru_cache(maxsize=1)
def _comparison() -> tuple[np.ndarray, np.ndarray, dict]:
    a = make_motion(N_A, seed=1, kind="wave")
    b = make_motion(N_B, seed=2, kind="kick")
    return a, b, compare(a, b).to_dict()


def comparison(fps: float | None = 30.0) -> tuple[PoseSequence, PoseSequence, dict]:
    """(seq_a: a wave, seq_b: a kick, result dict); right arm and right leg score low, the rest high."""
    a, b, result = _comparison()
    return as_pose_sequence(a.copy(), fps=fps), as_pose_sequence(b.copy(), fps=fps), copy.deepcopy(result)


def to_video_space(seq: PoseSequence, size: tuple[int, int]) -> PoseSequence:
    """The same motion scaled into a ``(width, height)`` frame (make_motion draws around (640, 400))."""
    w, h = size
    kp = (seq.keypoints - np.array([640, 400], np.float32)) * (h / 400) + np.array([w / 2, h / 2], np.float32)
    return PoseSequence(kp, seq.scores.copy(), fps=seq.fps, source=seq.source, meta={"width": w, "height": h})


def write_coded_video(path: Path, n_frames: int, size: tuple[int, int] = (320, 240), channel: int = 0) -> Path:
    """A near-lossless H.264 mp4 (written with PyAV directly) whose frame i is a flat colour with value 3 * i in
    ``channel`` (BGR) and 60 elsewhere, so a decoded pixel tells which frame it came from."""
    import av

    w, h = size
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv444p"
        stream.options = {"qp": "0"}
        for i in range(n_frames):
            frame = np.full((h, w, 3), 60, np.uint8)
            frame[..., channel] = 3 * i
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="bgr24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def decode(path: Path) -> tuple[dict, list[np.ndarray]]:
    """Stream facts and every frame (BGR) of an mp4, decoded with PyAV."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        info = {"codec": stream.codec_context.name, "pix_fmt": stream.codec_context.pix_fmt,
                "width": stream.codec_context.width, "height": stream.codec_context.height,
                "rate": stream.average_rate}
        frames = [f.to_ndarray(format="bgr24") for f in container.decode(stream)]
    return info, frames
