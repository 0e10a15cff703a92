"""``motionsim compare A B --person auto,all``: everyone in one input against the person of the other; the
per-person table, ``{"people": [...]}`` with --json, and the feedback video and report of everyone."""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path
from typing import Any, TextIO

from ..skeleton import BODY_PARTS, PART_SHORT_LABELS
from .options import load_inputs

log = logging.getLogger("motionsim")


def run_people(args: argparse.Namespace, out: TextIO, persons: list[str]) -> int:
    from ..atomic import atomic_output
    from ..io import is_video
    from ..people_scores import compare_people
    from ..render.backgrounds import FrameStore
    from ..render.group import write_people_feedback

    paths = [args.a, args.b]
    side = "a" if persons[0] == "all" else "b"
    started = time.perf_counter()
    stores = [FrameStore() if (args.video or args.report) and is_video(p) else None for p in paths]
    seq_a, seq_b = load_inputs(paths, args, persons=persons, keep_frames=stores)
    loaded = time.perf_counter()
    result = compare_people(seq_a, seq_b, model=args.model, backend=args.backend, window=args.window,
                            stride=args.stride, flip=args.flip, pad_short=args.pad_short,
                            weighting=args.part_weights)
    data = result.to_dict()
    log.info("poses %.2f s, scoring %.2f s", loaded - started, time.perf_counter() - loaded)
    if args.out:
        with atomic_output(args.out) as tmp:
            tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    group, reference = (seq_a, seq_b) if side == "a" else (seq_b, seq_a)
    group_path, reference_path = (args.a, args.b) if side == "a" else (args.b, args.a)
    if not args.json:  # the scores now: the feedback video and report take a while longer
        out.write(format_people(data, group_path, reference_path, side, len(reference)))
        out.flush()
    if args.video or args.report:
        k = 0 if side == "a" else 1
        write_people_feedback(data, group, reference, side=side, video=args.video, report=args.report,
                              group_video=group_path if is_video(group_path) else None,
                              reference_video=reference_path if is_video(reference_path) else None,
                              threshold=args.threshold, group_frames=stores[k], reference_frames=stores[1 - k],
                              group_name=Path(group_path).name, reference_name=Path(reference_path).name)
    if args.json:
        out.write(json.dumps(data) + "\n")
    else:
        for target in (args.video, args.report):
            if target:
                out.write(f"wrote {target}\n")
    return 0


def best_and_weakest(people: list[dict[str, Any]]) -> tuple[int | None, int | None]:
    """Ids of the best and the weakest scored person (None when nobody is scored; the weakest is None when
    only one person is)."""
    scored = [p for p in people if "similarity" in p]
    if not scored:
        return None, None
    best = max(scored, key=lambda p: (p["similarity"], -p["person"]))["person"]
    weakest = min(scored, key=lambda p: (p["similarity"], p["person"]))["person"] if len(scored) > 1 else None
    return best, weakest


def format_people(data: dict, group_path: str, reference_path: str, side: str, reference_frames: int) -> str:
    """The per-person table: one row per person (overall and the five parts), the best and weakest marked."""
    people = data["people"]
    scored = [p for p in people if "similarity" in p]
    first = scored[0] if scored else {}
    best, weakest = best_and_weakest(people)
    group_side, ref_side = side.upper(), "B" if side == "a" else "A"
    lines = [f"{group_side}: {group_path} (everyone: {len(people)} {'person' if len(people) == 1 else 'people'})",
             f"{ref_side}: {reference_path} ({reference_frames} frames)"]
    lines.sort()  # A first
    if first:
        lines.append(f"model: {first['model']}   window {first['window']}, stride {first['stride']}")
    header = f"  {'person':>6}  {'frames':<16} {'overall':>7} " + " ".join(
        f"{PART_SHORT_LABELS[p]:>6}" for p in BODY_PARTS)
    lines += ["", header]
    for p in people:
        span = f"{p['first_frame']}-{p['last_frame']} ({p['frames_present']})"
        row = f"  {p['person']:>6}  {span:<16} "
        if "similarity" not in p:
            lines.append(row + p.get("error", "not scored"))
            continue
        row += f"{p['similarity']:>+7.3f} " + " ".join(f"{p['body_parts'][q]:>+6.2f}" for q in BODY_PARTS)
        mark = "  best" if p["person"] == best else "  weakest" if p["person"] == weakest else ""
        lines.append(row + mark + ("  (mirrored)" if p.get("flipped") else ""))
    if not scored:
        lines += ["", "nobody was seen long enough to score (--pad-short scores short appearances)"]
    lines += ["", f"frames: where each person is seen in {group_side} (first-last, and how many); "
              f"each is compared with {ref_side} over those frames"]
    return "\n".join(lines) + "\n"
