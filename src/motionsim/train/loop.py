"""The training loop (DESIGN §4): cross reconstruction of the 3 motions x 2 bodies x 2 views, per-part motion
quadruplet losses with the variation term, skeleton and view triplets, foot velocity; Adam with weight decay
and a step decay; the checkpoint with the lowest validation loss is kept. Resumable.
"""

from __future__ import annotations

import csv
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm

from ..model.bpe import BPEModel
from ..model.checkpoint import Checkpoint, load_model, save_model
from ..preprocess import NormStats
from ..skeleton import BODY_PARTS, PART_SLICES
from . import losses as L
from .batches import normalise, renderings_to_channels
from .config import TrainConfig

log = logging.getLogger(__name__)

# Renderings X[i, j, k]: i motion (0 m, 1 m'' variation, 2 m' other motion), j skeleton, k view.
MOTION_KEYS = {"P": (0, 0, 0), "P22": (0, 1, 1), "SP": (1, 0, 0), "SP22": (1, 1, 1), "N": (2, 1, 1)}
# quadruplets (anchor, positive, semi-positive) against N, as in the authors' code
QUADRUPLETS = (("P22", "P", "SP22"), ("SP22", "SP", "P22"), ("SP", "SP22", "P"), ("P", "P22", "SP"))
# codes used for cross reconstruction: motion i from M_SRC[i], skeleton j from S_SRC[j], view k from C_SRC[k]
M_SRC, S_SRC, C_SRC = ((0, 0, 0), (1, 0, 0), (2, 1, 1)), ((0, 0, 0), (2, 1, 1)), ((0, 0, 0), (2, 1, 1))


class Batch(Protocol):
    renderings: np.ndarray  # (B, 3, 2, 2, T, 17, 2): motions m, m'', m' x skeletons x views, COCO-17 2-D
    variation: np.ndarray  # (B,): var(m, m'') of eq. 2
    # optional per-part 3-D differences (B, 5), (B, 5), (B, B, 5): see `motionsim.synth.TrainingBatch`
    part_change: np.ndarray | None
    part_negative: np.ndarray | None
    part_pairwise: np.ndarray | None


class BatchSource(Protocol):
    """Anything that yields training items (`motionsim.synth.SynthSampler`, `SaraSampler`)."""

    def sample_batch(self, n: int, random_state: np.random.Generator) -> Batch: ...


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


@dataclass
class PartTargets:
    """What each part of each item should learn, from the batch's per-part 3-D differences.

    variation (B, 5): var(m, m'') of eq. 2 given to the parts the variation moved, in proportion to how much
    each moved (a raised arm is no reason for the legs' embeddings to move);
    negative_weight (B, 5): 0 where m' moves the part as m does (no reason to push it away), 1 where it
    clearly differs; ignore (B, B, 5): pairs of items whose part does the same thing (not InfoNCE negatives).
    Distances are measured in units of the batch's median m-vs-m' distance of that part.
    """

    variation: torch.Tensor
    negative_weight: torch.Tensor
    ignore: torch.Tensor | None


def part_targets(variation: torch.Tensor, batch: Batch, cfg: TrainConfig) -> PartTargets | None:
    """`PartTargets` of a batch, or None when the source gives no per-part labels or they are switched off
    (then every part gets the whole-body var and every m' is a negative, as in the paper)."""
    if not cfg.part_targets or getattr(batch, "part_change", None) is None or batch.part_negative is None:
        return None
    negative = torch.as_tensor(batch.part_negative, dtype=torch.float32)
    unit = negative.median(dim=0).values.clamp(min=1e-6)  # (5,)
    lo, hi = cfg.shared_part_below, cfg.shared_part_above
    change = torch.as_tensor(batch.part_change, dtype=torch.float32) / unit
    share = change / change.max(dim=1, keepdim=True).values.clamp(min=1e-6)
    weight = ((negative / unit - lo) / (hi - lo)).clamp(0.0, 1.0)
    ignore = None
    if batch.part_pairwise is not None:
        ignore = torch.as_tensor(batch.part_pairwise, dtype=torch.float32) / unit < lo
    return PartTargets(variation[:, None] * share, weight, ignore)


