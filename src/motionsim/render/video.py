"""The feedback video (the paper's Fig. 11 as a video): A and B side by side, B following A's timeline, both
skeletons coloured by each part's score at that moment; written as browser-playable H.264 with PyAV.

Frames are streamed: each video is decoded forward once and each output frame is encoded as soon as it is
drawn. The file appears at ``out_path`` only when complete (written next to it, then renamed).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from ..atomic import atomic_output
from ..errors import MissingExtraError
from ..pose import PoseSequence
from ..skeleton import BODY_PARTS
from .colors import score_color
from .frames import cv2_module, draw_legend, draw_scores, draw_title
from .panels import Panel
from .timeline import frame_alignment, frame_overall_scores, frame_part_scores, physical_part_scores

DEFAULT_FPS = 30.0
_INSTALL = "pip install 'motionsim[video]'"


def av_module():
    """Import PyAV or say which extra installs it."""
    try:
        import av
    except ImportError as exc:
        raise MissingExtraError(f"writing the feedback video needs PyAV: {_INSTALL}") from exc
    return av


class H264Writer:
    """Encode BGR frames of one size to an mp4 (``libx264``, ``yuv420p``, ``+faststart``), PyAV's encode, mux
    and flush loop. Use as a context manager; ``close()`` flushes the encoder."""

    def __init__(self, path: str | Path, width: int, height: int, fps: float, crf: int = 23) -> None:
        av = av_module()
        if width % 2 or height % 2:
            raise ValueError(f"H.264 in yuv420p needs even sizes, got {width}x{height}")
        self._container = av.open(str(path), mode="w", format="mp4", options={"movflags": "+faststart"})
        self._stream = self._container.add_stream("libx264", rate=Fraction(fps).limit_denominator(1001))
        self._stream.width, self._stream.height, self._stream.pix_fmt = width, height, "yuv420p"
        self._stream.options = {"crf": str(crf), "preset": "veryfast"}
        self._frame_cls = av.VideoFrame

    def write(self, frame_bgr: np.ndarray) -> None:
        frame = self._frame_cls.from_ndarray(np.ascontiguousarray(frame_bgr), format="bgr24")
        for packet in self._stream.encode(frame):
            self._container.mux(packet)

    def close(self, flush: bool = True) -> None:
        if self._container is None:
            return
        try:
            if flush:
                for packet in self._stream.encode():
                    self._container.mux(packet)
        finally:
            self._container.close()
            self._container = None

    def __enter__(self) -> H264Writer:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.close(flush=exc_type is None)


def output_fps(seq_a: PoseSequence, result: Mapping[str, Any] | None = None) -> float:
    """A's frame rate: the sequence's, else the result's ``fps.a``, else 30."""
    fps = seq_a.fps or ((result or {}).get("fps") or {}).get("a")
    return float(fps) if fps and fps > 0 else DEFAULT_FPS


def _ascii(text: str) -> str:
    return text.encode("ascii", "replace").decode("ascii")  # OpenCV's fonts draw ASCII only


