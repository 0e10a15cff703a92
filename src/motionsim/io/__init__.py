"""Read and write 2D pose files: every reader returns a validated COCO-17 `PoseSequence`.

Formats (``docs/formats.md`` has an example of each):

========== ============================================== ==========================
name       what                                           detected by
========== ============================================== ==========================
coco       NTU refined / COCO-17 keypoint JSON             ``.json`` with annotations
openpose   folder of OpenPose ``*_keypoints.json``         folder contents
mediapipe  MediaPipe-33 landmark dump, JSON or CSV         JSON/CSV structure
npy, npz   COCO-17 arrays (T, 17, 2|3)                     extension
csv        COCO-17 keypoint table                          ``.csv`` header
video      .mp4 .avi .mov .mkv .webm via a pose estimator  extension
========== ============================================== ==========================

The format is found from the extension and the file's own structure, never from a joint count. Keypoint readers
take ``max_bytes``, the reading limit (default `MAX_INPUT_BYTES`): a bigger file, or arrays whose headers declare
more bytes once decompressed, are refused before anything is allocated.
"""

from __future__ import annotations

import contextlib
import csv
import zipfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..errors import MissingExtraError, PoseFormatError
from ..pose import PoseSequence, from_array, people_meta
from . import arrays, coco_json, mediapipe, openpose
from ._common import MAX_INPUT_BYTES, check_size, fail, read_json

__all__ = ["MAX_INPUT_BYTES", "PEOPLE_READERS", "READERS", "VIDEO_EXTENSIONS", "WRITERS", "as_pose_sequence",
           "detect_format", "load_people", "load_pose", "save_pose"]

VIDEO_EXTENSIONS: frozenset[str] = frozenset({".mp4", ".avi", ".mov", ".mkv", ".webm"})

Reader = Callable[..., PoseSequence]


def _read_video(path: Path, *, person: int | str = "auto", cache: bool = True, quiet: bool = True,
                on_frames: Callable[[int, int | None], None] | None = None, estimator: str = "mediapipe",
                keep_frames: Callable[[int, Any], None] | None = None) -> PoseSequence:
    """The one way a video is read: pose estimation through the pose cache (`motionsim.video.load_video`)."""
    from ..video import load_video

    return load_video(path, estimator, person=person, cache=cache, quiet=quiet, on_frames=on_frames,
                      keep_frames=keep_frames)


def _keypoint_person(path: Path, person: int | str) -> int | str:
    """``person`` for a keypoint file: "auto" or an object id (an int, or digits)."""
    if person == "auto" or isinstance(person, int):
        return person
    if str(person).isdigit():
        return int(person)
    raise fail(path, f"person {person!r} chooses among people in a video; for keypoint files give an object id "
                     f"(an integer), auto, or all (everyone)")


#: Format name -> reader ``(path, *, person, max_bytes) -> PoseSequence`` (the video reader takes no ``max_bytes``).
READERS: MappingProxyType[str, Reader] = MappingProxyType({
    "coco": coco_json.read,
    "csv": arrays.read_csv,
    "mediapipe": mediapipe.read,
    "npy": arrays.read_npy,
    "npz": arrays.read_npz,
    "openpose": openpose.read,
    "video": _read_video,
})

#: Format name -> writer ``(seq, path) -> None``.
WRITERS: MappingProxyType[str, Callable[..., None]] = MappingProxyType({
    "coco": coco_json.write,
    "csv": arrays.write_csv,
    "npy": arrays.write_npy,
    "npz": arrays.write_npz,
})

_ALIASES = {"ntu": "coco"}
_WRITE_EXT = {".json": "coco", ".npy": "npy", ".npz": "npz", ".csv": "csv"}


def _json_format(obj: Any, path: Path) -> str:
    if coco_json.looks_like(obj):
        return "coco"
    if openpose.looks_like(obj):
        return "openpose"
    if mediapipe.looks_like(obj):
        return "mediapipe"
    if isinstance(obj, list) and not any(obj):
        raise fail(path, "has zero frames")
    raise fail(path, "JSON is not a known pose format (expected NTU/COCO 'annotations', OpenPose 'people' "
                     "or MediaPipe landmark frames)")


def _csv_format(path: Path, max_bytes: int | None = None) -> str:
    check_size(path, max_bytes)
    with path.open(newline="", encoding="utf-8") as fh:
        header = next((r for r in csv.reader(fh) if any(c.strip() for c in r)), None)
    if header is None:
        raise fail(path, "is empty")
    return "mediapipe" if mediapipe.looks_like_csv(header) else "csv"


