"""``motionsim extract``: a video's poses as the NTU/COCO-17 JSON every other command reads."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from .inputs import add_video_args


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "extract", help="estimate the poses in a video and write them as keypoint JSON",
        description="Run 2-D pose estimation on every frame of VIDEO and write the NTU/COCO-17 keypoint JSON "
        "(with fps and frame size) that compare, score-pairs and evaluate read. Results are cached in the user's "
        "cache folder (MOTIONSIM_CACHE_DIR overrides it), keyed on the video's content, the backend and the "
        "motionsim version.")
    p.add_argument("video", metavar="VIDEO", help="a video file (.mp4 .avi .mov .mkv .webm)")
    p.add_argument("-o", "--out", metavar="OUT.json", help="output file (default: VIDEO's name with .json)")
    p.add_argument("--backend", default="mediapipe", choices=["mediapipe"],
                   help="pose estimator (default: mediapipe, BlazePose full, model complexity 1)")
    add_video_args(p)
    p.set_defaults(func=cmd_extract)


def cmd_extract(args: argparse.Namespace, out: TextIO) -> int:
    from .atomic import atomic_output
    from .errors import PoseFormatError
    from .io import save_pose
    from .video import load_video

    video = Path(args.video)
    target = Path(args.out) if args.out else video.with_suffix(".json")
    if target.suffix.lower() != ".json":
        raise PoseFormatError(f"{target}: the output is keypoint JSON; give a .json name")
    if target.resolve() == video.resolve():
        raise PoseFormatError(f"{target}: refusing to overwrite the input video")
    if "," in str(args.person):
        raise PoseFormatError("extract reads one video: give one --person choice")
    seq = load_video(video, args.backend, person=args.person, cache=not args.no_cache, quiet=not args.debug)
    with atomic_output(target) as tmp:
        save_pose(seq, tmp, fmt="coco")
    seen = int((seq.scores > 0).any(axis=1).sum())
    cached = " (from the cache)" if seq.meta.get("cache") == "hit" else ""
    out.write(f"{video}: {len(seq)} frames at {seq.fps or 0:g} fps, a person in {seen}{cached} -> {target}\n")
    return 0
