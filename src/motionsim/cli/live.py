"""``motionsim live REFERENCE --source CAMERA|VIDEO``: scores while you move, then the take as `compare` sees it."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import TextIO

from ..errors import MotionsimError
from ..skeleton import PART_SHORT_LABELS
from .options import add_scoring_args, add_video_args, check_feedback_names, load_input, positive_float, unit_float

log = logging.getLogger("motionsim")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "live", help="score a motion against a reference while it happens (camera or video)",
        description="Follow REFERENCE (a keypoint file or a video) in front of a camera, or with a video standing "
        "in for one, and get the five part scores and the overall of each new moment while you move; at the end, "
        "the whole take scored as compare scores it (--out, --video, --report). Ctrl-C ends the take and still "
        "writes the outputs asked for. The body flip (--flip) is on by default: people facing a screen copy it "
        "like a mirror. --person chooses who to follow in a reference video; the live source follows whoever the "
        "pose estimator tracks. docs/live.md has the details.")
    p.add_argument("reference", metavar="REFERENCE", help="the motion to follow: a keypoint file or a video")
    p.add_argument("--source", default="0", metavar="CAMERA_INDEX|VIDEO",
                   help="a camera index (OpenCV; default 0) or a video file standing in for a camera")
    p.add_argument("--realtime", action="store_true",
                   help="deliver a video file at its own frame rate, as a camera would, dropping the frames the "
                   "pipeline cannot keep up with (never queueing them); without it a file is processed as fast as "
                   "possible, every frame. A camera is always real time")
    p.add_argument("--mode", choices=["follow", "free"], default="follow",
                   help="follow (default): the reference plays at its own pace from the first frame and you copy "
                   "it, up to --max-lag late; free: you go at your own pace, pause, repeat, and an online alignment "
                   "tracks where in the reference you are")
    p.add_argument("--max-lag", type=positive_float, default=1.0, metavar="SECONDS",
                   help="follow mode: how late you may copy the reference (default 1.0 s)")
    p.add_argument("--json-lines", action="store_true",
                   help="print one JSON object per scored moment: {time, frame, reference_frame, similarity, "
                   "body_parts, latency_ms, flipped} (latency: from the frame's arrival to its score)")
    p.add_argument("--out", metavar="TAKE.json", help="write the take against the reference: exactly the JSON of "
                   "compare --json (the take as A, the reference as B), plus a 'live' block (frames, processed, "
                   "dropped, latency_ms p50/p95)")
    p.add_argument("--video", metavar="OUT.mp4", help="write the take's feedback video, as compare --video (drawn "
                   "on the source video when it is a file, else on a plain canvas)")
    p.add_argument("--report", metavar="OUT.html", help="write the take's HTML report, as compare --report")
    p.add_argument("--threshold", type=unit_float, default=0.4,
                   help="part score between red and green in --video and --report (default 0.4)")
    add_scoring_args(p, default_stride=8, flip_default=True,
                     stride_help="; of the take's timeline in --out, --video and --report (the live scores come "
                     "every frame)")
    add_video_args(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    from ..atomic import atomic_output
    from ..live.session import LiveSession
    from ..live.source import open_source
    from ..live.take import run_take, take_result
    from ..render.feedback import source_video, write_feedback
    from ..video import ESTIMATORS
    from ..video.quiet import native_stderr_silenced, quiet_native_logging
    from .compare import format_result

    check_feedback_names(args.video, args.report)
    if "," in str(args.person):
        raise MotionsimError("--person chooses who to follow in the reference: give one choice (the live source "
                             "follows whoever the estimator tracks)")
    source = open_source(args.source, realtime=args.realtime, quiet=not args.debug)
    try:
        reference = load_input(args.reference, args, 0)
        session = LiveSession(reference, fps=source.fps, mode=args.mode, flip=args.flip, window=args.window,
                              max_lag=args.max_lag, weighting=args.part_weights, model=args.model,
                              backend=args.backend, pad_short=args.pad_short)
        quiet = not args.debug
        if quiet:
            quiet_native_logging()
        printer = _Printer(out, args.json_lines)
        with native_stderr_silenced(quiet) as terminal:
            estimator = ESTIMATORS["mediapipe"]()
            try:
                if not args.json_lines:
                    out.write(f"following {args.reference} ({args.mode} mode) with {source.name}; Ctrl-C ends the "
                              f"take\n")
                    out.flush()
                take = run_take(session, source, estimator, on_score=printer)
            finally:
                estimator.close()
                terminal.flush()
    finally:
        source.close()
    if take.interrupted:
        print("motionsim: take ended by Ctrl-C; finishing its outputs", file=sys.stderr)
    data = take_result(take, reference, flip=args.flip, window=args.window, stride=args.stride, model=args.model,
                       backend=args.backend, pad_short=args.pad_short, weighting=args.part_weights)
    if args.out:
        with atomic_output(args.out) as tmp:
            tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    if args.video or args.report:
        write_feedback(data, take.poses, reference, video=args.video, report=args.report,
                       video_a=source.name if source.is_file else None,
                       video_b=source_video(reference, args.reference),
                       threshold=args.threshold, name_a=f"take ({Path(source.name).name})",
                       name_b=Path(args.reference).name)
    written = [t for t in (args.out, args.video, args.report) if t]
    if args.json_lines:
        for target in written:
            print(f"motionsim: wrote {target}", file=sys.stderr)
        return 0
    live = data["live"]
    latency = live["latency_ms"]
    out.write("\n" + format_result(data, f"take from {source.name}", args.reference))
    out.write(f"take: {live['frames']} frames, {live['processed']} processed, {live['dropped']} dropped; latency "
              f"p50 {_ms(latency['p50'])}, p95 {_ms(latency['p95'])}\n")
    for target in written:
        out.write(f"wrote {target}\n")
    return 0


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} ms"


class _Printer:
    """What the user sees while moving: every scored moment as a JSON line, or a line of text a second."""

    def __init__(self, out: TextIO, json_lines: bool) -> None:
        self.out, self.json_lines = out, json_lines
        self._next_second = 0.0

    def __call__(self, score) -> None:
        if self.json_lines:
            self.out.write(json.dumps(score.to_dict()) + "\n")
        elif score.time >= self._next_second:
            self._next_second = float(int(score.time) + 1)
            parts = "  ".join(f"{PART_SHORT_LABELS[p]} {s:+.2f}" for p, s in score.body_parts.items())
            self.out.write(f"{score.time:7.1f} s  overall {score.similarity:+.2f}  {parts}  "
                           f"(reference frame {score.reference_frame}{', mirrored' if score.flipped else ''})\n")
        else:
            return
        self.out.flush()