def _timeline_strip(overall: np.ndarray, width: int, threshold: float) -> np.ndarray:
    """A 1-pixel-high row of the per-frame overall score colours, stretched to ``width``."""
    cols = np.minimum((np.arange(width) * len(overall)) // max(width, 1), len(overall) - 1)
    return np.array([[score_color(overall[c], threshold) for c in cols]], dtype=np.uint8)


def render_feedback_video(
    seq_a: PoseSequence,
    seq_b: PoseSequence,
    result: Mapping[str, Any],
    out_path: str | Path,
    *,
    video_a: str | Path | None = None,
    video_b: str | Path | None = None,
    threshold: float = 0.4,
    height: int = 480,
    progress: bool | None = None,
    name_a: str = "A",
    name_b: str = "B",
) -> Path:
    """Write the feedback video: one frame per frame of A, at A's fps (30 if unknown).

    Parameters
    ----------
    seq_a, seq_b : the compared poses (pixels of ``video_a`` / ``video_b`` when given)
    result : ``compare(...).to_dict()`` for A against B (with its per-window timeline)
    out_path : the .mp4 to write (its folder must exist); nothing is left there if rendering fails
    video_a, video_b : the original videos; a side without one is drawn on a plain canvas
    threshold : score at which a part turns from red to green (yellow at the threshold)
    height : panel height in pixels (even); each panel's width follows its aspect, made even
    progress : tqdm bar; None shows it only on a terminal
    name_a, name_b : panel titles

    Returns
    -------
    the output path
    """
    cv2 = cv2_module()
    av_module()
    from tqdm.auto import tqdm

    n_a, n_b = len(seq_a), len(seq_b)
    align = frame_alignment(result, n_a, n_b)
    scores = frame_part_scores(result, n_a)
    overall = frame_overall_scores(result, scores)  # the moment's overall score, parts weighted as the result's
    flipped = bool(result.get("flipped", False))
    fps = output_fps(seq_a, result)
    show = sys.stderr.isatty() if progress is None else bool(progress)
    out = Path(out_path)
    with Panel(seq_a, height, video_a) as pa, Panel(seq_b, height, video_b) as pb, atomic_output(out) as tmp:
        gap = 4
        width = pa.width + gap + pb.width
        strip = cv2.resize(_timeline_strip(overall, pa.width, threshold),
                           (pa.width, max(4, pa.height // 60)), interpolation=cv2.INTER_NEAREST)
        title_a = _ascii(f"{name_a}{' (mirrored)' if flipped else ''}")
        with H264Writer(tmp, width, pa.height, fps) as writer, tqdm(
            total=n_a, disable=not show, unit="frame", desc="feedback video"
        ) as bar:
            for i in range(n_a):
                part = {p: float(scores[i, k]) for k, p in enumerate(BODY_PARTS)}
                left, right = pa.background(i), pb.background(int(align[i]))
                draw_scores(left, physical_part_scores(part, flipped), float(overall[i]), threshold,
                            f"{title_a}  {i / fps:.1f}s", show_legend=False)
                _draw_strip(left, strip, i, n_a)
                draw_title(right, _ascii(f"{name_b}  {int(align[i]) / output_fps(seq_b, None):.1f}s"))
                draw_legend(right, threshold)
                # skeletons last: text boxes are shaded, and must never dim a part's colour
                pa.draw_pose_on(left, i, physical_part_scores(part, flipped), threshold)
                pb.draw_pose_on(right, int(align[i]), part, threshold)
                frame = np.zeros((pa.height, width, 3), dtype=np.uint8)
                frame[:, : pa.width] = left
                frame[:, pa.width + gap:] = right
                writer.write(frame)
                bar.update(1)
    return out


def _draw_strip(frame: np.ndarray, strip: np.ndarray, i: int, n: int) -> None:
    """The whole timeline's colours along the bottom edge, with a white marker at frame ``i``."""
    h, w = frame.shape[:2]
    frame[h - strip.shape[0]:, :] = strip
    x = int(round(i * (w - 1) / max(n - 1, 1)))
    frame[h - strip.shape[0] * 2:, max(x - 1, 0): x + 2] = 255


def read_frame(video_path: str | Path, index: int) -> np.ndarray:
    """Frame ``index`` of a video as BGR uint8, shape=(H, W, 3) (the last frame if the video is shorter)."""
    cv2 = cv2_module()
    cap = cv2.VideoCapture(str(video_path))
    try:
        if not cap.isOpened():
            raise FileNotFoundError(f"cannot open video {video_path}")
        count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
        if count > 0:
            index = min(index, count - 1)
        cap.set(cv2.CAP_PROP_POS_FRAMES, max(index, 0))
        ok, frame = cap.read()
        if not ok:
            raise ValueError(f"cannot read frame {index} of {video_path}")
        return frame
    finally:
        cap.release()


def pose_thumbnail(
    seq: PoseSequence,
    index: int,
    part_scores: Mapping[str, float],
    *,
    video: str | Path | None = None,
    threshold: float = 0.4,
    height: int = 240,
) -> np.ndarray:
    """Frame ``index`` (video frame or canvas) with its skeleton coloured by ``part_scores`` (parts as filmed)."""
    with Panel(seq, height, video) as panel:
        return panel.draw(index, part_scores, threshold)


def encode_image(frame_bgr: np.ndarray, ext: str = ".jpg", quality: int = 88) -> bytes:
    """JPEG (or PNG with ``ext=".png"``) bytes of a BGR frame."""
    cv2 = cv2_module()
    params = [cv2.IMWRITE_JPEG_QUALITY, quality] if ext in (".jpg", ".jpeg") else []
    ok, buf = cv2.imencode(ext, frame_bgr, params)
    if not ok:
        raise ValueError(f"cannot encode an image as {ext}")
    return buf.tobytes()
