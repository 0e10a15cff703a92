"""The `motionsim` command line. Each subcommand parses its arguments and calls one library function.

Exit codes: 0 success, 2 bad input (one line on stderr, no traceback), 1 internal error, 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ._version import __version__
from .argtypes import nonnegative_int, positive_int, unit_float, window_length  # noqa: F401 - re-exported
from .atomic import atomic_output
from .errors import MissingExtraError, MotionsimError
from .inputs import add_model_choice, add_video_args, load_input, person_for
from .skeleton import PART_LABELS, PART_WEIGHTINGS

if TYPE_CHECKING:  # pragma: no cover
    from .pose import PoseSequence

log = logging.getLogger("motionsim")

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2
#: Modules of the optional extras (pyproject.toml) -> the extra that installs them.
OPTIONAL_MODULES = {"torch": "train", "safetensors": "train", "onnx": "train", "tomli": "train",
                    "tensorboard": "train", "cv2": "video", "mediapipe": "video", "av": "video",
                    "matplotlib": "plot", "sklearn": "plot", "fastapi": "web", "uvicorn": "web",
                    "multipart": "web", "jinja2": "web"}


def _add_model_args(p: argparse.ArgumentParser, default_stride: int) -> None:
    p.add_argument("--window", type=window_length, default=32,
                   help="window length w in frames, a multiple of 8 (default 32)")
    p.add_argument("--stride", type=positive_int, default=default_stride,
                   help=f"window stride r in frames: a score every r frames (default {default_stride})")
    p.add_argument("--flip", action="store_true",
                   help="also compare the mirror image of the first motion and keep the better score (body flip)")
    p.add_argument("--pad-short", action="store_true",
                   help="hold the last pose of sequences shorter than the window instead of refusing them")
    p.add_argument("--part-weights", choices=PART_WEIGHTINGS, default="movement",
                   help="how the overall score combines the part scores: 'movement' weights each part by how much "
                   "it moves in the two motions (default), 'equal' is the paper's plain mean")
    add_model_choice(p)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="motionsim", description="How similar are two human motions, body part by body part.",
        epilog="Exit codes: 0 success, 1 internal error (--debug shows the traceback), 2 bad input (one line on "
        "stderr), 130 interrupted by Ctrl-C (compare, extract, plot and score-pairs write their outputs atomically: "
        "nothing partial is left).")
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
    p.add_argument("--video", metavar="OUT.mp4", help="write the feedback video: A and B side by side, B following "
                   "A's timeline, each body part coloured by its score (H.264, plays in browsers)")
    p.add_argument("--report", metavar="OUT.html", help="write a self-contained HTML report (scores, timeline, "
                   "least similar moments, the feedback video), readable offline")
    p.add_argument("--threshold", type=unit_float, default=0.4,
                   help="part score that separates similar (green) from different (red) in --video and "
                   "--report (default 0.4, the paper's dance application)")
    add_video_args(p)
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("score-pairs", help="score many pairs of sequences listed in a CSV",
                       description="Score every row of PAIRS.csv (columns sample1, sample2; others kept). A sample "
                       "NAME resolves to DIR/**/NAME.json (or .npy/.npz). Each sequence is embedded once.")
    p.add_argument("pairs", metavar="PAIRS.csv")
    p.add_argument("--skeletons", metavar="DIR", required=True, help="folder searched recursively for samples")
    p.add_argument("--out", metavar="OUT.csv", required=True,
                   help="output CSV: input columns + similarity, five part columns, flipped, error")
    _add_model_args(p, default_stride=2)
    p.add_argument("--engine", choices=["local", "ray"], default="local",
                   help="run in this process (default) or as Ray tasks (needs motionsim[ray]); same output CSV; "
                   "with ray, finished shards are kept in .OUT.csv.work/ so an interrupted run resumes")
    p.add_argument("--address", metavar="auto|HOST:PORT", default=None,
                   help="Ray cluster to join (default: start a private local cluster on 127.0.0.1)")
    p.set_defaults(func=cmd_score_pairs)

    p = sub.add_parser("demo", help="compare the bundled example motions (no arguments needed)",
                       description="Compare a bundled reference motion with bundled candidates and print the ranking.")
    add_model_choice(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("export-onnx", help="export a model's motion encoders to ONNX (inference without PyTorch)",
                       description="Write the five motion encoders of a .safetensors model (what inference uses) and "
                       "its normalisation statistics as one ONNX file that onnxruntime runs; checks that both "
                       "give the same embeddings. Needs PyTorch and onnx: pip install 'motionsim[train]'.")
    p.add_argument("model", nargs="?", metavar="MODEL", help=".safetensors model (default: the bundled weights)")
    p.add_argument("-o", "--out", required=True, metavar="OUT.onnx", help="ONNX file to write")
    p.set_defaults(func=cmd_export_onnx)

    for register in _plugin_registrars():
        register(sub)
    return parser


def _plugin_registrars() -> list:
    """Subcommands that live beside their feature (synth, train, evaluate), if present."""
    registrars = []
    for module in ("motionsim.extract_cli", "motionsim.plot_cli", "motionsim.index_cli", "motionsim.serve_cli",
                   "motionsim.synth.cli", "motionsim.train.cli", "motionsim.evaluate.cli"):
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

    for target, suffix in ((args.video, ".mp4"), (args.report, ".html")):
        if target and Path(target).suffix.lower() != suffix:
            raise MotionsimError(f"{target}: expected a {suffix} file name")
    started = time.perf_counter()
    seq_a, seq_b = load_input(args.a, args, 0), load_input(args.b, args, 1)
    loaded = time.perf_counter()
    result = compare(seq_a, seq_b, model=args.model, backend=args.backend, window=args.window, stride=args.stride,
                     flip=args.flip, pad_short=args.pad_short, weighting=args.part_weights)
    data = result.to_dict()
    log.info("poses %.2f s, scoring %.2f s", loaded - started, time.perf_counter() - loaded)
    if args.out:
        with atomic_output(args.out) as tmp:
            tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    if args.video or args.report:
        write_feedback(args, seq_a, seq_b, data)
    if args.json:
        out.write(json.dumps(data) + "\n")
    else:
        out.write(format_result(data, args.a, args.b))
        for target in (args.video, args.report):
            if target:
                out.write(f"wrote {target}\n")
    return EXIT_OK


def write_feedback(args: argparse.Namespace, seq_a: PoseSequence, seq_b: PoseSequence, data: dict) -> None:
    """The feedback video and/or the report of one comparison (the report embeds the video)."""
    import tempfile

    from .render import render_feedback_video, write_report

    started = time.perf_counter()
    videos = {k: path if seq.meta.get("format") == "video" else None
              for k, path, seq in (("a", args.a, seq_a), ("b", args.b, seq_b))}
    names = {f"name_{k}": Path(path).name + (f" (person {person_for(args, i)})"
                                             if person_for(args, i) != "auto" else "")
             for i, (k, path) in enumerate((("a", args.a), ("b", args.b)))}
    with tempfile.TemporaryDirectory(prefix="motionsim-") as tmp:
        feedback = args.video or str(Path(tmp) / "feedback.mp4")
        render_feedback_video(seq_a, seq_b, data, feedback, video_a=videos["a"], video_b=videos["b"],
                              threshold=args.threshold, **names)
        if args.report:
            write_report(data, seq_a, seq_b, args.report, video_a=videos["a"], video_b=videos["b"],
                         feedback_video=feedback, threshold=args.threshold, **names)
    log.info("rendering %.2f s", time.perf_counter() - started)


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


def cmd_score_pairs(args: argparse.Namespace, out: TextIO) -> int:
    from .engine import get_engine
    from .model.runtime import resolve_model
    from .pairs import score_pairs

    model = resolve_model(args.model, args.backend)
    work_dir = None
    if args.engine != "local" or args.address:
        work_dir = Path(args.out).parent / f".{Path(args.out).name}.work"
    summary = score_pairs(args.pairs, args.skeletons, args.out, model, window=args.window, stride=args.stride,
                          flip=args.flip, pad_short=args.pad_short, weighting=args.part_weights,
                          engine=get_engine(args.engine, args.address), work_dir=work_dir)
    for row_no, reason in summary.failed[:20]:
        print(f"pair {row_no}: {reason}", file=sys.stderr)
    if summary.n_failed > 20:
        print(f"... and {summary.n_failed - 20} more failed pairs (see the error column)", file=sys.stderr)
    out.write(f"scored {summary.n_scored} of {summary.n_pairs} pairs ({summary.n_failed} failed) "
              f"from {summary.n_sequences} sequences -> {args.out}\n")
    if summary.n_scored == 0 and summary.n_pairs > 0:
        raise MotionsimError("no pair could be scored")
    return EXIT_OK


def cmd_export_onnx(args: argparse.Namespace, out: TextIO) -> int:
    import numpy as np

    from .model.onnx import OnnxModel, export_onnx

    if Path(args.out).suffix.lower() != ".onnx":
        raise MotionsimError(f"{args.out}: expected an .onnx file name")
    try:
        from .model.checkpoint import default_model_path, load_model
    except ImportError as exc:
        raise MissingExtraError("export-onnx reads PyTorch weights: pip install 'motionsim[train]'") from exc
    source = args.model or default_model_path()
    ckpt = load_model(source)
    export_onnx(ckpt, args.out, source=source)
    windows = np.random.default_rng(0).normal(size=(64, ckpt.stats.mean.shape[0], 32)).astype(np.float32)
    exported, reference = OnnxModel(args.out).embed(windows), ckpt.embed(windows)
    gap = max(float(np.abs(exported[p] - reference[p]).max()) for p in reference)
    out.write(f"wrote {args.out} ({Path(args.out).stat().st_size / 1e6:.1f} MB) from {Path(source).name}; "
              f"largest difference from PyTorch on random windows: {gap:.1e}\n")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    from .demo import run_demo

    out.write(run_demo(model=args.model, backend=args.backend))
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
        extra = OPTIONAL_MODULES.get((getattr(exc, "name", None) or "").split(".")[0])
        if isinstance(exc, ModuleNotFoundError) and extra and not args.debug:
            print(f"motionsim: error: this needs {exc.name}, which a plain install leaves out: "
                  f"pip install 'motionsim[{extra}]'", file=sys.stderr)
            return EXIT_BAD_INPUT
        if args.debug:
            raise
        print(f"motionsim: internal error: {type(exc).__name__}: {exc} (run with --debug for details)",
              file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
