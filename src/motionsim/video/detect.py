"""Find every person in one frame in one pass of a person detector (no landmarks), for following several people.

`MediaPipePoseDetector` runs BlazePose's own person detector, the first stage of MediaPipe Pose, on its own:
MediaPipe 0.10.21's task graph ``PoseDetectorGraph`` with the detector model that ships inside the mediapipe
wheel (``modules/pose_detection/pose_detection.tflite``; the task graph needs the model's input normalisation
written into it as TFLite metadata, which is added in memory when the detector is built; nothing is downloaded).
One pass returns every person the detector sees, where `video.people.find_people` needs one still-image pose
estimation per person plus a greyed-out copy of the frame (about 15 ms of CPU for a pass at 1080p, against
550-870 ms for `find_people` on the same frames: docs/people.md).

Its input is 224x224 pixels, so small people in a wide frame are missed on the whole frame: `REGIONS` adds six
overlapping tiles, and `detect_people` runs the regions it is given and merges what they find.
"""

from __future__ import annotations

import functools
import importlib
import sys
import types
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import MissingExtraError

Box = np.ndarray  # (x0, y0, x1, y1) in pixels

_INSTALL = "pip install 'motionsim[video]'"
#: The expanded region the detector gives is 1.25 times the body (MediaPipe's ROI for its landmark model).
ROI_SCALE = 1.25


def regions(width: int, height: int, tile: float = 0.6) -> list[tuple[int, int, int, int]]:
    """The whole frame, then six overlapping tiles (two full-height halves, four corners), as (x0, y0, x1, y1).

    Examples
    --------
    >>> regions(100, 50)[:3]
    [(0, 0, 100, 50), (0, 0, 60, 50), (40, 0, 100, 50)]
    """
    tw, th = int(width * tile), int(height * tile)
    return [(0, 0, width, height), (0, 0, tw, height), (width - tw, 0, width, height), (0, 0, tw, th),
            (width - tw, 0, width, th), (0, height - th, tw, height), (width - tw, height - th, width, height)]


class _PyplotOnFirstUse(types.ModuleType):
    """Stands in for ``matplotlib.pyplot`` while mediapipe is imported: its drawing helpers import pyplot at the
    top (0.27 s of every process that estimates poses, a third of mediapipe's import) and pose estimation never
    draws with it. Any use imports the real module and forwards to it."""

    def __getattr__(self, name: str) -> Any:
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), name)


def import_mediapipe() -> None:
    """Import the mediapipe modules that the detector and the estimators use, in the calling thread, without
    importing matplotlib.pyplot for them (`_PyplotOnFirstUse`). Two threads importing them for the first time
    at once (two videos estimated side by side, one of them everyone) can deadlock on the import locks;
    `motionsim.io.load_poses` calls this before it starts them, and every estimator before it imports
    mediapipe."""
    stand_in = None
    if "mediapipe" not in sys.modules and "matplotlib.pyplot" not in sys.modules:
        stand_in = sys.modules["matplotlib.pyplot"] = _PyplotOnFirstUse("matplotlib.pyplot")
    try:
        import mediapipe.python.solutions.pose  # noqa: F401
        from mediapipe.python import packet_creator, packet_getter  # noqa: F401
        from mediapipe.tasks.cc.vision.pose_detector.proto import pose_detector_graph_options_pb2  # noqa: F401
        from mediapipe.tasks.python.core import base_options, task_info  # noqa: F401
        from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer  # noqa: F401
        from mediapipe.tasks.python.vision.core import base_vision_task_api, vision_task_running_mode  # noqa: F401
    except ImportError:  # the estimator says what to install when it is built
        return
    finally:
        if stand_in is not None and sys.modules.get("matplotlib.pyplot") is stand_in:
            del sys.modules["matplotlib.pyplot"]  # a later import of pyplot gets the real one


@functools.lru_cache(maxsize=1)
def _detector_model() -> bytes:
    """The wheel's pose detector model with the input normalisation ([-1, 1], as MediaPipe Pose feeds it)
    written in as metadata."""
    import mediapipe as mp
    from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer

    path = Path(mp.__file__).parent / "modules" / "pose_detection" / "pose_detection.tflite"
    writer = metadata_writer.MetadataWriter.create(bytearray(path.read_bytes()))
    writer.add_general_info("pose_detection", "BlazePose person detector from the mediapipe wheel")
    writer.add_image_input(norm_mean=[127.5], norm_std=[127.5])
    return bytes(writer.populate()[0])


