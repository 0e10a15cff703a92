"""``motionsim extract``: a video's poses as the NTU/COCO-17 JSON every other command reads."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from .options import add_video_args, load_input


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "extract", help="estimate the poses in a video and write them as keypoint JSON",
        description="Run 2-D pose estimation on every frame of VIDEO and write the NTU/COCO-17 keypoint JSON "
        "(with fps and frame size) that compare, score-pairs and evaluate read. Results are cached in the user's "
        "cache folder (MOTIONSIM_CACHE_DIR overrides it), keyed on the video's content, the estimator and the "
        "motionsim version. --person all writes everyone, each with a stable object_id.")
    p.add_argument("video", metavar="VIDEO", help="a video file (.mp4 .avi .mov .mkv .webm)")
    p.add_argument("-o", "--out", metavar="OUT.json", help="output file (default: VIDEO's name with .json)")
    p.add_argument("--estimator", default="mediapipe", choices=["mediapipe"],
                   help="pose estimator (default: mediapipe, BlazePose full, model complexity 1)")
    # the old name of --estimator (elsewhere --backend is the model's runtime): accepted, with a notice
    p.add_argument("--backend", dest="old_backend", choices=["mediapipe"], help=argparse.SUPPRESS)
    add_video_args(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    from ..atomic import atomic_output
    from ..errors import PoseFormatError
    from ..io import save_pose

    if args.old_backend:
        print("motionsim: notice: extract --backend is now --estimator (--backend names the model's runtime in "
              "the other commands)", file=sys.stderr)
        args.estimator = args.old_backend
    video = Path(args.video)
    target = Path(args.out) if args.out else video.with_suffix(".json")
    if target.suffix.lower() != ".json":
        raise PoseFormatError(f"{target}: the output is keypoint JSON; give a .json name")
    if target.resolve() == video.resolve():
        raise PoseFormatError(f"{target}: refusing to overwrite the input video")
    if "," in str(args.person):
        raise PoseFormatError("extract reads one video: give one --person choice")
    if str(args.person).strip() == "all":
        return _extract_everyone(video, target, args, out)
    seq = load_input(str(video), args, fmt="video", estimator=args.estimator)
    with atomic_output(target) as tmp:
        save_pose(seq, tmp, fmt="coco")
    seen = int((seq.scores > 0).any(axis=1).sum())
    cached = " (from the cache)" if seq.meta.get("cache") == "hit" else ""
    out.write(f"{video}: {len(seq)} frames at {seq.fps or 0:g} fps, a person in {seen}{cached} -> {target}\n")
    return 0


def _extract_everyone(video: Path, target: Path, args: argparse.Namespace, out: TextIO) -> int:
    """``--person all``: every person, each frame's objects with their ``object_id``; one line per person."""
    from ..atomic import atomic_output
    from ..io import load_people, save_pose
    from ..people_scores import too_short
    from ..similarity import DEFAULT_WINDOW

    people = load_people(video, "video", cache=not args.no_cache, quiet=not args.debug, estimator=args.estimator)
    with atomic_output(target) as tmp:
        save_pose(people, tmp, fmt="coco")
    first = next(iter(people.values()))
    cached = " (from the cache)" if first.meta.get("cache") == "hit" else ""
    out.write(f"{video}: {len(first)} frames at {first.fps or 0:g} fps, {len(people)} "
              f"{'person' if len(people) == 1 else 'people'}{cached} -> {target}\n")
    for ident, seq in people.items():
        m = seq.meta
        short = (f"  too short to score (fewer than one window, {DEFAULT_WINDOW} frames)"
                 if too_short(m["frames_present"], seq.fps, DEFAULT_WINDOW) else "")
        out.write(f"  person {ident}: frames {m['first_frame']}-{m['last_frame']}, seen in {m['frames_present']}"
                  f"{short}\n")
    return 0
