"""`motionsim index build|add` and `motionsim search`: a motion library folder and queries against it."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from .argtypes import positive_int, window_length

PARTS = ("overall", "right_arm", "left_arm", "right_leg", "left_leg", "torso")


def add_engine_args(p: argparse.ArgumentParser) -> None:
    """--engine and --address: where a batch job's shards run."""
    p.add_argument("--engine", choices=["local", "ray"], default="local",
                   help="run shards in this process (default) or as Ray tasks (needs motionsim[ray]); same output")
    p.add_argument("--address", metavar="auto|HOST:PORT", default=None,
                   help="Ray cluster to join (default: start a private local cluster on 127.0.0.1)")


def engine_from(args: argparse.Namespace):  # noqa: ANN201 - an Engine
    from .engine import get_engine

    return get_engine(args.engine, args.address)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``index`` (``build``, ``add``) and ``search`` to the main CLI."""
    p = subparsers.add_parser("index", help="build or extend a searchable motion library",
                              description="A motion library: every clip embedded once (five body parts), "
                              "window embeddings in a vector index (faiss), for `motionsim search`.")
    sub = p.add_subparsers(dest="index_command", metavar="ACTION")
    p.set_defaults(func=_missing_action)
    b = sub.add_parser("build", help="embed clips into a new library folder")
    b.add_argument("clips", nargs="+", metavar="CLIP", help="keypoint files or videos")
    b.add_argument("-o", "--out", required=True, metavar="LIB", help="library folder to create")
    b.add_argument("--window", type=window_length, default=32, help="window length w (default 32)")
    b.add_argument("--stride", type=positive_int, default=8, help="window stride r (default 8)")
    b.add_argument("--model", metavar="PATH", help="model (default: the bundled one)")
    add_engine_args(b)
    b.set_defaults(func=cmd_index_build)
    a = sub.add_parser("add", help="append clips to a library without rebuilding it")
    a.add_argument("library", metavar="LIB")
    a.add_argument("clips", nargs="+", metavar="CLIP")
    add_engine_args(a)
    a.set_defaults(func=cmd_index_add)

    s = subparsers.add_parser("search", help="find the clips of a library that move like a query",
                              description="Candidates from the vector index, then exact Algorithm 1 (DTW per "
                              "part) re-ranking; each hit gives overall and part scores and the matching frames.")
    s.add_argument("query", metavar="QUERY", help="keypoint file or video")
    s.add_argument("--index", required=True, metavar="LIB", help="library folder (motionsim index build)")
    s.add_argument("--part", choices=PARTS, default="overall", help="rank by this body part (default overall)")
    s.add_argument("--top", type=positive_int, default=10, help="number of hits (default 10)")
    s.add_argument("--flip", action="store_true", help="also search with the query's mirror image")
    s.add_argument("--json", action="store_true", help="print one JSON object")
    s.set_defaults(func=cmd_search)


def _missing_action(args: argparse.Namespace, out: TextIO) -> int:
    from .errors import MotionsimError

    raise MotionsimError("index needs an action: motionsim index build CLIPS... -o LIB, or index add LIB CLIPS...")


def _report_skipped(skipped: dict[str, str]) -> None:
    for path, reason in list(skipped.items())[:20]:
        print(f"skipped {path}: {reason}", file=sys.stderr)


def cmd_index_build(args: argparse.Namespace, out: TextIO) -> int:
    from .index import MotionIndex

    lib = MotionIndex.build(args.clips, args.out, window=args.window, stride=args.stride, model=args.model,
                            engine=engine_from(args), progress=sys.stderr.isatty())
    _report_skipped(lib.skipped)
    out.write(f"built {args.out}: {len(lib)} clips, {lib.meta.n_windows} windows ({len(lib.skipped)} skipped)\n")
    return 0


def cmd_index_add(args: argparse.Namespace, out: TextIO) -> int:
    from .index import MotionIndex

    lib = MotionIndex.load(args.library)
    added = lib.add(args.clips, engine=engine_from(args), progress=sys.stderr.isatty())
    _report_skipped(lib.skipped)
    out.write(f"added {added} clips to {args.library}: {len(lib)} clips, {lib.meta.n_windows} windows\n")
    return 0


def cmd_search(args: argparse.Namespace, out: TextIO) -> int:
    from .index import MotionIndex
    from .inputs import load_input

    lib = MotionIndex.load(args.index)
    args.person, args.no_cache = "auto", False
    hits = lib.search(load_input(args.query, args), part=args.part, top=args.top, flip=args.flip)
    if args.json:
        out.write(json.dumps({"query": args.query, "part": args.part, "hits": [h.to_dict() for h in hits]}) + "\n")
        return 0
    out.write(f"{'rank':>4}  {args.part:>9}  {'overall':>7}  {'frames':>11}  clip\n")
    for i, h in enumerate(hits, start=1):
        out.write(f"{i:>4}  {h.score:+9.3f}  {h.similarity:+7.3f}  {h.frames[0]:>5}-{h.frames[1]:<5}  {h.clip}"
                  + ("  (query mirrored)" if h.flipped else "") + "\n")
    return 0
