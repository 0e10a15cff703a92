"""``motionsim index build|add``: a motion library folder, every clip embedded once (`motionsim.index`)."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from ..errors import MotionsimError
from .options import add_engine_args, add_window_args, engine_from


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("index", help="build or extend a searchable motion library",
                       description="A motion library: every clip embedded once (five body parts), "
                       "window embeddings in a vector index (faiss), for `motionsim search`.")
    actions = p.add_subparsers(dest="index_command", metavar="ACTION")
    p.set_defaults(func=_missing_action)
    b = actions.add_parser("build", help="embed clips into a new library folder")
    b.add_argument("clips", nargs="+", metavar="CLIP", help="keypoint files or videos")
    b.add_argument("-o", "--out", required=True, metavar="LIB", help="library folder to create")
    add_window_args(b, default_stride=8)
    b.add_argument("--model", metavar="PATH", help="model (default: the bundled one)")
    add_engine_args(b)
    b.set_defaults(func=run_build)
    a = actions.add_parser("add", help="append clips to a library without rebuilding it")
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
    from ..index import MotionIndex

    lib = MotionIndex.build(args.clips, args.out, window=args.window, stride=args.stride, model=args.model,
                            engine=engine_from(args), progress=sys.stderr.isatty())
    _report_skipped(lib.skipped)
    out.write(f"built {args.out}: {len(lib)} clips, {lib.meta.n_windows} windows ({len(lib.skipped)} skipped)\n")
    return 0


def run_add(args: argparse.Namespace, out: TextIO) -> int:
    from ..index import MotionIndex

    lib = MotionIndex.load(args.library)
    added = lib.add(args.clips, engine=engine_from(args), progress=sys.stderr.isatty())
    _report_skipped(lib.skipped)
    out.write(f"added {added} clips to {args.library}: {len(lib)} clips, {lib.meta.n_windows} windows\n")
    return 0