def batch_losses(model: BPEModel, x: torch.Tensor, variation: torch.Tensor, cfg: TrainConfig,
                 stats: tuple[torch.Tensor, torch.Tensor], parts: PartTargets | None = None) -> dict[str, torch.Tensor]:
    """All losses of one batch; ``x`` has shape (B, 3, 2, 2, 38, T), normalised; ``parts``: per-part
    targets (None: the paper's whole-body ones)."""
    b = x.shape[0]

    def pick(keys: list[tuple[int, int, int]]) -> torch.Tensor:
        return torch.cat([x[:, i, j, k] for i, j, k in keys])

    out: dict[str, torch.Tensor] = {}
    # ---- motion embeddings of the five renderings the quadruplets use
    m_in = pick(list(MOTION_KEYS.values()))
    sim_loss, norm_loss, nce, shared = 0.0, 0.0, 0.0, 0.0
    motion_codes: dict[str, torch.Tensor] = {}
    for p, part in enumerate(BODY_PARTS):
        codes = model.encode_motion(m_in, part)  # (5B, C, T/8)
        motion_codes[part] = codes
        flat = dict(zip(MOTION_KEYS, codes.flatten(1).split(b)))
        var = variation if parts is None else parts.variation[:, p]
        weight = None if parts is None else parts.negative_weight[:, p]
        for anchor, pos, semi in QUADRUPLETS:
            sim_loss = sim_loss + L.motion_quadruplet_loss(
                flat[anchor], flat[pos], flat[semi], flat["N"], var, cfg.motion_margin, cfg.variation_alpha,
                cfg.variation_beta, use_variation=not cfg.no_variation_loss, negative_weight=weight) / len(QUADRUPLETS)
        if weight is not None and cfg.shared_part_weight > 0:
            shared = shared + L.shared_part_loss(flat["P"], flat["N"], 1.0 - weight)
            if parts.ignore is not None:  # every other pair of items that moves this part the same way
                shared = shared + L.shared_pairs_loss(flat["P"], flat["P22"], parts.ignore[..., p])
        norm_loss = norm_loss + L.norm_loss(codes.flatten(1))
        if cfg.contrastive_weight > 0:
            ignore = None if parts is None or parts.ignore is None else parts.ignore[..., p]
            nce = nce + L.info_nce(flat["P"], flat["P22"], cfg.contrastive_temperature, ignore)
    n_parts = len(BODY_PARTS)
    out["similarity"] = cfg.similarity_weight * sim_loss / n_parts
    out["norm"] = cfg.norm_weight * norm_loss / n_parts
    if parts is not None and cfg.shared_part_weight > 0:
        out["shared_part"] = cfg.shared_part_weight * shared / n_parts
    if cfg.contrastive_weight > 0:
        out["contrastive"] = cfg.contrastive_weight * nce / n_parts
    # ---- skeleton and view triplets (bodies and views must separate, so they carry no motion)
    s_keys = [(0, 0, 0), (2, 0, 1), (0, 1, 0), (2, 1, 1)]
    s_in = pick(s_keys)
    skel = {p: model.encode_skeleton(s_in, p).flatten(1).split(b) for p in BODY_PARTS}
    static = 0.0
    for p in BODY_PARTS:
        a0, p0, n0, a1 = skel[p]
        static = static + F.triplet_margin_loss(a0, p0, n0, margin=cfg.static_margin)
        static = static + F.triplet_margin_loss(a1, n0, p0, margin=cfg.static_margin)
    v_keys = [(0, 0, 0), (2, 1, 0), (0, 0, 1), (2, 1, 1)]
    va, vp, vn, vb = model.encode_view(pick(v_keys)).flatten(1).split(b)
    static = static / n_parts + F.triplet_margin_loss(va, vp, vn, margin=cfg.static_margin)
    static = static + F.triplet_margin_loss(vb, vn, vp, margin=cfg.static_margin)
    out["static"] = cfg.static_weight * static
    # ---- cross reconstruction of all 12 renderings (eq. 5) and foot velocity
    if not cfg.no_reconstruction:
        combos = [(i, j, k) for i in range(3) for j in range(2) for k in range(2)]
        target = pick(combos)  # (12B, 38, T)
        views = model.encode_view(pick(list(C_SRC))).split(b)
        rec, recon = 0.0, {}
        src_pos = {key: n for n, key in enumerate(MOTION_KEYS.values())}
        s_src = pick(list(S_SRC))
        for part in BODY_PARTS:
            m_codes = motion_codes[part].split(b)
            # motion codes of M_SRC come from the quadruplet forward pass where available
            m = [m_codes[src_pos[key]] if key in src_pos else model.encode_motion(x[:, key[0], key[1], key[2]], part)
                 for key in M_SRC]
            s = model.encode_skeleton(s_src, part).split(b)
            motion = torch.cat([m[i] for i, _, _ in combos])
            skeleton = torch.cat([s[j] for _, j, _ in combos])
            view = torch.cat([views[k] for _, _, k in combos])
            recon[part] = model.decode(motion, skeleton, view, part)
            rec = rec + F.mse_loss(recon[part], target[:, PART_SLICES[part]])
        out["reconstruction"] = cfg.reconstruction_weight * rec / n_parts
        if cfg.foot_weight > 0:
            mean, std = stats

            def raw(t: torch.Tensor, part: str) -> torch.Tensor:
                sl = PART_SLICES[part]
                return t * std[sl, None] + mean[sl, None]

            out["foot"] = cfg.foot_weight * L.foot_loss(
                (raw(recon["right_leg"], "right_leg"), raw(recon["left_leg"], "left_leg")),
                (raw(target[:, PART_SLICES["right_leg"]], "right_leg"), raw(target[:, PART_SLICES["left_leg"]],
                                                                               "left_leg")),
                raw(recon["torso"], "torso"), raw(target[:, PART_SLICES["torso"]], "torso"))
    out["total"] = sum(out.values())
    return out


