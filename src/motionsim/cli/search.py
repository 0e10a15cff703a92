"""``motionsim search QUERY... --index LIB``: the clips of a library that move like a query."""

from __future__ import annotations

import argparse
import json
from typing import TextIO

from .options import PART_CHOICES, add_video_args, engine_from, load_input, positive_int


def register(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("search", help="find the clips of a library that move like a query",
                       description="Candidates from a scan of the library (exact, or of its window sketches when "
                       "it is large), then exact Algorithm 1 (DTW per part) re-ranking; each hit gives overall and "
                       "part scores and the matching frames. A sharded library is searched shard by shard, in "
                       "parallel here or with --engine ray one Ray actor per shard, with the same hits.")
    s.add_argument("queries", nargs="+", metavar="QUERY",
                   help="keypoint file or video (several: each searched in turn, the shards kept open)")
    s.add_argument("--index", required=True, metavar="LIB", help="library folder (motionsim index build)")
    s.add_argument("--part", choices=PART_CHOICES, default="overall", help="rank by this body part (default overall)")
    s.add_argument("--top", type=positive_int, default=10, help="number of hits (default 10)")
    s.add_argument("--flip", action="store_true", help="also search with the query's mirror image")
    s.add_argument("--json", action="store_true", help="print one JSON object per query")
    s.add_argument("--engine", choices=["local", "ray"], default="local",
                   help="where the shards of a sharded library are searched: in this process, in parallel threads "
                   "(default), or one Ray actor per shard (needs motionsim[ray]); same hits. A library in one folder "
                   "is searched in this process")
    s.add_argument("--address", metavar="auto|HOST:PORT", default=None,
                   help="Ray cluster to join (default: start a private local cluster on 127.0.0.1); the shard "
                   "folders must be readable on its nodes under the same path")
    add_video_args(s)
    s.set_defaults(func=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    from ..index import ShardedIndex, open_library

    lib = open_library(args.index, engine=engine_from(args))
    try:
        for i, query in enumerate(args.queries):
            hits = lib.search(load_input(query, args), part=args.part, top=args.top, flip=args.flip)
            if args.json:
                out.write(json.dumps({"query": query, "part": args.part, "hits": [h.to_dict() for h in hits]}) + "\n")
                continue
            if len(args.queries) > 1:
                out.write(("\n" if i else "") + f"query {query}\n")
            out.write(f"{'rank':>4}  {args.part:>9}  {'overall':>7}  {'frames':>11}  clip\n")
            for rank, h in enumerate(hits, start=1):
                out.write(f"{rank:>4}  {h.score:+9.3f}  {h.similarity:+7.3f}  {h.frames[0]:>5}-{h.frames[1]:<5}  "
                          f"{h.clip}" + ("  (query mirrored)" if h.flipped else "") + "\n")
    finally:
        if isinstance(lib, ShardedIndex):
            lib.close()
    return 0
