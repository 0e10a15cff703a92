"""Sliding windows over preprocessed sequences -> per-part motion embeddings (Algorithm 1, first half).

Windows of many sequences are batched together so a whole dataset costs a few large forward passes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import torch

from .errors import SequenceTooShortError
from .model.bpe import BPEModel

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
    """Embed every window of every sequence with the BPE motion encoders.

    Parameters
    ----------
    channels : list of normalised inputs, each shape=(38, T_i) with T_i >= window
    Returns one dict per sequence: {part: float32 array (n_windows_i, D_part)}, rows L2-normalised so a dot
    product is the cosine similarity.
    """
    return embed_windows_with(model, model.embed, channels, window, stride, batch_size)


def embed_windows_with(
    net: torch.nn.Module,
    encode: Callable[[torch.Tensor], dict[str, torch.Tensor]],
    channels: Sequence[np.ndarray],
    window: int,
    stride: int,
    batch_size: int = DEFAULT_BATCH,
) -> list[dict[str, np.ndarray]]:
    """Run ``encode`` (a method of ``net``, in eval mode) on every window of every sequence, in shared batches.

    ``encode`` maps a batch (N, C, window) to named embeddings {name: (N, D)}; the result holds, per sequence,
    {name: (n_windows_i, D)} with L2-normalised rows. Any window network (BPE, the baselines) uses this.
    """
    starts = [window_starts(c.shape[1], window, stride) for c in channels]
    for c, s in zip(channels, starts):
        if len(s) == 0:
            raise SequenceTooShortError(f"sequence of {c.shape[1]} frames is shorter than the window ({window})")
    owner = np.concatenate([np.full(len(s), i) for i, s in enumerate(starts)])
    first = np.concatenate(starts)
    views = [np.lib.stride_tricks.sliding_window_view(c, window, axis=1) for c in channels]  # (C, n, w)
    outputs: dict[str, list[np.ndarray]] = {}
    was_training = net.training
    net.eval()
    with torch.inference_mode():
        for lo in range(0, len(owner), batch_size):
            sel = slice(lo, lo + batch_size)
            batch = np.stack([views[o][:, f] for o, f in zip(owner[sel], first[sel])])
            x = torch.from_numpy(np.ascontiguousarray(batch, dtype=np.float32))
            for name, emb in encode(x).items():
                outputs.setdefault(name, []).append(torch.nn.functional.normalize(emb, dim=1).numpy())
    net.train(was_training)
    merged = {name: np.concatenate(v) for name, v in outputs.items()}
    bounds = np.cumsum([0] + [len(s) for s in starts])
    return [{name: m[a:b] for name, m in merged.items()} for a, b in zip(bounds[:-1], bounds[1:])]