class MediaPipePoseDetector:
    """Boxes of every person in an RGB frame: ``detector(frame_rgb) -> list[Box]`` (pixels, x0 y0 x1 y1), each
    the body's extent around the detector's hip centre.

    Parameters
    ----------
    min_detection_confidence : the detector's score threshold
    min_suppression_threshold : overlap above which two detections are one person (non-maximum suppression)
    max_people : the most people one pass returns
    """

    def __init__(self, min_detection_confidence: float = 0.5, min_suppression_threshold: float = 0.3,
                 max_people: int = 10) -> None:
        try:
            from mediapipe.python import packet_creator, packet_getter
            from mediapipe.tasks.cc.vision.pose_detector.proto import pose_detector_graph_options_pb2
            from mediapipe.tasks.python.core import base_options, task_info
            from mediapipe.tasks.python.vision.core import base_vision_task_api, vision_task_running_mode
        except ImportError as exc:
            raise MissingExtraError(f"detecting people needs mediapipe==0.10.21: {_INSTALL}") from exc
        model = _detector_model()

        class _Options:
            def to_pb2(self) -> Any:
                base = base_options.BaseOptions(model_asset_buffer=model).to_pb2()
                base.use_stream_mode = False
                return pose_detector_graph_options_pb2.PoseDetectorGraphOptions(
                    base_options=base, min_detection_confidence=min_detection_confidence,
                    min_suppression_threshold=min_suppression_threshold, num_poses=max_people)

        info = task_info.TaskInfo(
            task_graph="mediapipe.tasks.vision.pose_detector.PoseDetectorGraph",
            input_streams=["IMAGE:image_in", "NORM_RECT:norm_rect_in"],
            output_streams=["EXPANDED_POSE_RECTS:rects", "IMAGE:image_out"], task_options=_Options())
        self._task = base_vision_task_api.BaseVisionTaskApi(
            info.generate_graph_config(), vision_task_running_mode.VisionTaskRunningMode.IMAGE, None)
        self._packets = packet_creator, packet_getter

    def __call__(self, frame_rgb: np.ndarray) -> list[Box]:
        import mediapipe as mp

        creator, getter = self._packets
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(frame_rgb))
        rect = self._task.convert_to_normalized_rect(None, image, roi_allowed=False)
        out = self._task._process_image_data({"image_in": creator.create_image(image),
                                              "norm_rect_in": creator.create_proto(rect.to_pb2())})
        if out["rects"].is_empty():
            return []
        h, w = frame_rgb.shape[:2]
        boxes = []
        for r in getter.get_proto_list(out["rects"]):
            cx, cy = r.x_center * w, r.y_center * h
            half = max(r.width * w, r.height * h) / ROI_SCALE / 2
            boxes.append(np.array([cx - half, cy - half, cx + half, cy + half], dtype=np.float64))
        return boxes

    def close(self) -> None:
        self._task.close()


def centre(box: Box) -> np.ndarray:
    return (np.asarray(box[:2]) + np.asarray(box[2:])) / 2


def size(box: Box) -> float:
    """The box's larger side (at least 1 pixel)."""
    return float(max(box[2] - box[0], box[3] - box[1], 1.0))


def iou(a: Box, b: Box) -> float:
    """Intersection over union of two boxes."""
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return float(inter / union) if union > 0 else 0.0


def same_person(a: Box, b: Box) -> bool:
    """Whether two boxes are one person: close centres (a quarter of the larger box), mostly overlapping
    (intersection over union above 0.5), or one mostly inside the other (70 % of the smaller box: a part of
    the body found as a person)."""
    ca, cb, sa, sb = centre(a), centre(b), size(a), size(b)
    close = np.hypot(*(ca - cb)) < 0.25 * max(sa, sb)
    return bool(close or iou(a, b) > 0.5 or inside(a, b) > 0.7)


def inside(a: Box, b: Box) -> float:
    """The share of the smaller of two boxes that lies inside the other."""
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return float(w * h / smaller) if smaller > 0 else 0.0


def detect_people(frame_rgb: np.ndarray, detector: Callable[[np.ndarray], list[Box]],
                  where: Sequence[tuple[int, int, int, int]] | None = None) -> list[Box]:
    """Every person the detector finds in the regions ``where`` of the frame (default: the frame and its six
    tiles, `regions`), in full-frame pixels, one box per person (the first region's box wins)."""
    h, w = frame_rgb.shape[:2]
    found: list[Box] = []
    for x0, y0, x1, y1 in where if where is not None else regions(w, h):
        for box in detector(np.ascontiguousarray(frame_rgb[y0:y1, x0:x1])):
            box = box + np.array([x0, y0, x0, y0], dtype=np.float64)
            if not any(same_person(box, b) for b in found):
                found.append(box)
    return found
