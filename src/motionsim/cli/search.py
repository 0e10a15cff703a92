"""``motionsim search QUERY --index LIB``: the clips of a library that move like a query."""

from __future__ import annotations

import argparse
import json
from typing import TextIO

from .options import PART_CHOICES, add_video_args, load_input, positive_int


def register(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("search", help="find the clips of a library that move like a query",
                       description="Candidates from the vector index, then exact Algorithm 1 (DTW per "
                       "part) re-ranking; each hit gives overall and part scores and the matching frames.")
    s.add_argument("query", metavar="QUERY", help="keypoint file or video")
    s.add_argument("--index", required=True, metavar="LIB", help="library folder (motionsim index build)")
    s.add_argument("--part", choices=PART_CHOICES, default="overall", help="rank by this body part (default overall)")
    s.add_argument("--top", type=positive_int, default=10, help="number of hits (default 10)")
    s.add_argument("--flip", action="store_true", help="also search with the query's mirror image")
    s.add_argument("--json", action="store_true", help="print one JSON object")
    add_video_args(s)
    s.set_defaults(func=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    from ..index import MotionIndex

    lib = MotionIndex.load(args.index)
    hits = lib.search(load_input(args.query, args), part=args.part, top=args.top, flip=args.flip)
    if args.json:
        out.write(json.dumps({"query": args.query, "part": args.part, "hits": [h.to_dict() for h in hits]}) + "\n")
        return 0
    out.write(f"{'rank':>4}  {args.part:>9}  {'overall':>7}  {'frames':>11}  clip\n")
    for i, h in enumerate(hits, start=1):
        out.write(f"{i:>4}  {h.score:+9.3f}  {h.similarity:+7.3f}  {h.frames[0]:>5}-{h.frames[1]:<5}  {h.clip}"
                  + ("  (query mirrored)" if h.flipped else "") + "\n")
    return 0
