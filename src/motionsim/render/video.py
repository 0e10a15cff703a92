"""The feedback video (the paper's Fig. 11 as a video): A and B side by side, B following A's timeline, both
skeletons coloured by each part's score at that moment; written as browser-playable H.264 with PyAV.

Frames are streamed: each video is decoded forward once and each output frame is encoded as soon as it is
drawn. The file appears at ``out_path`` only when complete (written next to it, then renamed).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from ..atomic import atomic_output
from ..errors import MissingExtraError
from ..pose import PoseSequence
from ..resample import MODEL_FPS, model_rate_frames
from ..skeleton import BODY_PARTS
from .backgrounds import PANEL_HEIGHT, FrameStore
from .colors import score_color
from .frames import cv2_module, draw_legend, draw_pose, draw_scores, draw_title
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


#: x264 settings of the feedback video: veryfast at crf 23 with the diamond motion search and the cheapest
#: sub-pixel refinement (``X264_PARAMS``), the encoder being the slowest stage of the render: 27 % less CPU than
#: plain veryfast (render of 30 s at 1712x480: 8.7-10.4 -> 6.8-7.1 s), a file 8-13 % larger (6-7 MB) and
#: 0.7 dB lower PSNR; superfast at crf 26 is faster still but 0.5 dB worse and 30 % larger, and the report embeds
#: the file (docs/feedback.md has the measurements).
PRESET, CRF, X264_PARAMS = "veryfast", 23, "me=dia:subme=1"


class H264Writer:
    """Encode BGR frames of one size to an mp4 (``libx264``, ``yuv420p``, ``+faststart``). The conversion to
    YUV 4:2:0 (opencv: 0.8 ms a frame, against PyAV's 2.3 ms) and the encoding run in a background thread,
    beside the drawing (PyAV releases the GIL while encoding). Use as a context manager; ``close()`` flushes
    the encoder and raises what the thread raised."""

    def __init__(self, path: str | Path, width: int, height: int, fps: float, crf: int = CRF,
                 preset: str = PRESET, queue_size: int = 8) -> None:
        import queue
        import threading

        av = av_module()
        if width % 2 or height % 2:
            raise ValueError(f"H.264 in yuv420p needs even sizes, got {width}x{height}")
        self._container = av.open(str(path), mode="w", format="mp4", options={"movflags": "+faststart"})
        self._stream = self._container.add_stream("libx264", rate=Fraction(fps).limit_denominator(1001))
        self._stream.width, self._stream.height, self._stream.pix_fmt = width, height, "yuv420p"
        self._stream.options = {"crf": str(crf), "preset": preset, "x264-params": X264_PARAMS}
        self._frame_cls = av.VideoFrame
        self._queue: queue.Queue = queue.Queue(maxsize=queue_size)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._encode, name="motionsim-encode", daemon=True)
        self._thread.start()

    def _encode(self) -> None:
        cv2 = cv2_module()
        try:
            while (frame := self._queue.get()) is not None:
                if self._error is None:
                    yuv = cv2.cvtColor(frame, cv2.COLOR_BGR2YUV_I420)
                    for packet in self._stream.encode(self._frame_cls.from_ndarray(yuv, format="yuv420p")):
                        self._container.mux(packet)
        except BaseException as exc:  # noqa: BLE001 - handed to the writing thread by write()/close()
            self._error = exc
            while self._queue.get() is not None:  # let write() and close() through
                pass

    def write(self, frame_bgr: np.ndarray) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(np.ascontiguousarray(frame_bgr))

    def close(self, flush: bool = True) -> None:
        if self._container is None:
            return
        self._queue.put(None)
        self._thread.join()
        try:
            if flush and self._error is None:
                for packet in self._stream.encode():
                    self._container.mux(packet)
        finally:
            self._container.close()
            self._container = None
        if self._error is not None and flush:
            raise self._error

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
    height: int = PANEL_HEIGHT,
    progress: bool | None = None,
    name_a: str = "A",
    name_b: str = "B",
    frames_a: FrameStore | None = None,
    frames_b: FrameStore | None = None,
    backgrounds: dict[tuple[str, int], Background] | None = None,
) -> Path:
    """Write the feedback video: one frame per frame of A, at A's fps (30 if unknown); above 30 fps, A's frames
    at the 30 fps instants (those whose poses were estimated: `resample.model_rate_frames`) at 30 fps, so a
    60 fps video costs the drawing and encoding of a 30 fps one and every skeleton is its own frame's.

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
    frames_a, frames_b : the videos' frames kept at ``height`` while their poses were estimated
        (`backgrounds.FrameStore`): drawn on instead of decoding the videos again, when complete
    backgrounds : ``{("a" | "b", frame): None}`` of frames whose video background to keep, filled in with a
        `Background` each (the report's thumbnails come from this pass instead of seeking in the videos)

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
    shown = model_rate_frames(n_a, fps)  # above 30 fps, the frames whose poses were estimated
    shown = np.arange(n_a) if shown is None else shown
    show = sys.stderr.isatty() if progress is None else bool(progress)
    out = Path(out_path)
    wanted = backgrounds if backgrounds is not None else {}
    with (Panel(seq_a, height, video_a, frames_a) as pa, Panel(seq_b, height, video_b, frames_b) as pb,
          atomic_output(out) as tmp):
        gap = 4
        width = pa.width + gap + pb.width
        strip = cv2.resize(_timeline_strip(overall, pa.width, threshold),
                           (pa.width, max(4, pa.height // 60)), interpolation=cv2.INTER_NEAREST)
        title_a = _ascii(f"{name_a}{' (mirrored)' if flipped else ''}")
        out_fps = MODEL_FPS if len(shown) < n_a else fps
        with H264Writer(tmp, width, pa.height, out_fps) as writer, tqdm(
            total=len(shown), disable=not show, unit="frame", desc="feedback video"
        ) as bar:
            for n, i in enumerate(shown.tolist()):
                part = {p: float(scores[i, k]) for k, p in enumerate(BODY_PARTS)}
                left, right = pa.background(i), pb.background(int(align[i]))
                until = int(shown[n + 1]) if n + 1 < len(shown) else n_a
                _keep_backgrounds(wanted, pa, pb, align, range(i, until), left, right)
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


def _keep_backgrounds(wanted: dict[tuple[str, int], Background | None], pa: Panel, pb: Panel, align: np.ndarray,
                      frames_a: range, left: np.ndarray, right: np.ndarray) -> None:
    """Fill in the backgrounds ``wanted`` (the report's thumbnails) among A's frames ``frames_a`` (the one shown,
    ``left`` beside ``right``, and those skipped until the next one shown) and their matches in B. A skipped
    frame is read from its panel: forward, so a panel that decodes its video never seeks."""
    for j in frames_a:
        for side, panel, index, shown in (("a", pa, j, frames_a[0]), ("b", pb, int(align[j]), int(align[frames_a[0]]))):
            if (side, index) in wanted and wanted[side, index] is None and panel.is_video:
                image = (left if side == "a" else right) if index == shown else panel.background(index)
                wanted[side, index] = Background(image.copy(), panel.points(index) / panel.height)


def _draw_strip(frame: np.ndarray, strip: np.ndarray, i: int, n: int) -> None:
    """The whole timeline's colours along the bottom edge, with a white marker at frame ``i``."""
    h, w = frame.shape[:2]
    frame[h - strip.shape[0]:, :] = strip
    x = int(round(i * (w - 1) / max(n - 1, 1)))
    frame[h - strip.shape[0] * 2:, max(x - 1, 0): x + 2] = 255


@dataclass(frozen=True)
class Background:
    """A video frame as a panel showed it (before drawing), and where the keypoints of that frame fall on it,
    in units of the panel's height (so any size of the image can be drawn on)."""

    image: np.ndarray
    points: np.ndarray  # (17, 2) keypoints / panel height

    def thumbnail(self, seq: PoseSequence, index: int, part_scores: Mapping[str, float], threshold: float = 0.4,
                  height: int = 240) -> np.ndarray:
        """The frame ``height`` pixels high with its skeleton coloured by ``part_scores`` (as filmed)."""
        cv2 = cv2_module()
        h, w = self.image.shape[:2]
        width = max(2, int(round(w * height / h / 2)) * 2)
        frame = cv2.resize(self.image, (width, height), interpolation=cv2.INTER_AREA)
        scores = seq.scores[min(max(index, 0), len(seq) - 1)]
        return draw_pose(frame, self.points * height, scores, part_scores, threshold)


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
