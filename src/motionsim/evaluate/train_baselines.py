"""Train the learned baselines (whole-body encoder, LSTM) with a triplet loss on synthetic windows.

Each step draws training items from a sampler with the `motionsim.synth.sampler.SynthSampler` interface
(``sample_batch(n, rng).renderings``: (N, 3 motions m/m''/m', 2 skeletons, 2 views, T, 17, 2)). The anchor is
(m, s, c), the positive the same motion on the other body from the other view (m, s', c'), the negative
another motion (m', s, c'); loss = max(0, d(a, p) - d(a, n) + margin) with d = (1 - cos) / 2, as the BPE
motion triplet. A few minutes on 2 CPU cores gives a usable baseline; it is a baseline, not a tuned model.

    python -m motionsim.evaluate.train_baselines lstm --out lstm.safetensors [--steps 400] [--batch 64]
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm import tqdm

from ..pose import PoseSequence
from ..preprocess import DEFAULT_TARGET_HEIGHT, NormStats
from ..train.losses import triplet_loss
from .learned import NETWORKS, BaselineCheckpoint, save_baseline

log = logging.getLogger(__name__)


def _inputs(renderings: np.ndarray, kind: str, target_height: float) -> np.ndarray:
    """(N, T, 17, 2) windows -> raw network inputs (N, C, T), through the same code as evaluation."""
    net = NETWORKS[kind]
    ones = np.ones(renderings.shape[1:3], np.float32)
    return np.stack([net.raw_input(PoseSequence(w, ones, source="synthetic"), target_height, 0, False)
                     for w in renderings])


def _triplet_windows(renderings: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Anchor (m, s, c), positive (m, s', c'), negative (m', s, c') windows from a batch of items."""
    return renderings[:, 0, 0, 0], renderings[:, 0, 1, 1], renderings[:, 2, 0, 1]


def train_baseline(kind: str, sampler: Any = None, steps: int = 400, batch_size: int = 64, lr: float = 1e-3,
                   margin: float = 0.3, seed: int = 0, config: dict | None = None,
                   progress: bool = True) -> BaselineCheckpoint:
    """Train a ``kind`` ("whole_body" or "lstm") baseline; returns a checkpoint ready for `save_baseline`.

    ``sampler``: anything with ``sample_batch(n, rng)`` like `SynthSampler` (default: a `SynthSampler` with
    50 random smooth motions added to the library).
    """
    if kind not in NETWORKS:
        raise ValueError(f"unknown baseline network {kind!r}; known: {', '.join(NETWORKS)}")
    if sampler is None:
        from ..synth.sampler import SynthSampler

        sampler = SynthSampler(n_random_motions=50, random_state=seed)
    rng = np.random.default_rng(seed)
    target_height = DEFAULT_TARGET_HEIGHT
    first = sampler.sample_batch(batch_size, rng).renderings
    raw = _inputs(first.reshape(-1, *first.shape[-3:]), kind, target_height)
    flat = np.moveaxis(raw, 1, 0).reshape(raw.shape[1], -1)
    stats = NormStats(flat.mean(axis=1).astype(np.float32), np.maximum(flat.std(axis=1), 1e-4).astype(np.float32))
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = NETWORKS[kind].build(config)
        optimiser = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=1e-4)
        model.train()
        history: list[float] = []
        start = time.perf_counter()
        bar = tqdm(range(steps), desc=f"training {kind}", unit="step", disable=not progress)
        for step in bar:
            rend = first if step == 0 else sampler.sample_batch(batch_size, rng).renderings
            windows = [torch.from_numpy(stats.normalize(_inputs(w, kind, target_height)))
                       for w in _triplet_windows(rend)]
            emb = model(torch.cat(windows)).split(len(rend))
            loss = triplet_loss(*emb, margin=margin)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            history.append(float(loss.detach()))
            bar.set_postfix(loss=f"{np.mean(history[-20:]):.4f}")
    model.eval()
    record = {"trained": True, "kind": kind, "loss": "triplet (1 - cos) / 2", "margin": margin, "steps": steps,
              "batch_size": batch_size, "lr": lr, "seed": seed, "sampler": type(sampler).__name__,
              "final_loss": float(np.mean(history[-20:])) if history else None,
              "seconds": round(time.perf_counter() - start, 1)}
    log.info("trained %s: %s", kind, record)
    return BaselineCheckpoint(model, stats, target_height, record, kind=kind)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: train one baseline and write its checkpoint."""
    parser = argparse.ArgumentParser(prog="python -m motionsim.evaluate.train_baselines",
                                     description="Train a Table 2 baseline on synthetic motion.")
    parser.add_argument("kind", choices=list(NETWORKS))
    parser.add_argument("--out", required=True, metavar="PATH.safetensors")
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    ckpt = train_baseline(args.kind, steps=args.steps, batch_size=args.batch, seed=args.seed)
    path = save_baseline(ckpt, Path(args.out))
    log.info("wrote %s", path)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
