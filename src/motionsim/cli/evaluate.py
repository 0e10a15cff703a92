"""`motionsim evaluate ntu`: the paper's Table 2 (and Table 3 rows for BPE variants) on the user's skeletons;
`motionsim evaluate synth`: retrieval, variation ranking, part localisation on held-out synthetic motions."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TextIO

from ..errors import MotionsimError
from ..evaluate.methods import DEFAULT_METHODS, METHODS, MethodOptions
from .options import add_engine_args, engine_from, nonnegative_int, positive_int, uses_cluster, window_length

_NAME = re.compile(r"^[A-Za-z0-9_.\-]+$")
DEFAULT_OUT = "ntu_pair_scores.csv"


def _method_names(text: str, known: Iterable[str]) -> list[str]:
    """A comma-separated --methods value, checked against ``known``."""
    known = list(known)
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown method {', '.join(unknown) or '(none)'}; "
                                         f"choose from {','.join(known)}")
    return names


def _methods(text: str) -> list[str]:
    return _method_names(text, METHODS)


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``evaluate`` (with its ``ntu``, ``synth`` and ``real`` benchmarks) to the main CLI."""
    p = sub.add_parser("evaluate", help="benchmark similarity methods against human ratings",
                              description="Benchmarks of similarity methods against human judgement.")
    benchmarks = p.add_subparsers(dest="benchmark", metavar="BENCHMARK")
    p.set_defaults(func=lambda args, out: _missing_benchmark(p))
    n = benchmarks.add_parser(
        "ntu", help="Spearman correlation with the NTU RGB+D 120 AMT ratings (the paper's Table 2)",
        description="Score every pair of the AMT annotation file (bundled; or --pairs) with each method, original "
        "and body flip, and print Spearman's rank correlation with AMT_score. Clips are DIR/**/<sample>.json in "
        "the NTU refined-skeleton format (or .npy/.npz); missing clips are reported and their pairs skipped.")
    n.add_argument("--skeletons", metavar="DIR", required=True, help="folder searched recursively for the clips")
    n.add_argument("--pairs", metavar="CSV", help="pairs file with sample1, sample2 and the rating column "
                   "(default: the bundled NTU AMT annotations, 20,093 pairs)")
    n.add_argument("--methods", type=_methods, default=list(DEFAULT_METHODS),
                   help=f"comma-separated, from {','.join(METHODS)} (default: {','.join(DEFAULT_METHODS)}; "
                   "bpe_equal is BPE with the paper's plain mean of the parts as the overall score)")
    n.add_argument("--model", metavar="[NAME=]PATH", action="append", default=[],
                   help="BPE checkpoint. A bare PATH replaces the default 'bpe' model; NAME=PATH adds a BPE row "
                   "NAME (e.g. Table 3 ablations: --model no_var=a.safetensors --model no_rec=b.safetensors). "
                   "Repeatable")
    n.add_argument("--checkpoints", metavar="DIR", help="add every DIR/*.safetensors as a BPE row named by its file")
    n.add_argument("--whole-body-model", metavar="PATH", help="checkpoint of the whole-body baseline")
    n.add_argument("--lstm-model", metavar="PATH", help="checkpoint of the LSTM baseline")
    n.add_argument("--window", type=window_length, default=32,
                   help="window length w in frames (default 32, as the paper)")
    n.add_argument("--stride", type=positive_int, default=2, help="window stride r (default 2, as the paper)")
    n.add_argument("--frame-step", type=positive_int, default=1,
                   help="frame-level baselines use every n-th frame (default 1: all frames)")
    n.add_argument("--target-column", default="AMT_score", help="rating column (default AMT_score)")
    n.add_argument("--out", metavar="CSV", default=DEFAULT_OUT, help=f"per-pair scores (default {DEFAULT_OUT})")
    n.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    add_engine_args(n, resumable=True)
    n.set_defaults(func=cmd_evaluate_ntu)
    _register_synth(benchmarks)
    _register_real(benchmarks)