def detect_format(path: str | Path, max_bytes: int | None = None) -> str:
    """Name of the format of ``path`` (a key of `READERS`), from its extension and structure (a JSON file is
    parsed, within the reading limit ``max_bytes``).

    Examples
    --------
    >>> detect_format("walk.npz"), detect_format("dance.MP4")
    ('npz', 'video')
    """
    path = Path(path)
    if path.is_dir():
        if openpose.frame_files(path):
            return "openpose"
        raise fail(path, f"folder has no OpenPose '*{openpose.SUFFIX}' files")
    ext = path.suffix.lower()
    if ext in VIDEO_EXTENSIONS:
        return "video"
    if ext in (".npy", ".npz"):
        return ext[1:]
    if ext == ".csv":
        return _csv_format(path, max_bytes)
    if ext == ".json":
        return _json_format(read_json(path, max_bytes), path)
    known = ".json, .csv, .npy, .npz, an OpenPose folder, " + " ".join(sorted(VIDEO_EXTENSIONS))
    raise fail(path, f"unknown extension {ext or '(none)'!r}; accepted: {known}")


def _check_path(path: Path) -> None:
    if not path.exists():
        raise fail(path, "file not found")
    if path.is_file() and path.stat().st_size == 0:
        raise fail(path, "is empty")


def _dispatch(path: Path, fmt: str | None, person: int | str, max_bytes: int | None) -> PoseSequence:
    if fmt is None:
        if path.is_file() and path.suffix.lower() == ".json":  # parse once, detect, build
            obj = read_json(path, max_bytes)
            fmt = _json_format(obj, path)
            if fmt == "coco":
                return coco_json.from_json(obj, path, person, max_bytes)
            if fmt == "mediapipe":
                return mediapipe.read_json_dump(path, obj)
        else:
            fmt = detect_format(path, max_bytes)
    fmt = _ALIASES.get(fmt.lower(), fmt.lower())
    if fmt not in READERS:
        raise fail(path, f"unknown format {fmt!r}; known: {', '.join(READERS)}")
    if path.is_dir() and fmt != "openpose":
        raise fail(path, f"is a folder; only the openpose format reads folders, not {fmt}")
    if fmt == "video":
        return READERS[fmt](path, person=person)
    return READERS[fmt](path, person=person, max_bytes=max_bytes)


@contextlib.contextmanager
def _reading(path: Path) -> Iterator[None]:
    """A reader's failure as one `PoseFormatError` line that names the file (ours pass through)."""
    try:
        yield
    except (PoseFormatError, MissingExtraError):
        raise
    except UnicodeDecodeError as exc:
        raise fail(path, f"is not UTF-8 text ({exc.reason})") from exc
    except (OSError, ValueError, KeyError, TypeError, IndexError, EOFError, csv.Error, zipfile.BadZipFile) as exc:
        raise fail(path, f"cannot be read: {type(exc).__name__}: {exc}") from exc


def load_pose(path: str | Path, fmt: str | None = None, *, person: int | str = "auto", cache: bool = True,
              quiet: bool = True, on_frames: Callable[[int, int | None], None] | None = None,
              estimator: str = "mediapipe", keep_frames: Callable[[int, Any], None] | None = None,
              max_bytes: int | None = None) -> PoseSequence:
    """Read a pose file, folder or video into a validated COCO-17 `PoseSequence`: the one loader that the
    command line, the web page and the Python API call.

    Parameters
    ----------
    path : file, OpenPose folder or video
    fmt : a key of `READERS` (``"ntu"`` is an alias of ``"coco"``); None detects it
    person : which person to keep when frames hold several. Keypoint files: ``"auto"`` tracks one person (see
        ``docs/formats.md``), an int (or digits) picks that id (``object_id``/``person_id``). Videos: ``"auto"``,
        ``"largest"``, ``"central"`` or an index counted from the left (`motionsim.video.load_video`)
    cache : videos only: reuse the poses of an identical video (the pose cache) and store new ones
    quiet : videos only: silence the estimator's native log lines
    on_frames : videos only: ``on_frames(done, total)`` follows pose estimation
    estimator : videos only: the pose estimator (a key of `motionsim.video.ESTIMATORS`)
    keep_frames : videos only: ``keep_frames(index, frame_bgr)`` with each frame the estimation reads (every
        frame; above 30 fps the model-rate ones), not called when the poses come from the cache: e.g. to keep
        the feedback video's backgrounds
    max_bytes : keypoint files only: the reading limit (default `MAX_INPUT_BYTES`); over it, `InputTooLargeError`

    Raises
    ------
    PoseFormatError
        with one line ``"<path>: <what is wrong>"`` for any unreadable or unusable input.

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> f = Path(tempfile.mkdtemp()) / "walk.npy"
    >>> np.save(f, np.ones((8, 17, 3)))
    >>> seq = load_pose(f)
    >>> seq.keypoints.shape, seq.source == str(f)
    ((8, 17, 2), True)
    """
    path = Path(path)
    _check_path(path)
    if person == "all":
        raise fail(path, "person 'all' (everyone) gives several people and this takes one: choose auto or an "
                         "id here (everyone: compare --person auto,all, extract --person all, or load_people)")
    if (fmt or "").lower() == "video" or (fmt is None and path.suffix.lower() in VIDEO_EXTENSIONS):
        return _read_video(path, person=person, cache=cache, quiet=quiet, on_frames=on_frames,
                           estimator=estimator, keep_frames=keep_frames).validate()
    person = _keypoint_person(path, person)
    with _reading(path):
        seq = _dispatch(path, fmt, person, max_bytes)
    return seq.validate()


