"""Sliding windows over preprocessed sequences -> per-part motion embeddings (Algorithm 1, first half).

Windows of many sequences are batched together so a whole dataset costs a few large forward passes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from .errors import SequenceTooShortError

DEFAULT_BATCH = 4096


class WindowEncoder(Protocol):
    """Anything that embeds a batch of windows: the onnxruntime model, a PyTorch checkpoint, a baseline."""

    def embed(self, windows: np.ndarray) -> dict[str, np.ndarray]:
        """float32 windows shape=(N, C, w) -> {name: (N, D)} (rows not normalised)."""
        ...


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
    encoder: WindowEncoder,
    channels: Sequence[np.ndarray],
    window: int,
    stride: int,
    batch_size: int = DEFAULT_BATCH,
) -> list[dict[str, np.ndarray]]:
    """Embed every window of every sequence with ``encoder``, in shared batches.

    Parameters
    ----------
    channels : list of normalised inputs, each shape=(C, T_i) with T_i >= window
    Returns one dict per sequence: {name: float32 array (n_windows_i, D)}, rows L2-normalised so a dot
    product is the cosine similarity.
    """
    starts = [window_starts(c.shape[1], window, stride) for c in channels]
    for c, s in zip(channels, starts):
        if len(s) == 0:
            raise SequenceTooShortError(f"sequence of {c.shape[1]} frames is shorter than the window ({window})")
    owner = np.concatenate([np.full(len(s), i) for i, s in enumerate(starts)])
    first = np.concatenate(starts)
    views = [np.lib.stride_tricks.sliding_window_view(c, window, axis=1) for c in channels]  # (C, n, w)
    outputs: dict[str, list[np.ndarray]] = {}
    for lo in range(0, len(owner), batch_size):
        sel = slice(lo, lo + batch_size)
        batch = np.ascontiguousarray(np.stack([views[o][:, f] for o, f in zip(owner[sel], first[sel])]),
                                     dtype=np.float32)
        for name, emb in encoder.embed(batch).items():
            outputs.setdefault(name, []).append(l2_normalize(np.asarray(emb, dtype=np.float32)))
    merged = {name: np.concatenate(v) for name, v in outputs.items()}
    bounds = np.cumsum([0] + [len(s) for s in starts])
    return [{name: m[a:b] for name, m in merged.items()} for a, b in zip(bounds[:-1], bounds[1:])]


def l2_normalize(rows: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    """Rows scaled to unit length (as torch.nn.functional.normalize: a zero row stays zero)."""
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), eps)
