"""``motionsim demo``: the bundled reference against the bundled candidates, offline, in a second."""

from __future__ import annotations

import argparse
from typing import TextIO

from .options import add_model_choice


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="compare the bundled example motions (no arguments needed)",
                       description="Compare a bundled reference motion with bundled candidates and print the ranking.")
    add_model_choice(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    from ..demo import run_demo

    out.write(run_demo(model=args.model, backend=args.backend))
    return 0