def _read_video_people(path: Path, *, cache: bool = True, quiet: bool = True,
                       on_frames: Callable[[int, int | None], None] | None = None, estimator: str = "mediapipe",
                       keep_frames: Callable[[int, Any], None] | None = None) -> dict[int, PoseSequence]:
    from ..video.everyone import load_people as load_video_people

    return load_video_people(path, estimator, cache=cache, quiet=quiet, on_frames=on_frames, keep_frames=keep_frames)


#: Format name -> reader of every person ``(path, *, max_bytes) -> {id: PoseSequence}``, for the formats that
#: hold several people per frame; the others hold one person (id 0).
PEOPLE_READERS: MappingProxyType[str, Callable[..., dict[int, PoseSequence]]] = MappingProxyType({
    "coco": coco_json.read_people,
    "openpose": openpose.read_people,
})


def _read_people(path: Path, fmt: str | None, max_bytes: int | None) -> dict[int, PoseSequence]:
    if fmt is None and path.is_file() and path.suffix.lower() == ".json":  # parse once, detect, build
        obj = read_json(path, max_bytes)
        if _json_format(obj, path) == "coco":
            return coco_json.people_from_json(obj, path, max_bytes)
    name = (fmt or detect_format(path, max_bytes)).lower()
    name = _ALIASES.get(name, name)
    if name in PEOPLE_READERS and not (path.is_dir() and name != "openpose"):
        return PEOPLE_READERS[name](path, max_bytes=max_bytes)
    return {0: _dispatch(path, name, "auto", max_bytes)}


def load_people(path: str | Path, fmt: str | None = None, *, cache: bool = True, quiet: bool = True,
                on_frames: Callable[[int, int | None], None] | None = None, estimator: str = "mediapipe",
                keep_frames: Callable[[int, Any], None] | None = None, max_bytes: int | None = None,
                ) -> dict[int, PoseSequence]:
    """Every person of a file, folder or video (``person="all"``): {id: PoseSequence}, ids in increasing order,
    every sequence as long as the input (all-missing frames where that person is not seen). The same readers
    as `load_pose` (same options, same errors).

    Videos: everyone found and followed with a stable id (`motionsim.video.everyone.load_people`, through the
    pose cache). NTU/COCO JSON and OpenPose folders: by ``object_id`` / ``person_id`` when every detection has
    one, else each frame's list tracked by position. Formats of one person give {0: sequence}. Each sequence's
    ``meta`` has ``person`` (its id), ``frames_present``, ``first_frame`` and ``last_frame`` (the frames, counted
    from 0, where the person has a present joint).

    Raises
    ------
    PoseFormatError
        as `load_pose`, and when nobody is found at all.
    """
    path = Path(path)
    _check_path(path)
    if (fmt or "").lower() == "video" or (fmt is None and path.suffix.lower() in VIDEO_EXTENSIONS):
        people = _read_video_people(path, cache=cache, quiet=quiet, on_frames=on_frames, estimator=estimator,
                                    keep_frames=keep_frames)
    else:
        with _reading(path):
            people = _read_people(path, fmt, max_bytes)
    out = {}
    for ident in sorted(people):
        seq = people[ident]
        seq.meta.update(people_meta(seq.scores), person=ident)
        out[ident] = seq
    if not any(s.meta["frames_present"] for s in out.values()):
        raise fail(path, "nobody was found in any frame")
    return out


def is_video(path: str | Path) -> bool:
    """Whether `load_pose` reads ``path`` as a video (by its extension)."""
    return Path(path).suffix.lower() in VIDEO_EXTENSIONS


