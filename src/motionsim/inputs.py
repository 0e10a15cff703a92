"""What every command that reads motions shares: the model options, the --person/--no-cache options and
loading one input, a keypoint file or a video (through the pose cache)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .pose import PoseSequence

PERSON_HELP = ("who to follow when several people are seen: auto (whoever the estimator tracks; fastest), "
               "largest, central, or an index counted from the left (0 = leftmost) where people are first seen; "
               "two choices separated by a comma apply to A and B (e.g. 1,0: teacher and student in one video); "
               "for keypoint files, an object id or auto")


def add_video_args(p: argparse.ArgumentParser) -> None:
    """Options of every command that may run pose estimation on a video."""
    p.add_argument("--person", default="auto", metavar="auto|largest|central|INDEX", help=PERSON_HELP)
    p.add_argument("--no-cache", action="store_true",
                   help="run pose estimation again instead of reusing the poses of an identical video")


def add_model_choice(p: argparse.ArgumentParser) -> None:
    """--model and --backend: which network scores, and on which runtime."""
    p.add_argument("--model", metavar="PATH", help="an .onnx model (onnxruntime) or a .safetensors model (PyTorch, "
                   "needs motionsim[train]); default: the bundled model")
    p.add_argument("--backend", choices=["auto", "onnx", "torch"], default="auto",
                   help="runtime of the network: onnx (onnxruntime, the default for the bundled and .onnx models) "
                   "or torch (PyTorch: the bundled model's weights or a .safetensors model); scores agree within "
                   "1e-5")


def person_for(args: argparse.Namespace, index: int) -> str:
    """The --person choice of input ``index`` (0 = A): one choice for all, or one per input ("1,0")."""
    choices = [c.strip() for c in str(args.person).split(",")]
    return choices[0] if len(choices) == 1 else choices[min(index, len(choices) - 1)]


def load_input(path: str, args: argparse.Namespace, index: int = 0,
               on_frames: Callable[[int, int | None], None] | None = None) -> PoseSequence:
    """Input ``index`` of a command: a keypoint file, or a video through the pose cache with the command's
    --person/--no-cache (``on_frames`` follows pose estimation, see `motionsim.video.extract_pose`)."""
    from .errors import PoseFormatError
    from .io import VIDEO_EXTENSIONS, load_pose

    person = person_for(args, index)
    if Path(path).suffix.lower() in VIDEO_EXTENSIONS:
        from .video import load_video

        return load_video(path, person=person, cache=not args.no_cache, quiet=not args.debug,
                          on_frames=on_frames).validate()
    if person != "auto" and not person.isdigit():
        raise PoseFormatError(f"--person {person} chooses among people in a video; for keypoint files give an "
                              f"object id (an integer) or auto")
    return load_pose(path, person=int(person) if person.isdigit() else "auto")
