"""``motionsim score-pairs PAIRS.csv --skeletons DIR --out OUT.csv``: many pairs, each clip embedded once."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from ..errors import MotionsimError
from .options import add_engine_args, add_scoring_args, engine_from, uses_cluster


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("score-pairs", help="score many pairs of sequences listed in a CSV",
                       description="Score every row of PAIRS.csv (columns sample1, sample2; others kept). A sample "
                       "NAME resolves to DIR/**/NAME.json (or .npy/.npz). Each sequence is embedded once, in "
                       "blocks of 256 clips; the pairs are scored in groups by the blocks of their two clips, so "
                       "with --engine ray a task fetches only the embeddings it scores and the clips' embeddings "
                       "may exceed Ray's object store (spilled to disk). The CSV is the same on every engine.")
    p.add_argument("pairs", metavar="PAIRS.csv")
    p.add_argument("--skeletons", metavar="DIR", required=True, help="folder searched recursively for samples")
    p.add_argument("--out", metavar="OUT.csv", required=True,
                   help="output CSV: input columns + similarity, five part columns, flipped, error")
    add_scoring_args(p, default_stride=2)
    add_engine_args(p, resumable=True)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    from ..model.runtime import resolve_model
    from ..pairs import score_pairs

    model = resolve_model(args.model, args.backend)
    work_dir = Path(args.out).parent / f".{Path(args.out).name}.work" if uses_cluster(args) else None
    summary = score_pairs(args.pairs, args.skeletons, args.out, model, window=args.window, stride=args.stride,
                          flip=args.flip, pad_short=args.pad_short, weighting=args.part_weights,
                          engine=engine_from(args), work_dir=work_dir)
    for row_no, reason in summary.failed[:20]:
        print(f"pair {row_no}: {reason}", file=sys.stderr)
    if summary.n_failed > 20:
        print(f"... and {summary.n_failed - 20} more failed pairs (see the error column)", file=sys.stderr)
    out.write(f"scored {summary.n_scored} of {summary.n_pairs} pairs ({summary.n_failed} failed) "
              f"from {summary.n_sequences} sequences -> {args.out}\n")
    if summary.n_scored == 0 and summary.n_pairs > 0:
        raise MotionsimError("no pair could be scored")
    return 0
