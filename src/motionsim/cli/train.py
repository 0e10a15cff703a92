"""`motionsim train`: train a BPE model on synthetic data (default) or on a SARA-layout folder."""

from __future__ import annotations

import argparse
import json
import logging
from typing import TextIO

from .options import nonnegative_int, positive_int

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "train", help="train a BPE model (synthetic data or a SARA folder)",
        description="Train the BPE network (docs/training.md) and keep the checkpoint with the lowest validation loss. "
        "Writes OUT/best.safetensors, OUT/last.pt (resume state), OUT/log.csv and, if matplotlib is installed "
        "(pip install 'motionsim[plot]'), OUT/loss_curve.png; if tensorboard is installed, OUT/tensorboard/.")
    p.add_argument("--data", default="synth", metavar="synth|DIR",
                   help="'synth' (the built-in generator, default) or a folder in SARA's layout")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    p.add_argument("--preset", default="default", choices=["tiny", "small", "default"],
                   help="budget preset: tiny trains in under a minute (tests), small in minutes, default is "
                   "4,000 steps of 64 items (the shipped model's recipe is in docs/training.md)")
    p.add_argument("--config", metavar="TOML", help="TOML file of TrainConfig fields (overrides the preset)")
    p.add_argument("--steps", type=positive_int, help="optimisation steps")
    p.add_argument("--batch-size", type=positive_int, help="training items per step (each item is 12 renderings)")
    p.add_argument("--seed", type=nonnegative_int, help="random seed (data, augmentation and weights)")
    p.add_argument("--contrastive-weight", type=float, help="weight of batch-wide InfoNCE (0: paper losses only)")
    p.add_argument("--no-variation-loss", action="store_true", default=None,
                   help="Table 3 ablation: drop the motion variation term of eq. 3")
    p.add_argument("--no-reconstruction", action="store_true", default=None,
                   help="Table 3 ablation: drop the cross reconstruction loss (and the foot loss)")
    p.add_argument("--no-part-targets", dest="part_targets", action="store_false", default=None,
                   help="use the paper's whole-body targets: every part gets var(m, m'') and every m' is a "
                   "negative for every part (default: per-part targets from the generator's 3-D poses)")
    p.add_argument("--resume", action="store_true", help="continue from OUT/last.pt")
    p.add_argument("--init", metavar="MODEL", help="fine-tune this model file (.safetensors) instead of "
                   "starting from random weights")
    p.set_defaults(func=cmd_train)


def cmd_train(args: argparse.Namespace, out: TextIO) -> int:
    from ..errors import MotionsimError
    from ..train.config import load_config
    from ..train.data import make_sources
    from ..train.loop import fit

    cfg = load_config(args.config, args.preset, steps=args.steps, batch_size=args.batch_size, seed=args.seed,
                      contrastive_weight=args.contrastive_weight, no_variation_loss=args.no_variation_loss,
                      no_reconstruction=args.no_reconstruction, part_targets=args.part_targets, data=args.data)
    if args.resume and args.init:
        raise MotionsimError("--resume continues OUT/last.pt and --init starts from a model file: pick one")
    train_source, val_source, record = make_sources(cfg.data, cfg.window, cfg.seed, cfg.floor_motions)
    ckpt, history = fit(cfg, train_source, val_source, args.out, resume=args.resume, init=args.init, record=record)
    best = next(r for r in history.rows if r["step"] == history.best_step)
    summary = {"best_step": history.best_step, "val_loss": round(history.best_val, 4),
               "val_triplet_acc": round(best.get("val_triplet_acc", float("nan")), 4),
               "seconds": round(history.rows[-1]["seconds"], 1), "model": ckpt.path}
    out.write(json.dumps(summary) + "\n")
    return 0
