"""The training run (docs/method.md §4): statistics, then Adam with weight decay and a step decay over the objective
of `objective`, validating every ``val_every`` steps and keeping the checkpoint with the lowest validation
loss; resumable from ``last.pt``, or fine-tuning a model file.
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm import tqdm

from ..model.bpe import BPEModel
from ..model.checkpoint import Checkpoint, load_model, save_model
from ..preprocess import NormStats
from .batches import BatchSource, renderings_to_channels
from .config import TrainConfig
from .logbook import log_row, tensorboard_writer
from .objective import batch_losses, make_batch, validate
from .plot import plot_losses

log = logging.getLogger(__name__)


@dataclass
class History:
    rows: list[dict[str, float]] = field(default_factory=list)
    best_val: float = float("inf")
    best_step: int = -1


def compute_stats(source: BatchSource, cfg: TrainConfig, rng: np.random.Generator) -> NormStats:
    """Channel mean/std over un-augmented training renderings (all motions, bodies and views)."""
    chans = [renderings_to_channels(source.sample_batch(cfg.batch_size, rng).renderings, None, None)
             for _ in range(cfg.stats_batches)]
    stacked = np.concatenate([c.reshape(-1, *c.shape[-2:]) for c in chans])
    return NormStats.from_channels(stacked)


def fit(cfg: TrainConfig, train: BatchSource, val: BatchSource, out_dir: str | Path, *, resume: bool = False,
        init: str | Path | None = None, progress: bool = True, record: dict[str, Any] | None = None,
        callbacks: tuple[Callable[[int, dict[str, float]], None], ...] = ()) -> tuple[Checkpoint, History]:
    """Train a BPE model; writes ``best.safetensors``, ``last.pt`` (resume state), ``log.csv`` and
    ``loss_curve.png`` (with matplotlib) into ``out_dir``. Returns the best checkpoint (lowest validation loss).

    ``init``: a model file to fine-tune (its weights and normalisation statistics; a fresh optimiser, step
    count and best-checkpoint record, since the losses may differ from the ones it was trained with).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    state_path = out_dir / "last.pt"
    resuming = resume and state_path.is_file()
    start_from = None
    if init is not None and not resuming:
        start_from = load_model(init)
    model = BPEModel(start_from.model.config if start_from is not None else None)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=cfg.weight_decay)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=cfg.decay_every, gamma=cfg.lr_decay)
    history, start = History(), 0
    if resuming:
        state = torch.load(state_path, weights_only=False)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        sched.load_state_dict(state["scheduler"])
        stats = NormStats(state["mean"], state["std"])
        rng.bit_generator.state = state["rng"]
        history, start = state["history"], state["step"]
        record = {**state.get("record", {}), **(record or {})}  # e.g. what a fine-tune started from
        log.info("resumed from step %d", start)
    elif start_from is not None:
        model.load_state_dict(start_from.model.state_dict())
        stats = start_from.stats
        record = {**(record or {}), "initialised_from": {"model": str(init), "training": start_from.training}}
        log.info("fine-tuning %s", init)
    else:
        stats = compute_stats(train, cfg, rng)
    stats_t = (torch.from_numpy(stats.mean), torch.from_numpy(stats.std))
    val_rng_seed = cfg.seed + 1_000_003
    writer = tensorboard_writer(out_dir)
    t_start = time.perf_counter() - (history.rows[-1]["seconds"] if history.rows else 0.0)  # resume: keep counting
    bar = tqdm(range(start, cfg.steps), initial=start, total=cfg.steps, desc="training", disable=not progress)
    for step in bar:
        model.train()
        x, var, parts = make_batch(train, cfg, stats, rng)
        losses = batch_losses(model, x, var, cfg, stats_t, parts)
        opt.zero_grad(set_to_none=True)
        losses["total"].backward()
        opt.step()
        sched.step()
        row = {f"train_{k}": float(v.detach()) for k, v in losses.items()}
        row.update(step=step + 1, lr=sched.get_last_lr()[0], seconds=time.perf_counter() - t_start)
        validating = (step + 1) % cfg.val_every == 0 or step + 1 == cfg.steps
        if validating:
            row.update(validate(model, val, cfg, stats, stats_t, np.random.default_rng(val_rng_seed)))
        history.rows.append(row)
        columns = ["step", "lr", "seconds", *(f"{split}_{k}" for split in ("train", "val") for k in losses),
                   "val_triplet_acc"]
        log_row(out_dir / "log.csv", row, columns, writer)
        if validating:
            if row["val_total"] < history.best_val:
                history.best_val, history.best_step = row["val_total"], step + 1
                _save(model, stats, cfg, history, row, out_dir / "best.safetensors", record)
            torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "scheduler": sched.state_dict(),
                        "mean": stats.mean, "std": stats.std, "rng": rng.bit_generator.state,
                        "history": history, "step": step + 1, "record": record}, state_path)
        bar.set_postfix(loss=f"{row['train_total']:.3f}", val=f"{history.best_val:.3f}")
        for cb in callbacks:
            cb(step + 1, row)
    if writer is not None:
        writer.close()
    plot_losses(history.rows, out_dir / "loss_curve.png")
    return load_model(out_dir / "best.safetensors"), history


def _save(model: BPEModel, stats: NormStats, cfg: TrainConfig, history: History, row: dict[str, float],
          path: Path, record: dict[str, Any] | None) -> None:
    frozen = copy.deepcopy(model).eval()
    training = {"trained": True, "config": cfg.to_dict(), "step": history.best_step,
                "val_loss": row["val_total"], "val_triplet_acc": row.get("val_triplet_acc"),
                "train_loss": row["train_total"], "seconds": round(row["seconds"], 1), **(record or {})}
    save_model(Checkpoint(frozen, stats, training=training), path)
