"""``motionsim synth ...``: preview the synthetic motions, write them in SARA's layout, list the library."""

from __future__ import annotations

import argparse
import json
from typing import TextIO

from ..errors import PoseFormatError
from .options import nonnegative_int, positive_int


def _preview(args: argparse.Namespace, out: TextIO) -> int:
    from ..synth.motions import MOTION_LIBRARY
    from ..synth.preview import DEFAULT_MOTIONS, render_preview

    motions = args.motions or list(DEFAULT_MOTIONS)
    unknown = [m for m in motions if m not in MOTION_LIBRARY]
    if unknown:
        raise PoseFormatError(f"unknown motion(s) {unknown}; run `motionsim synth list` for the names")
    path = render_preview(args.out, motions=motions, character=args.character)
    out.write(f"preview written to {path}\n")
    return 0


def _write_sara(args: argparse.Namespace, out: TextIO) -> int:
    import numpy as np

    from ..synth.motions import list_motions
    from ..synth.sara import write_sara

    rng = np.random.default_rng(args.seed)
    train, test = list_motions(split="train"), list_motions(split="val")
    if args.n_motions is not None:
        train, test = train[: args.n_motions], test[: max(1, args.n_motions // 4)]
    n = write_sara(args.out_dir, {"train": train, "test": test}, n_variations=args.n_variations, random_state=rng)
    out.write(f"wrote {n} motion.npy files under {args.out_dir}\n")
    return 0


def _list(args: argparse.Namespace, out: TextIO) -> int:
    from ..synth.motions import MOTION_LIBRARY, VAL_FAMILIES

    rows = [{"name": m.name, "category": m.category, "variables": list(m.variables), "parts": list(m.parts),
             "split": "val" if m.family in VAL_FAMILIES else "train"} for m in MOTION_LIBRARY.values()]
    out.write(json.dumps(rows, indent=1) + "\n" if args.json else
                     "".join(f"{r['name']:<18} {r['category']:<10} {r['split']:<6} {','.join(r['variables'])}\n"
                             for r in rows))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``synth`` command and its sub-commands to the main CLI's subparsers."""
    synth = sub.add_parser("synth", help="synthetic SARA-like training motions")
    actions = synth.add_subparsers(dest="synth_command", required=True)
    p = actions.add_parser("preview", help="render stick figures of a few motions from several views (PNG)")
    p.add_argument("--out", default="synth_preview.png", help="output PNG (default: %(default)s)")
    p.add_argument("--motions", nargs="+", help="motion names (default: a sample across categories)")
    p.add_argument("--character", default="bruno", help="character name (default: %(default)s)")
    p.set_defaults(func=_preview)
    w = actions.add_parser("write-sara", help="write the library in SARA's folder layout")
    w.add_argument("out_dir")
    w.add_argument("--n-motions", type=positive_int, default=None, help="training base motions to write (default: all)")
    w.add_argument("--n-variations", type=positive_int, default=8,
                   help="characteristic vectors per motion (default: 8)")
    w.add_argument("--seed", type=nonnegative_int, default=0, help="random seed (default: 0)")
    w.set_defaults(func=_write_sara)
    ls = actions.add_parser("list", help="list the base motions, categories, variables and split")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=_list)
