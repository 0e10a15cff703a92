"""Flags several commands share, defined once: value types, the model choice, Algorithm 1's options, the
person and cache of video inputs, the engine of batch jobs, the body-part list.

Nothing heavy is imported here: building the parser is part of every command's start-up."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from .. import values
from ..person_spec import PERSON_HELP
from ..skeleton import BODY_PARTS, PART_WEIGHTINGS

#: What search and plots may rank or draw by: the whole body or one part.
PART_CHOICES = ("overall", *BODY_PARTS)


def _argtype(check: Callable[[str], Any]) -> Callable[[str], Any]:
    """An argparse type from a `motionsim.values` check: its message becomes argparse's."""
    def parse(text: str) -> Any:
        try:
            return check(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = check.__name__
    return parse


positive_int = _argtype(values.positive_int)
nonnegative_int = _argtype(values.nonnegative_int)
window_length = _argtype(values.window_length)
stride_length = _argtype(values.stride_length)
unit_float = _argtype(values.unit_float)
positive_float = _argtype(values.positive_float)


def add_model_choice(p: argparse.ArgumentParser) -> None:
    """--model and --backend: which network scores, and on which runtime."""
    p.add_argument("--model", metavar="PATH", help="an .onnx model (onnxruntime) or a .safetensors model (PyTorch, "
                   "needs motionsim[train]); default: the bundled model")
    p.add_argument("--backend", choices=["auto", "onnx", "torch"], default="auto",
                   help="runtime of the network: onnx (onnxruntime, the default for the bundled and .onnx models) "
                   "or torch (PyTorch: the bundled model's weights or a .safetensors model); scores agree within "
                   "1e-5")


def add_window_args(p: argparse.ArgumentParser, default_stride: int, stride_help: str = "") -> None:
    """--window and --stride: Algorithm 1's w and r (``stride_help`` ends the stride's help)."""
    p.add_argument("--window", type=window_length, default=32,
                   help="window length w in frames, a multiple of 8, at most 8192 (default 32)")
    p.add_argument("--stride", type=stride_length, default=default_stride,
                   help=f"window stride r in frames: a score every r frames, at most 1,000,000 (default "
                   f"{default_stride}){stride_help}")


def add_scoring_args(p: argparse.ArgumentParser, default_stride: int, flip_default: bool = False,
                     stride_help: str = "") -> None:
    """Everything that decides a score: window, stride, body flip, padding, part weights, model. With
    ``flip_default`` the body flip is on unless ``--no-flip`` (a live take: people copy a screen like a mirror)."""
    add_window_args(p, default_stride, stride_help)
    if flip_default:
        p.add_argument("--flip", action=argparse.BooleanOptionalAction, default=True,
                       help="also score the mirror image of the live motion and keep the better (body flip; on by "
                       "default: people facing a screen copy it like a mirror; --no-flip turns it off)")
    else:
        p.add_argument("--flip", action="store_true",
                       help="also compare the mirror image of the first motion and keep the better score (body flip)")
    p.add_argument("--pad-short", action="store_true",
                   help="hold the last pose of sequences shorter than the window instead of refusing them")
    p.add_argument("--part-weights", choices=PART_WEIGHTINGS, default="movement",
                   help="how the overall score combines the part scores: 'movement' weights each part by how much "
                   "it moves in the two motions (default), 'equal' is the paper's plain mean")
    add_model_choice(p)


def add_video_args(p: argparse.ArgumentParser) -> None:
    """Options of every command that may run pose estimation on a video."""
    p.add_argument("--person", default="auto", metavar="auto|largest|central|INDEX|all", help=PERSON_HELP)
    p.add_argument("--no-cache", action="store_true",
                   help="run pose estimation again instead of reusing the poses of an identical video")


def check_feedback_names(video: str | None, report: str | None) -> None:
    """Refuse ``--video``/``--report`` names with the wrong suffix before any work is done."""
    from pathlib import Path

    from ..errors import MotionsimError

    for target, suffix in ((video, ".mp4"), (report, ".html")):
        if target and Path(target).suffix.lower() != suffix:
            raise MotionsimError(f"{target}: expected a {suffix} file name")


def add_engine_args(p: argparse.ArgumentParser, resumable: bool = False) -> None:
    """--engine and --address: where a batch job's shards run."""
    p.add_argument("--engine", choices=["local", "ray"], default="local",
                   help="run in this process (default) or as Ray tasks (needs motionsim[ray]); same output"
                   + ("; with ray, finished shards are kept in .OUT.work/ beside the output so an interrupted run "
                      "resumes" if resumable else ""))
    p.add_argument("--address", metavar="auto|HOST:PORT", default=None,
                   help="Ray cluster to join (default: start a private local cluster on 127.0.0.1)")


def engine_from(args: argparse.Namespace) -> Any:
    """The `motionsim.engine.Engine` that --engine/--address ask for."""
    from ..engine import get_engine

    return get_engine(args.engine, args.address)


def uses_cluster(args: argparse.Namespace) -> bool:
    """Whether the job runs beyond this process (its finished shards are then kept for a rerun)."""
    return args.engine != "local" or bool(args.address)


def load_input(path: str, args: argparse.Namespace, index: int = 0, **options: Any) -> Any:
    """Input ``index`` of a command (0 = A) with the command's --person/--no-cache (`add_video_args`) and
    --debug choices: a keypoint file, or a video through the pose cache (`motionsim.io.load_pose`)."""
    from ..io import load_pose
    from ..person_spec import person_for

    return load_pose(path, person=person_for(args.person, index), cache=not args.no_cache, quiet=not args.debug,
                     **options)


def load_inputs(paths: list[str], args: argparse.Namespace, persons: list[str] | None = None,
                **options: Any) -> list[Any]:
    """`load_input` of several inputs (input i takes the i-th --person choice, or ``persons[i]``; ``all``
    gives everyone in it), their videos estimated side by side (`motionsim.io.load_poses`)."""
    from ..io import load_poses
    from ..person_spec import person_for

    if persons is None:
        persons = [person_for(args.person, i) for i in range(len(paths))]
    return load_poses(paths, persons, cache=not args.no_cache, quiet=not args.debug, **options)
