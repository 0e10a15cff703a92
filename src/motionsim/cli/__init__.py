"""The `motionsim` command line: one module per command (`compare`, `score_pairs`, ...), each with a
``register(subparsers)`` that adds its parser and a ``run(args, out)`` that calls the library; flags several
commands share are defined once in `options`. Building the parser imports no heavy module (start-up is part
of every command), and errors are worded by `motionsim.errors.describe`, as on the web page.

Exit codes: 0 success, 2 bad input (one line on stderr, no traceback), 1 internal error, 130 interrupted.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import TextIO

from .._version import __version__
from ..errors import describe
from . import (
    compare,
    demo,
    evaluate,
    export_onnx,
    extract,
    index,
    live,
    plot,
    score_pairs,
    search,
    serve,
    synth,
    train,
)

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130
#: The commands, in the order ``motionsim --help`` lists them.
COMMANDS = (compare, score_pairs, demo, export_onnx, extract, live, plot, index, search, serve, synth, train, evaluate)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="motionsim", description="How similar are two human motions, body part by body part.",
        epilog="Exit codes: 0 success, 1 internal error (--debug shows the traceback), 2 bad input (one line on "
        "stderr), 130 interrupted by Ctrl-C (compare, extract, plot and score-pairs write their outputs atomically: "
        "nothing partial is left; in live, Ctrl-C ends the take and its outputs are still written).")
    parser.add_argument("--version", action="version", version=f"motionsim {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    parser.add_argument("--debug", action="store_true", help="show the full traceback of internal errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.register(sub)
    return parser


# ---------------------------------------------------------------------------- entry point
def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the CLI; returns the exit code (tests call this in-process)."""
    out = out or sys.stdout
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # usage errors (code 2), --help and --version (code 0)
        return int(exc.code or 0)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="motionsim: %(levelname)s: %(message)s")
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_BAD_INPUT
    try:
        return int(args.func(args, out) or 0)
    except KeyboardInterrupt:
        print("motionsim: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - the one place that turns failures into words and exit codes
        failure = describe(exc)
        if args.debug and (failure.internal or isinstance(exc, ModuleNotFoundError)):
            raise
        if failure.internal:
            print(f"motionsim: internal error: {failure.message} (run with --debug for details)", file=sys.stderr)
            return EXIT_INTERNAL
        print(f"motionsim: error: {failure.message}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