def make_batch(source: BatchSource, cfg: TrainConfig, stats: NormStats, rng: np.random.Generator,
               augment: bool = True) -> tuple[torch.Tensor, torch.Tensor, PartTargets | None]:
    """One batch as model input (B, 3, 2, 2, 38, T), var(m, m'') (B,) and the per-part targets."""
    batch = source.sample_batch(cfg.batch_size, rng)
    channels = renderings_to_channels(batch.renderings, cfg if augment else None, rng if augment else None)
    variation = torch.as_tensor(batch.variation, dtype=torch.float32)
    return torch.from_numpy(normalise(channels, stats)), variation, part_targets(variation, batch, cfg)


def fit(cfg: TrainConfig, train: BatchSource, val: BatchSource, out_dir: str | Path, *, resume: bool = False,
        init: str | Path | None = None, progress: bool = True, record: dict[str, Any] | None = None,
        callbacks: tuple[Callable[[int, dict[str, float]], None], ...] = ()) -> tuple[Checkpoint, History]:
    """Train a BPE model; writes ``best.safetensors``, ``last.pt`` (resume state), ``log.csv`` and
    ``loss_curve.png`` into ``out_dir``. Returns the best checkpoint (lowest validation loss).

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
    writer = _tensorboard(out_dir)
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
        _log_row(out_dir / "log.csv", row, columns, writer)
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
    plot_losses(history, out_dir / "loss_curve.png")
    return load_model(out_dir / "best.safetensors"), history


@torch.no_grad()
def validate(model: BPEModel, val: BatchSource, cfg: TrainConfig, stats: NormStats,
             stats_t: tuple[torch.Tensor, torch.Tensor], rng: np.random.Generator) -> dict[str, float]:
    """Mean losses on held-out characters and motions, plus the motion triplet accuracy: how often the same
    motion on another body and view is closer than another motion (per part)."""
    model.eval()
    totals: dict[str, float] = {}
    correct = 0.0
    for _ in range(cfg.val_batches):
        x, var, parts = make_batch(val, cfg, stats, rng, augment=True)
        for k, v in batch_losses(model, x, var, cfg, stats_t, parts).items():
            totals[f"val_{k}"] = totals.get(f"val_{k}", 0.0) + float(v) / cfg.val_batches
        for part in BODY_PARTS:
            z = {k: model.encode_motion(x[:, i, j, kk], part).flatten(1) for k, (i, j, kk) in MOTION_KEYS.items()}
            ok = L.cosine_distance(z["P"], z["P22"]) < L.cosine_distance(z["P"], z["N"])
            correct += float(ok.float().mean()) / (cfg.val_batches * len(BODY_PARTS))
    totals["val_triplet_acc"] = correct
    return totals


def _save(model: BPEModel, stats: NormStats, cfg: TrainConfig, history: History, row: dict[str, float],
          path: Path, record: dict[str, Any] | None) -> None:
    import copy

    frozen = copy.deepcopy(model).eval()
    training = {"trained": True, "config": cfg.to_dict(), "step": history.best_step,
                "val_loss": row["val_total"], "val_triplet_acc": row.get("val_triplet_acc"),
                "train_loss": row["train_total"], "seconds": round(row["seconds"], 1), **(record or {})}
    save_model(Checkpoint(frozen, stats, training=training), path)


def _log_row(path: Path, row: dict[str, float], columns: list[str], writer: Any) -> None:
    """Append one row to the CSV log (validation columns stay empty between validations) and TensorBoard."""
    new = not path.exists()
    with path.open("a", newline="") as f:
        w = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        if new:
            w.writeheader()
        w.writerow(row)
    if writer is not None:
        for k, v in row.items():
            if k != "step":
                writer.add_scalar(k.replace("_", "/", 1), v, int(row["step"]))


def _tensorboard(out_dir: Path) -> Any:
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:  # tensorboard is optional (`pip install tensorboard`)
        log.info("tensorboard not installed: logging to log.csv only")
        return None
    return SummaryWriter(str(out_dir / "tensorboard"))


def plot_losses(history: History, path: Path) -> None:
    """Loss curves (train every step, validation when measured) as a PNG."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log.info("matplotlib not installed: no loss curve")
        return
    rows = history.rows
    fig, ax = plt.subplots(figsize=(7, 4))
    steps = [r["step"] for r in rows]
    ax.plot(steps, [r["train_total"] for r in rows], lw=0.6, alpha=0.6, label="train total")
    val = [(r["step"], r["val_total"]) for r in rows if "val_total" in r]
    if val:
        ax.plot(*zip(*val), "o-", label="validation total")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_yscale("log")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