def load_poses(paths: Sequence[str | Path], persons: Sequence[int | str] | None = None, *,
               on_frames: Sequence[Callable[[int, int | None], None] | None] | None = None,
               keep_frames: Sequence[Callable[[int, Any], None] | None] | None = None, **options: Any,
               ) -> list[PoseSequence | dict[int, PoseSequence]]:
    """`load_pose` of several inputs (``persons[i]``, ``on_frames[i]`` and ``keep_frames[i]`` for input i;
    ``options`` for all), with their videos estimated side by side, one thread each: a pose estimator uses one
    core and releases the GIL, so two videos take the time of one on two cores, with the same keypoints as
    one after the other. An input whose person is ``"all"`` gives everyone in it, {id: PoseSequence}
    (`load_people`). The first failure (in input order) is raised; Ctrl-C stops the other estimations
    within a few frames."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    n = len(paths)
    persons = list(persons) if persons is not None else ["auto"] * n
    progress = list(on_frames) if on_frames is not None else [None] * n
    keeps = list(keep_frames) if keep_frames is not None else [None] * n
    videos = [i for i, p in enumerate(paths) if is_video(p)]

    def read(i: int, **kwargs: Any) -> PoseSequence | dict[int, PoseSequence]:
        if persons[i] == "all":
            return load_people(paths[i], **kwargs, **options)
        return load_pose(paths[i], person=persons[i], **kwargs, **options)

    if len(videos) < 2:
        return [read(i, on_frames=progress[i], keep_frames=keeps[i]) for i in range(n)]
    if any(persons[i] == "all" for i in videos):
        from ..video.detect import import_mediapipe

        import_mediapipe()  # not in two threads at once: the import locks can deadlock
    stop = threading.Event()

    def load(i: int) -> PoseSequence | dict[int, PoseSequence]:
        def follow(done: int, total: int | None) -> None:
            if stop.is_set():
                raise KeyboardInterrupt  # ends that estimation; its capture and estimator are closed
            if progress[i] is not None:
                progress[i](done, total)

        return read(i, on_frames=follow, keep_frames=keeps[i])

    with ThreadPoolExecutor(max_workers=n, thread_name_prefix="motionsim-pose") as pool:
        futures = [pool.submit(load, i) for i in range(n)]
        try:
            return [f.result() for f in futures]
        except BaseException:
            stop.set()
            raise


def as_pose_sequence(obj: Any, *, source: str | None = None, fps: float | None = None) -> PoseSequence:
    """Anything a user may pass as a motion -> PoseSequence: a path (read with `load_pose`), an array
    (T, 17, 2|3) in COCO order, or a PoseSequence (returned as is).

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> f = save_pose(np.ones((4, 17, 3)), Path(tempfile.mkdtemp()) / "m.npy")
    >>> len(as_pose_sequence(f)), len(as_pose_sequence(np.ones((5, 17, 2))))
    (4, 5)
    """
    if isinstance(obj, (str, Path)):
        return load_pose(obj)
    return from_array(obj, source=source, fps=fps)


def save_pose(seq: PoseSequence | Sequence[PoseSequence] | dict[int, PoseSequence] | Any, path: str | Path,
              fmt: str | None = None) -> Path:
    """Write a motion as ``coco`` (NTU-style JSON), ``npy``, ``npz`` or ``csv``; format from the extension.

    ``seq`` is anything `as_pose_sequence` accepts; the ``coco`` writer also takes a list of sequences
    (one person each, written with ``object_id`` 0, 1, ...) or a dict {id: sequence} (what `load_people`
    returns, written with its ids). Returns the path written.

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> f = save_pose(np.ones((4, 17, 3)), Path(tempfile.mkdtemp()) / "m.json")
    >>> len(load_pose(f))
    4
    """
    path = Path(path)
    if fmt is None:
        fmt = _WRITE_EXT.get(path.suffix.lower())
        if fmt is None:
            raise PoseFormatError(f"{path}: cannot tell the format from {path.suffix or 'no extension'!r}; "
                                  f"use .json, .npy, .npz or .csv, or pass fmt")
    fmt = _ALIASES.get(fmt.lower(), fmt.lower())
    if fmt not in WRITERS:
        raise PoseFormatError(f"{path}: no writer for format {fmt!r}; known: {', '.join(WRITERS)}")
    if fmt == "coco" and isinstance(seq, dict) and seq and all(isinstance(s, PoseSequence) for s in seq.values()):
        WRITERS[fmt](seq, path)
    elif fmt == "coco" and isinstance(seq, (list, tuple)) and seq and isinstance(seq[0], PoseSequence):
        WRITERS[fmt](list(seq), path)
    else:
        WRITERS[fmt](from_array(seq), path)
    return path
