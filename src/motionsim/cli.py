"""The `motionsim` command line. Each subcommand parses its arguments and calls one library function.

Exit codes: 0 success, 2 bad input (one line on stderr, no traceback), 1 internal error.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from . import __version__
from .errors import MotionsimError

log = logging.getLogger("motionsim")

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2
PART_LABELS = {"right_arm": "right arm", "left_arm": "left arm", "right_leg": "right leg",
               "left_leg": "left leg", "torso": "torso"}


def _int_at_least(text: str, minimum: int, wanted: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {wanted}, got {text!r}") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"expected {wanted}, got {value}")
    return value


def positive_int(text: str) -> int:
    return _int_at_least(text, 1, "a positive integer")


def nonnegative_int(text: str) -> int:
    return _int_at_least(text, 0, "an integer >= 0")


def window_length(text: str) -> int:
    value = positive_int(text)
    if value % 8:
        raise argparse.ArgumentTypeError(f"the window must be a multiple of 8 (the encoder halves time 3 times), "
                                         f"got {value}")
    return value


def _add_model_args(p: argparse.ArgumentParser, default_stride: int) -> None:
    p.add_argument("--window", type=window_length, default=32,
                   help="window length w in frames, a multiple of 8 (default 32)")
    p.add_argument("--stride", type=positive_int, default=default_stride,
                   help=f"window stride r in frames: a score every r frames (default {default_stride})")
    p.add_argument("--flip", action="store_true",
                   help="also compare the mirror image of the first motion and keep the better score (body flip)")
    p.add_argument("--pad-short", action="store_true",
                   help="hold the last pose of sequences shorter than the window instead of refusing them")
    p.add_argument("--model", metavar="PATH", help="a .safetensors model (default: the bundled model)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="motionsim", description="How similar are two human motions, body part by body part.")
    parser.add_argument("--version", action="version", version=f"motionsim {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    parser.add_argument("--debug", action="store_true", help="show the full traceback of internal errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("compare", help="compare two motions (keypoint files or videos)",
                       description="Compare two motions per body part (BPE, Algorithm 1). A and B are keypoint "
                       "files (.json NTU/COCO-17, OpenPose JSON folders, MediaPipe dumps, .npy/.npz (T,17,2|3), "
                       ".csv) or videos.")
    p.add_argument("a", metavar="A", help="first motion (the one mirrored by --flip)")
    p.add_argument("b", metavar="B", help="second motion")
    _add_model_args(p, default_stride=8)
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    p.add_argument("--out", metavar="FILE", help="also write the JSON result to FILE")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("score-pairs", help="score many pairs of sequences listed in a CSV",
                       description="Score every row of PAIRS.csv (columns sample1, sample2; others kept). A sample "
                       "NAME resolves to DIR/**/NAME.json (or .npy/.npz). Each sequence is embedded once.")
    p.add_argument("pairs", metavar="PAIRS.csv")
    p.add_argument("--skeletons", metavar="DIR", required=True, help="folder searched recursively for samples")
    p.add_argument("--out", metavar="OUT.csv", required=True,
                   help="output CSV: input columns + similarity, five part columns, flipped, error")
    _add_model_args(p, default_stride=2)
    p.set_defaults(func=cmd_score_pairs)

    p = sub.add_parser("demo", help="compare the bundled example motions (no arguments needed)",
                       description="Compare a bundled reference motion with bundled candidates and print the ranking.")
    p.add_argument("--model", metavar="PATH", help="a .safetensors model (default: the bundled model)")
    p.set_defaults(func=cmd_demo)

    for register in _plugin_registrars():
        register(sub)
    return parser


def _plugin_registrars() -> list:
    """Subcommands that live beside their feature (synth, train, evaluate), if present."""
    registrars = []
    for module in ("motionsim.synth.cli", "motionsim.train.cli", "motionsim.evaluate.cli"):
        try:
            mod = __import__(module, fromlist=["register"])
        except ModuleNotFoundError as exc:
            if exc.name and module.startswith(exc.name):
                continue
            raise
        registrars.append(mod.register)
    return registrars


# ---------------------------------------------------------------------------- commands
def cmd_compare(args: argparse.Namespace, out: TextIO) -> int:
    from .similarity import compare

    result = compare(args.a, args.b, model=args.model, window=args.window, stride=args.stride,
                     flip=args.flip, pad_short=args.pad_short)
    data = result.to_dict()
    if args.out:
        Path(args.out).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    if args.json:
        out.write(json.dumps(data) + "\n")
    else:
        out.write(format_result(data, args.a, args.b))
    return EXIT_OK


def format_result(data: dict, name_a: str, name_b: str) -> str:
    """Human-readable table of a comparison."""
    def bar(x: float) -> str:
        filled = round(max(0.0, min(1.0, x)) * 20)
        return "#" * filled + "." * (20 - filled)

    lines = [f"A: {name_a} ({data['frames']['a']} frames)", f"B: {name_b} ({data['frames']['b']} frames)",
             f"model: {data['model']}   window {data['window']}, stride {data['stride']}"
             + ("   (A mirrored)" if data["flipped"] else ""), "",
             f"  {'overall':<10} {data['similarity']:+.3f}  {bar(data['similarity'])}"]
    for part, score in data["body_parts"].items():
        lines.append(f"  {PART_LABELS[part]:<10} {score:+.3f}  {bar(score)}")
    windows = data["windows"]
    if windows:
        worst = sorted(windows, key=lambda w: w["similarity"])[:3]
        lines += ["", f"{len(windows)} windows; least similar (frames of A):"]
        for w in worst:
            part = min(w["body_parts"], key=w["body_parts"].get)
            lines.append(f"  frames {w['start_frame']:>5}-{w['end_frame']:<5} {w['similarity']:+.3f}  "
                         f"(weakest: {PART_LABELS[part]} {w['body_parts'][part]:+.3f})")
    return "\n".join(lines) + "\n"


def cmd_score_pairs(args: argparse.Namespace, out: TextIO) -> int:
    from .pairs import score_pairs
    from .similarity import resolve_model

    summary = score_pairs(args.pairs, args.skeletons, args.out, resolve_model(args.model), window=args.window,
                          stride=args.stride, flip=args.flip, pad_short=args.pad_short)
    for row_no, reason in summary.failed[:20]:
        print(f"pair {row_no}: {reason}", file=sys.stderr)
    if summary.n_failed > 20:
        print(f"... and {summary.n_failed - 20} more failed pairs (see the error column)", file=sys.stderr)
    out.write(f"scored {summary.n_scored} of {summary.n_pairs} pairs ({summary.n_failed} failed) "
              f"from {summary.n_sequences} sequences -> {args.out}\n")
    if summary.n_scored == 0 and summary.n_pairs > 0:
        raise MotionsimError("no pair could be scored")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    from .demo import run_demo

    out.write(run_demo(model=args.model))
    return EXIT_OK


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
    except MotionsimError as exc:
        print(f"motionsim: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        print(f"motionsim: error: {exc.strerror}: {exc.filename}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("motionsim: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the one place that turns bugs into exit code 1
        if args.debug:
            raise
        print(f"motionsim: internal error: {type(exc).__name__}: {exc} (run with --debug for details)",
              file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
