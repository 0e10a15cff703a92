"""Sliding windows over preprocessed sequences -> per-part motion embeddings (Algorithm 1, first half).

Windows of many sequences are batched together so a whole dataset costs a few large forward passes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch

from .model.bpe import BPEModel
from .skeleton import BODY_PARTS

DEFAULT_BATCH = 4096


def window_starts(n_frames: int, window: int, stride: int) -> np.ndarray:
    """First frame of each window: ceil((T - w + 1) / r) windows, as in the paper's code.

    Examples
    --------
    >>> window_starts(40, 32, 4).tolist()
    [0, 4, 8]
    >>> window_starts(31, 32, 4).tolist()
    []
    """
    if window < 8 or window % 8:
        raise ValueError(f"window must be a positive multiple of 8 (the encoder halves time 3 times), got {window}")
    if stride < 1:
        raise ValueError(f"stride must be >= 1, got {stride}")
    count = max(0, math.ceil((n_frames - window + 1) / stride))
    return np.arange(count, dtype=np.int64) * stride


def embed_windows(
    model: BPEModel,
    channels: Sequence[np.ndarray],
    window: int,
    stride: int,
    batch_size: int = DEFAULT_BATCH,
) -> list[dict[str, np.ndarray]]:
    """Embed every window of every sequence.

    Parameters
    ----------
    channels : list of normalised inputs, each shape=(38, T_i) with T_i >= window
    Returns one dict per sequence: {part: float32 array (n_windows_i, D_part)}, rows L2-normalised so a dot
    product is the cosine similarity.
    """
    starts = [window_starts(c.shape[1], window, stride) for c in channels]
    for c, s in zip(channels, starts):
        if len(s) == 0:
            raise ValueError(f"sequence of {c.shape[1]} frames is shorter than the window ({window})")
    # (sequence index, window start) of every window, in order
    owner = np.concatenate([np.full(len(s), i) for i, s in enumerate(starts)])
    first = np.concatenate(starts)
    views = [np.lib.stride_tricks.sliding_window_view(c, window, axis=1) for c in channels]  # (38, n, w)
    outputs: dict[str, list[np.ndarray]] = {p: [] for p in BODY_PARTS}
    was_training = model.training
    model.eval()
    with torch.inference_mode():
        for lo in range(0, len(owner), batch_size):
            sel = slice(lo, lo + batch_size)
            batch = np.stack([views[o][:, f] for o, f in zip(owner[sel], first[sel])])
            x = torch.from_numpy(np.ascontiguousarray(batch, dtype=np.float32))
            for part, emb in model.embed(x).items():
                outputs[part].append(torch.nn.functional.normalize(emb, dim=1).numpy())
    model.train(was_training)
    merged = {p: np.concatenate(v) for p, v in outputs.items()}
    bounds = np.cumsum([0] + [len(s) for s in starts])
    return [{p: merged[p][a:b] for p in BODY_PARTS} for a, b in zip(bounds[:-1], bounds[1:])]
