"""``motionsim index build|add``: a motion library folder, every clip embedded once (`motionsim.index`)."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from ..errors import MotionsimError
from .options import add_engine_args, add_window_args, engine_from, positive_int


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("index", help="build or extend a searchable motion library",
                       description="A motion library: every clip embedded once (five body parts, float16), with "
                       "a compact sketch of every window that proposes candidates for `motionsim search`; "
                       "optionally split into shards searched in parallel (--shards).")
    actions = p.add_subparsers(dest="index_command", metavar="ACTION")
    p.set_defaults(func=_missing_action)
    b = actions.add_parser("build", help="embed clips into a new library folder",
                           description="Embed clips into a new library folder. With --shards N the folder holds N "
                           "shard folders (clips dealt round-robin) and a manifest: one machine opens it as one "
                           "library, and `search --engine ray` searches each shard in a Ray actor of its own.")
    b.add_argument("clips", nargs="+", metavar="CLIP", help="keypoint files or videos")
    b.add_argument("-o", "--out", required=True, metavar="LIB", help="library folder to create")
    b.add_argument("--shards", type=positive_int, default=1,
                   help="split the library into this many shards (default 1: one folder)")
    add_window_args(b, default_stride=8)
    b.add_argument("--model", metavar="PATH", help="model (default: the bundled one)")
    add_engine_args(b)
    b.set_defaults(func=run_build)
    a = actions.add_parser("add", help="append clips to a library without rebuilding it",
                           description="Append clips to a library (a sharded one keeps its shards balanced: new "
                           "clips are dealt round-robin after the others, as a fresh build would deal them).")
    a.add_argument("library", metavar="LIB")
    a.add_argument("clips", nargs="+", metavar="CLIP")
    add_engine_args(a)
    a.set_defaults(func=run_add)


def _missing_action(args: argparse.Namespace, out: TextIO) -> int:
    raise MotionsimError("index needs an action: motionsim index build CLIPS... -o LIB, or index add LIB CLIPS...")


def _report_skipped(skipped: dict[str, str]) -> None:
    for path, reason in list(skipped.items())[:20]:
        print(f"skipped {path}: {reason}", file=sys.stderr)


def run_build(args: argparse.Namespace, out: TextIO) -> int:
    from ..index import MotionIndex, ShardedIndex

    options = {"window": args.window, "stride": args.stride, "model": args.model, "engine": engine_from(args),
               "progress": sys.stderr.isatty()}
    if args.shards > 1:
        lib = ShardedIndex.build(args.clips, args.out, args.shards, **options)
        windows, shards = lib.n_windows, f" in {lib.n_shards} shards"
    else:
        lib = MotionIndex.build(args.clips, args.out, **options)
        windows, shards = lib.meta.n_windows, ""
    _report_skipped(lib.skipped)
    out.write(f"built {args.out}: {len(lib)} clips, {windows} windows{shards} ({len(lib.skipped)} skipped)\n")
    return 0


def run_add(args: argparse.Namespace, out: TextIO) -> int:
    from ..index import ShardedIndex, open_library

    lib = open_library(args.library)
    added = lib.add(args.clips, engine=engine_from(args), progress=sys.stderr.isatty())
    _report_skipped(lib.skipped)
    windows = lib.n_windows if isinstance(lib, ShardedIndex) else lib.meta.n_windows
    out.write(f"added {added} clips to {args.library}: {len(lib)} clips, {windows} windows\n")
    return 0
