"""``motionsim compare A B``: two motions, per body part; the table, the JSON contract, feedback video, report."""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path
from typing import TextIO

from ..skeleton import PART_LABELS
from .options import add_scoring_args, add_video_args, check_feedback_names, load_inputs, unit_float

log = logging.getLogger("motionsim")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compare", help="compare two motions (keypoint files or videos)",
                       description="Compare two motions per body part (BPE, Algorithm 1). A and B are keypoint "
                       "files (.json NTU/COCO-17, OpenPose JSON folders, MediaPipe dumps, .npy/.npz (T,17,2|3), "
                       ".csv) or videos. With --person auto,all (or all,auto) everyone in one of them is scored "
                       "against the other: one row per person, and --json prints {\"people\": [...]}.")
    p.add_argument("a", metavar="A", help="first motion (the one mirrored by --flip)")
    p.add_argument("b", metavar="B", help="second motion")
    add_scoring_args(p, default_stride=8)
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    p.add_argument("--out", metavar="FILE", help="also write the JSON result to FILE")
    p.add_argument("--video", metavar="OUT.mp4", help="write the feedback video: A and B side by side, B following "
                   "A's timeline, each body part coloured by its score (H.264, plays in browsers)")
    p.add_argument("--report", metavar="OUT.html", help="write a self-contained HTML report (scores, timeline, "
                   "least similar moments, the feedback video), readable offline")
    p.add_argument("--threshold", type=unit_float, default=0.4,
                   help="part score that separates similar (green) from different (red) in --video and "
                   "--report (default 0.4, the paper's dance application)")
    add_video_args(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    from ..atomic import atomic_output
    from ..io import is_video
    from ..person_spec import ALL, person_choices, person_for
    from ..render.backgrounds import FrameStore
    from ..render.feedback import source_video, write_feedback
    from ..similarity import compare

    check_feedback_names(args.video, args.report)
    persons = person_choices(args.person, 2)
    if ALL in persons:
        from .compare_people import run_people

        return run_people(args, out, persons)
    started = time.perf_counter()
    # the feedback draws on the videos: keep their frames while they are decoded for pose estimation
    stores = [FrameStore() if (args.video or args.report) and is_video(p) else None for p in (args.a, args.b)]
    seq_a, seq_b = load_inputs([args.a, args.b], args, keep_frames=stores)
    loaded = time.perf_counter()
    result = compare(seq_a, seq_b, model=args.model, backend=args.backend, window=args.window, stride=args.stride,
                     flip=args.flip, pad_short=args.pad_short, weighting=args.part_weights)
    data = result.to_dict()
    log.info("poses %.2f s, scoring %.2f s", loaded - started, time.perf_counter() - loaded)
    if args.out:
        with atomic_output(args.out) as tmp:
            tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    if not args.json:  # the scores now: the feedback video and report take a while longer
        out.write(format_result(data, args.a, args.b))
        out.flush()
    if args.video or args.report:
        names = {f"name_{k}": Path(path).name + (f" (person {person_for(args.person, i)})"
                                                 if person_for(args.person, i) != "auto" else "")
                 for i, (k, path) in enumerate((("a", args.a), ("b", args.b)))}
        write_feedback(data, seq_a, seq_b, video=args.video, report=args.report,
                       video_a=source_video(seq_a, args.a), video_b=source_video(seq_b, args.b),
                       threshold=args.threshold, frames_a=stores[0], frames_b=stores[1], **names)
    if args.json:
        out.write(json.dumps(data) + "\n")
    else:
        for target in (args.video, args.report):
            if target:
                out.write(f"wrote {target}\n")
    return 0


def format_result(data: dict, name_a: str, name_b: str) -> str:
    """Human-readable table of a comparison."""
    def bar(x: float) -> str:
        filled = round(max(0.0, min(1.0, x)) * 20)
        return "#" * filled + "." * (20 - filled)

    lines = [f"A: {name_a} ({data['frames']['a']} frames)", f"B: {name_b} ({data['frames']['b']} frames)",
             f"model: {data['model']}   window {data['window']}, stride {data['stride']}"
             + ("   (A mirrored)" if data["flipped"] else ""), "",
             f"  {'overall':<10} {data['similarity']:+.3f}  {bar(data['similarity'])}"
             + ("  weight in overall" if data.get("part_weights") else "")]
    weights = data.get("part_weights") or {}
    for part, score in data["body_parts"].items():
        weight = f"  {100 * weights[part]:>5.1f} %" if part in weights else ""
        lines.append(f"  {PART_LABELS[part]:<10} {score:+.3f}  {bar(score)}{weight}")
    windows = data["windows"]
    if windows:
        worst = sorted(windows, key=lambda w: w["similarity"])[:3]
        lines += ["", f"{len(windows)} windows; least similar (frames of A):"]
        for w in worst:
            part = min(w["body_parts"], key=w["body_parts"].get)
            lines.append(f"  frames {w['start_frame']:>5}-{w['end_frame']:<5} {w['similarity']:+.3f}  "
                         f"(weakest: {PART_LABELS[part]} {w['body_parts'][part]:+.3f})")
    return "\n".join(lines) + "\n"