def _synth_methods(text: str) -> list[str]:
    from ..evaluate.synth_methods import SYNTH_METHOD_NAMES

    return _method_names(text, SYNTH_METHOD_NAMES)


def _add_benchmark_args(p: argparse.ArgumentParser, default_methods: str, seed_help: str) -> None:
    """The options `evaluate synth` and `evaluate real` share: which methods and models, w, r, output."""
    p.add_argument("--model", metavar="[NAME=]PATH", action="append", default=[],
                   help="BPE checkpoint. A bare PATH is the 'bpe' model (and the source of random_weights' "
                   "architecture and normalisation); NAME=PATH adds a row NAME. Repeatable")
    p.add_argument("--methods", type=_synth_methods, default=None,
                   help=f"comma-separated, from {','.join(METHODS)},random_weights (default: {default_methods}; "
                   "bpe_equal: BPE with the paper's plain mean of the parts)")
    p.add_argument("--seed", type=nonnegative_int, default=0, help=seed_help)
    p.add_argument("--window", type=window_length, default=32, help="window length w in frames (default 32)")
    p.add_argument("--stride", type=positive_int, default=2, help="window stride r (default 2, as NTU)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the table")


def _register_synth(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser(
        "synth", help="retrieval, variation ranking and part localisation on held-out synthetic motions",
        description="Render the validation base motions of the synthetic library on the validation characters "
        "from several cameras (nothing a model was trained on) and report, per method: retrieval mAP and "
        "recall@1 of the same motion worn by another body and seen by another camera; Spearman between the "
        "motion variation of eq. 2 and 1 - similarity; part localisation accuracy; related-motion AUC. "
        "See docs/evaluation.md.")
    _add_benchmark_args(s, "bpe,random_weights,joint_distance",
                        "seed of the renderings and of the random weights (default 0)")
    s.add_argument("--size", choices=("default", "small"), default="default",
                   help="'small' is a quick look on 6 motions (default: all validation motions)")
    s.set_defaults(func=cmd_evaluate_synth)


def _register_real(sub: argparse._SubParsersAction) -> None:
    r = sub.add_parser(
        "real", help="rank pairs of real motion capture (same / related / other); see docs/real_motion.md",
        description="Score every pair of renderings of the real-motion validation set (built into a cache folder by "
        "tools/build_real_motion.py; nothing is downloaded here) and report Spearman with the pair labels (4 same "
        "segment, 2.5 related motion, 1 other), same > rest AUC, related > other AUC and retrieval mAP; for BPE "
        "rows also each body part alone and the minimum over parts.")
    _add_benchmark_args(r, "bpe,random_weights,joint_distance,whole_body,lstm",
                        "seed of the random weights (default 0)")
    r.add_argument("--cache", metavar="DIR", help="folder of the built set (default: the user cache folder)")
    r.add_argument("--no-flip", action="store_true", help="score the original pairs only (default: body flip)")
    r.set_defaults(func=cmd_evaluate_real)


def _run_benchmark(args: argparse.Namespace, out: TextIO, default_names: Iterable[str],
                   evaluate: Callable[[list], Any], table: Callable[[Any], str]) -> int:
    """Build the asked methods, run one benchmark, print its table or JSON; exit 2 when no method could run."""
    from ..evaluate.synth_methods import build_synth_methods

    default, variants = parse_models(args.model, None)
    names = args.methods if args.methods is not None else list(default_names)
    ev = evaluate(build_synth_methods(names, default, variants, seed=args.seed, window=args.window,
                                      stride=args.stride))
    out.write(json.dumps(ev.to_dict()) + "\n" if args.json else table(ev))
    if not ev.results:
        raise MotionsimError("no method could run: " + "; ".join(f"{k}: {v}" for k, v in ev.skipped.items()))
    return 0


def cmd_evaluate_synth(args: argparse.Namespace, out: TextIO) -> int:
    import dataclasses

    from ..evaluate.report import format_synth_table
    from ..evaluate.synth_methods import DEFAULT_SYNTH_METHODS
    from ..evaluate.synth_tasks import SIZES
    from ..evaluate.synthetic import evaluate_synthetic

    config = dataclasses.replace(SIZES[args.size], seed=args.seed)
    return _run_benchmark(args, out, DEFAULT_SYNTH_METHODS,
                          lambda methods: evaluate_synthetic(methods, config, progress=sys.stderr.isatty()),
                          format_synth_table)


def cmd_evaluate_real(args: argparse.Namespace, out: TextIO) -> int:
    from ..evaluate.real import DEFAULT_REAL_METHODS, evaluate_real, format_real_table

    return _run_benchmark(args, out, DEFAULT_REAL_METHODS,
                          lambda methods: evaluate_real(methods, args.cache, flip=not args.no_flip,
                                                        progress=sys.stderr.isatty()),
                          format_real_table)


def _missing_benchmark(parser: argparse.ArgumentParser) -> int:
    raise MotionsimError("evaluate needs a benchmark: motionsim evaluate ntu --skeletons DIR, "
                         "or motionsim evaluate synth, or motionsim evaluate real")


def parse_models(specs: list[str], checkpoints: str | None) -> tuple[str | None, dict[str, str]]:
    """``--model`` / ``--checkpoints`` -> (default BPE model or None, {variant name: path}); every path must exist."""
    default: str | None = None
    variants: dict[str, str] = {}
    for spec in specs:
        name, sep, path = spec.partition("=")
        if sep and _NAME.match(name) and not Path(spec).exists():
            variants[name] = path
        elif default is None:
            default = spec
        else:
            raise MotionsimError(f"--model {spec}: a second unnamed model; name the variants as NAME=PATH")
    if checkpoints:
        folder = Path(checkpoints)
        if not folder.is_dir():
            raise MotionsimError(f"--checkpoints {folder}: not a folder")
        found = sorted(folder.glob("*.safetensors"))
        if not found:
            raise MotionsimError(f"--checkpoints {folder}: no .safetensors files in it")
        variants.update({p.stem: str(p) for p in found})
    for path in [default, *variants.values()]:
        if path is not None and not Path(path).is_file():
            raise MotionsimError(f"{path}: model file not found")
    return default, variants


def cmd_evaluate_ntu(args: argparse.Namespace, out: TextIO) -> int:
    from ..evaluate.harness import evaluate_ntu
    from ..evaluate.report import format_table

    default, variants = parse_models(args.model, args.checkpoints)
    for flag, path in (("--whole-body-model", args.whole_body_model), ("--lstm-model", args.lstm_model)):
        if path and not Path(path).is_file():
            raise MotionsimError(f"{flag} {path}: checkpoint not found")
    options = MethodOptions(window=args.window, stride=args.stride, bpe_model=default, variants=variants,
                            whole_body_model=args.whole_body_model, lstm_model=args.lstm_model,
                            frame_step=args.frame_step)
    engine = work_dir = None
    if uses_cluster(args):
        engine = engine_from(args)
        work_dir = Path(args.out).parent / f".{Path(args.out).name}.work"
    ev = evaluate_ntu(args.skeletons, args.pairs, args.methods, options, args.target_column,
                      progress=sys.stderr.isatty(), engine=engine, work_dir=work_dir)
    csv_path = str(ev.write_csv(args.out))
    if args.json:
        out.write(json.dumps(dict(ev.to_dict(), csv=csv_path)) + "\n")
    else:
        out.write(format_table(ev, csv_path))
    if not ev.results:
        raise MotionsimError("no method could run: " + "; ".join(f"{k}: {v}" for k, v in ev.skipped.items()))
    if ev.n_used == 0:
        raise MotionsimError(f"no pair could be scored ({len(ev.bad_clips)} clips missing or unreadable)")
    return 0
