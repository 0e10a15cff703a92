"""Motions -> per-part window embeddings (Algorithm 1, first half).

`prepare_motion` is the one place where a motion is brought to the model's frame rate (`resample`) and
turned into normalised model input (`preprocess`), once for all its variants (as filmed, mirrored);
`embed_prepared` cuts windows of many motions and embeds them in shared batches, so a whole dataset costs a
few large forward passes. Every command that scores motions goes through these two, so a clip reports the
same frames and padding whichever command read it.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from .cores import cores
from .errors import SequenceTooShortError
from .preprocess import part_movement, preprocess_variants
from .resample import needs_resampling, resample
from .skeleton import BODY_PARTS

if TYPE_CHECKING:  # pragma: no cover
    from .model.runtime import InferenceModel
    from .pose import PoseSequence

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
    bounds = np.cumsum([0] + [len(s) for s in starts])  # the windows of sequence i: bounds[i]:bounds[i + 1]
    views = [np.lib.stride_tricks.sliding_window_view(c, window, axis=1) for c in channels]  # (C, n, w)
    outputs: dict[str, list[np.ndarray]] = {}
    for lo in range(0, int(bounds[-1]), batch_size):
        hi = min(lo + batch_size, int(bounds[-1]))
        batch = np.empty((hi - lo, channels[0].shape[0], window), dtype=np.float32)
        i = int(np.searchsorted(bounds, lo, side="right")) - 1
        while i < len(channels) and bounds[i] < hi:  # each sequence's windows in the batch, in one copy
            a, b = max(int(bounds[i]), lo), min(int(bounds[i + 1]), hi)
            batch[a - lo:b - lo] = views[i][:, starts[i][a - bounds[i]:b - bounds[i]]].transpose(1, 0, 2)
            i += 1
        for name, emb in encoder.embed(batch).items():
            outputs.setdefault(name, []).append(l2_normalize(np.asarray(emb, dtype=np.float32)))
    merged = {name: np.concatenate(v) for name, v in outputs.items()}
    return [{name: m[a:b] for name, m in merged.items()} for a, b in zip(bounds[:-1], bounds[1:])]


def l2_normalize(rows: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    """Rows scaled to unit length (as torch.nn.functional.normalize: a zero row stays zero)."""
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), eps)


@dataclass
class SequenceEmbedding:
    """Per-part window embeddings of one motion (rows L2-normalised), and what they were computed from."""

    parts: dict[str, np.ndarray]
    n_frames: int  # frames the model saw, at the model's frame rate, before padding
    window: int
    stride: int
    padded: bool = False  # shorter than one window: its last pose was held to fill it
    source: str = "array"
    movement: np.ndarray | None = None  # (5,) `preprocess.part_movement` of the input, BODY_PARTS order
    source_frames: int | None = None  # frames of the motion as given (None: n_frames)
    source_fps: float | None = None  # its frame rate as given (None: unknown)

    @property
    def n_windows(self) -> int:
        return int(next(iter(self.parts.values())).shape[0])

    @functools.cached_property
    def part_arrays(self) -> tuple[np.ndarray, ...] | None:
        """The parts in `BODY_PARTS` order, each C-contiguous, gathered and checked once: the compiled bulk
        scoring (`pair_kernel`) takes them as one tuple, for every pair the motion is in. None unless every
        part is a float32 matrix with at least one window (that scoring's input). Kept after its first use:
        an embedding is not changed once scored (make a new one, e.g. with `dataclasses.replace`)."""
        parts = tuple(np.ascontiguousarray(self.parts[p]) for p in BODY_PARTS)
        return parts if all(x.dtype == np.float32 and x.ndim == 2 and len(x) for x in parts) else None

    @property
    def resampled(self) -> bool:
        """Whether the motion was resampled to the model's frame rate (frame numbers then need converting)."""
        return needs_resampling(self.source_fps)


@dataclass(frozen=True)
class PreparedMotion:
    """One motion as model input: normalised channels (38, T) per variant, at the model's frame rate, and each
    variant's part movement (the weights of the overall score)."""

    variants: tuple[np.ndarray, ...]
    n_frames: int  # at the model's frame rate, before padding
    source_frames: int
    source_fps: float | None
    source: str
    movements: tuple[np.ndarray, ...]  # (5,) `preprocess.part_movement` of each variant


def prepare_motion(seq: PoseSequence, model: InferenceModel, window: int, flips: Sequence[str | None] = (None,),
                   pad_short: bool = False) -> PreparedMotion:
    """``seq`` resampled to the model's frame rate and preprocessed for ``model``, once per entry of ``flips``
    (None: as filmed; "body": mirrored). Raises `SequenceTooShortError` for a motion shorter than ``window``
    unless ``pad_short``."""
    at_model_rate = resample(seq)
    variants = preprocess_variants(at_model_rate, model.stats, model.target_height, window, pad_short, flips)
    movements = tuple(part_movement(model.stats.denormalize(x)) for x in variants)
    return PreparedMotion(tuple(variants), len(at_model_rate), len(seq), seq.fps, seq.source, movements)


#: Frames in all below which motions are prepared one after another (threads would cost more than they save).
SIDE_BY_SIDE_FRAMES = 2000


def prepare_motions(seqs: Sequence[PoseSequence], model: InferenceModel, window: int,
                    flips: Sequence[Sequence[str | None]], pad_short: bool = False) -> list[PreparedMotion]:
    """`prepare_motion` of each of ``seqs`` (``flips[i]``: the variants of the i-th), side by side in threads
    when they are long: preprocessing is numpy over whole arrays, which lets go of the GIL, so two 5,040-frame
    motions take 13 ms instead of 25 on 2 cores, with the same result. The first error raised is the first
    motion's, as one after another."""
    jobs = [(seq, tuple(f)) for seq, f in zip(seqs, flips, strict=True)]
    workers = min(len(jobs), cores())
    if workers < 2 or sum(len(seq) for seq in seqs) < SIDE_BY_SIDE_FRAMES:
        return [prepare_motion(seq, model, window, f, pad_short) for seq, f in jobs]
    with ThreadPoolExecutor(workers, thread_name_prefix="motionsim-prepare") as pool:
        return list(pool.map(lambda job: prepare_motion(job[0], model, window, job[1], pad_short), jobs))


def embed_prepared(motions: Sequence[PreparedMotion], model: InferenceModel, window: int, stride: int,
                   ) -> list[tuple[SequenceEmbedding, ...]]:
    """Embed every variant of every motion in shared batches: one tuple of embeddings (one per variant) per
    motion."""
    inputs = [x for m in motions for x in m.variants]
    parts = embed_windows(model, inputs, window, stride) if inputs else []
    out, k = [], 0
    for m in motions:
        embs = []
        for movement in m.movements:  # one per variant
            embs.append(SequenceEmbedding(parts[k], m.n_frames, window, stride, padded=m.n_frames < window,
                                          source=m.source, movement=movement,
                                          source_frames=m.source_frames, source_fps=m.source_fps))
            k += 1
        out.append(tuple(embs))
    return out


def embed_sequences(seqs: Sequence[PoseSequence], model: InferenceModel, window: int = 32, stride: int = 8,
                    flip: str | None = None, pad_short: bool = False) -> list[SequenceEmbedding]:
    """Prepare and embed many motions (one variant each: as filmed, or mirrored with ``flip="body"``)."""
    prepared = prepare_motions(seqs, model, window, [(flip,)] * len(seqs), pad_short)
    return [embs[0] for embs in embed_prepared(prepared, model, window, stride)]
