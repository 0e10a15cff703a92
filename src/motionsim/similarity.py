"""Algorithm 1: per-part similarity of two motions, and the headline `compare` API.

input -> PoseSequence -> preprocess (38 channels) -> windows -> motion embeddings -> DTW per part ->
mean cosine along the path -> per-part scores -> overall score (the parts weighted by how much they move,
`part_weights`), plus a per-window timeline.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

import numpy as np

from .dtw import mean_similarity_along_path, similarity_path
from .embed import embed_windows
from .errors import CheckpointError, MissingExtraError
from .io import as_pose_sequence
from .pose import PoseSequence
from .preprocess import part_movement, preprocess_variants
from .resample import MODEL_FPS, resample, to_source_frame
from .skeleton import BODY_PARTS, PART_WEIGHTINGS

if TYPE_CHECKING:  # pragma: no cover
    from .model.checkpoint import Checkpoint
    from .model.onnx import OnnxModel

#: What scores motions: the ONNX export (onnxruntime, the default) or a PyTorch checkpoint.
InferenceModel = Union["OnnxModel", "Checkpoint"]

log = logging.getLogger(__name__)

DEFAULT_WINDOW = 32
DEFAULT_STRIDE = 8


@dataclass
class SequenceEmbedding:
    """Per-part window embeddings of one sequence (rows L2-normalised)."""

    parts: dict[str, np.ndarray]
    n_frames: int
    window: int
    stride: int
    padded: bool = False
    source: str = "array"
    movement: np.ndarray | None = None  # (5,) `preprocess.part_movement` of the input, BODY_PARTS order

    @property
    def n_windows(self) -> int:
        return int(next(iter(self.parts.values())).shape[0])


@dataclass
class SimilarityResult:
    """What `compare` returns; `to_dict()` is the JSON contract of DESIGN §6 (plus a few extra keys)."""

    similarity: float
    body_parts: dict[str, float]
    flipped: bool
    windows: list[dict[str, Any]] = field(default_factory=list)
    part_weights: dict[str, float] = field(default_factory=dict)
    window: int = DEFAULT_WINDOW
    stride: int = DEFAULT_STRIDE
    model: str = ""
    frames: dict[str, int] = field(default_factory=dict)
    padded: dict[str, bool] = field(default_factory=dict)
    fps: dict[str, float | None] = field(default_factory=dict)
    resampled_to: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "similarity": self.similarity,
            "body_parts": dict(self.body_parts),
            "part_weights": dict(self.part_weights),
            "flipped": self.flipped,
            "windows": list(self.windows),
            "window": self.window,
            "stride": self.stride,
            "model": self.model,
            "frames": dict(self.frames),
            "padded": dict(self.padded),
            "fps": dict(self.fps),
            "resampled_to": self.resampled_to,
        }


BACKENDS = ("auto", "onnx", "torch")


@functools.lru_cache(maxsize=4)
def _cached_model(path: str | None, backend: str) -> InferenceModel:
    if path is not None and Path(path).suffix.lower() == ".onnx":
        if backend == "torch":
            raise CheckpointError(f"{path}: an ONNX model runs on onnxruntime; --backend torch needs a .safetensors "
                                  f"model")
        from .model.onnx import OnnxModel

        return OnnxModel(path)
    if path is None and backend != "torch":
        from .model.onnx import OnnxModel, default_onnx_path

        default = default_onnx_path()
        if default is not None:
            return OnnxModel(default)
    if path is not None and backend == "onnx":
        raise CheckpointError(f"{path}: --backend onnx needs an .onnx model; export this one with "
                              f"`motionsim export-onnx {path} -o MODEL.onnx`")
    try:
        from .model.checkpoint import load_model
    except ImportError as exc:
        if exc.name != "torch" and not (exc.name or "").startswith(("torch.", "safetensors")):
            raise
        what = "--backend torch" if path is None else f"{path} (PyTorch weights)"
        raise MissingExtraError(f"{what} needs PyTorch: pip install 'motionsim[train]' (or use an .onnx model)"
                                ) from None
    return load_model(path)


def resolve_model(model: InferenceModel | str | Path | None, backend: str = "auto") -> InferenceModel:
    """The model to score with, loaded once and cached: an object with ``embed`` as is; None the bundled model
    (its ONNX export on onnxruntime; ``backend="torch"`` the PyTorch weights); an ``.onnx`` path on
    onnxruntime; a ``.safetensors`` path on PyTorch (needs ``motionsim[train]``)."""
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
    if hasattr(model, "embed") and hasattr(model, "stats"):
        return model  # type: ignore[return-value]
    return _cached_model(None if model is None else str(model), backend)


def model_input(
    seq: PoseSequence, ckpt: InferenceModel, window: int, flip: str | None = None, pad_short: bool = False
) -> np.ndarray:
    """Normalised (38, T) input of one sequence for ``ckpt`` at the model's frame rate (`resample`), padded to
    ``window`` if asked."""
    return model_inputs(seq, ckpt, window, (flip,), pad_short)[0]


def model_inputs(
    seq: PoseSequence, ckpt: InferenceModel, window: int, flips: Sequence[str | None], pad_short: bool = False
) -> list[np.ndarray]:
    """`model_input` for each entry of ``flips``, preprocessing the sequence once."""
    return preprocess_variants(resample(seq), ckpt.stats, ckpt.target_height, window, pad_short, flips)


def embed_sequences(
    seqs: list[PoseSequence],
    ckpt: InferenceModel,
    window: int = DEFAULT_WINDOW,
    stride: int = DEFAULT_STRIDE,
    flip: str | None = None,
    pad_short: bool = False,
) -> list[SequenceEmbedding]:
    """Preprocess and embed many sequences in shared batches (each one exactly once)."""
    return embed_inputs([model_input(s, ckpt, window, flip, pad_short) for s in seqs], seqs, ckpt, window, stride)


def embed_inputs(
    inputs: Sequence[np.ndarray], seqs: Sequence[PoseSequence], ckpt: InferenceModel, window: int, stride: int
) -> list[SequenceEmbedding]:
    """Embed the model inputs of ``seqs`` (one each, from `model_input`) in shared batches."""
    parts = embed_windows(ckpt, inputs, window, stride) if len(inputs) else []
    return [
        SequenceEmbedding(p, len(s), window, stride, padded=len(s) < window, source=s.source,
                          movement=part_movement(ckpt.stats.denormalize(x)))
        for s, p, x in zip(seqs, parts, inputs)
    ]


def check_weighting(weighting: str) -> None:
    """Refuse an unknown part weighting before any work is done (`PART_WEIGHTINGS`)."""
    if weighting not in PART_WEIGHTINGS:
        raise ValueError(f"part weighting must be one of {', '.join(PART_WEIGHTINGS)}, got {weighting!r}")


def part_weights(a: SequenceEmbedding, b: SequenceEmbedding, weighting: str = "movement") -> dict[str, float]:
    """Weights of the five parts in the overall score (they sum to 1).

    "movement": each part's movement in A plus its movement in B (`preprocess.part_movement`). A part that
    barely moves in either clip says little about what the motion is, and a still arm scores high against
    any other still arm; on real motion capture this weighting ranks related motions better than the plain
    mean (docs/training.md, issue 17). "equal" (or clips with no movement at all): 1/5 each, Algorithm 1."""
    check_weighting(weighting)
    unknown = np.full(len(BODY_PARTS), np.nan)
    if weighting == "equal" or a.movement is None or b.movement is None:
        a_movement = b_movement = unknown
    else:
        a_movement, b_movement = a.movement, b.movement
    return {p: float(w) for p, w in zip(BODY_PARTS, movement_weights(a_movement, b_movement))}


def movement_weights(a_movement: np.ndarray, b_movement: np.ndarray) -> np.ndarray:
    """`part_weights` from movements, shape (..., 5) each (broadcast: one query against many clips): the sum
    of the two, normalised; equal weights where a movement is unknown (NaN) or nothing moves."""
    total = np.asarray(a_movement, dtype=np.float64) + np.asarray(b_movement, dtype=np.float64)
    total = np.where((np.isfinite(total).all(axis=-1) & (total.sum(axis=-1) > 1e-9))[..., None], total, 1.0)
    return total / total.sum(axis=-1, keepdims=True)


def overall_score(scores: dict[str, float], weights: dict[str, float]) -> float:
    """The overall score: the part scores weighted by `part_weights`."""
    return float(sum(scores[p] * weights[p] for p in BODY_PARTS))


def part_scores(a: SequenceEmbedding, b: SequenceEmbedding) -> dict[str, float]:
    """Algorithm 1 per part: DTW on cosine distance, mean cosine along the path."""
    return {p: mean_similarity_along_path(cosine_matrix(a, b, p)) for p in BODY_PARTS}


def cosine_matrix(a: SequenceEmbedding, b: SequenceEmbedding, part: str) -> np.ndarray:
    """Cosine similarity of every window of A with every window of B, shape=(n_a, n_b), in [-1, 1]."""
    return np.clip(a.parts[part] @ b.parts[part].T, -1.0, 1.0)


def scores_and_timeline(a: SequenceEmbedding, b: SequenceEmbedding, weights: dict[str, float] | None = None
                        ) -> tuple[dict[str, float], list[dict[str, Any]]]:
    """Part scores plus feedback every ``stride`` frames: for each window of A, the mean cosine of its DTW
    matches in B (one DTW path per part serves both), and their overall score with ``weights`` (default:
    `part_weights` of A and B)."""
    weights = weights or part_weights(a, b)
    w = np.array([weights[p] for p in BODY_PARTS])
    n = a.n_windows
    scores: dict[str, float] = {}
    per_window = np.zeros((len(BODY_PARTS), n))
    matched = np.zeros((len(BODY_PARTS), n))
    for k, p in enumerate(BODY_PARTS):
        sim = cosine_matrix(a, b, p)
        path = similarity_path(sim)
        along = sim[path[:, 0], path[:, 1]].astype(np.float64)
        scores[p] = float(along.mean())
        per_window[k] = np.bincount(path[:, 0], weights=along, minlength=n) / np.bincount(path[:, 0], minlength=n)
        np.maximum.at(matched[k], path[:, 0], path[:, 1])
    rows = []
    for i in range(n):
        start = i * a.stride
        rows.append({
            "index": i,
            "start_frame": start,
            "end_frame": min(start + a.window, a.n_frames),
            "matched_start_frame": int(np.median(matched[:, i])) * b.stride,
            "similarity": float(w @ per_window[:, i]),
            "body_parts": {p: float(per_window[k, i]) for k, p in enumerate(BODY_PARTS)},
        })
    return scores, rows


def compare_embeddings(
    a: SequenceEmbedding,
    b: SequenceEmbedding,
    a_flipped: SequenceEmbedding | None = None,
    timeline: bool = True,
    weighting: str = "movement",
) -> SimilarityResult:
    """Score two embedded sequences; with ``a_flipped`` keep whichever of A / mirrored A scores higher overall.
    ``weighting``: how the part scores combine into the overall score (`part_weights`)."""
    flipped = False
    weights = part_weights(a, b, weighting)
    if a_flipped is not None:  # pick the better of A and mirrored A first (cheap: no paths built)
        original, alt = part_scores(a, b), part_scores(a_flipped, b)
        alt_weights = part_weights(a_flipped, b, weighting)
        if overall_score(alt, alt_weights) > overall_score(original, weights):
            a, flipped, weights = a_flipped, True, alt_weights
        scores = alt if flipped else original
    windows: list[dict[str, Any]] = []
    if timeline:
        scores, windows = scores_and_timeline(a, b, weights)
    elif a_flipped is None:
        scores = part_scores(a, b)
    return SimilarityResult(
        similarity=overall_score(scores, weights),
        body_parts=scores,
        flipped=flipped,
        windows=windows,
        part_weights=weights,
        window=a.window,
        stride=a.stride,
        frames={"a": a.n_frames, "b": b.n_frames},
        padded={"a": a.padded, "b": b.padded},
    )


def compare(
    a: Any,
    b: Any,
    *,
    model: InferenceModel | str | Path | None = None,
    backend: str = "auto",
    window: int = DEFAULT_WINDOW,
    stride: int = DEFAULT_STRIDE,
    flip: bool = False,
    pad_short: bool = False,
    timeline: bool = True,
    weighting: str = "movement",
) -> SimilarityResult:
    """How similar are two motions, per body part?

    Parameters
    ----------
    a, b : path (keypoint file or video), array (T, 17, 2|3) in COCO-17 order, or PoseSequence
    model : a loaded model, a path (.onnx runs on onnxruntime, .safetensors on PyTorch), or None for the bundled
        model
    backend : "auto", "onnx" or "torch" (see `resolve_model`)
    window, stride : Algorithm 1's w and r (w a multiple of 8)
    flip : also try the mirror image of ``a`` and keep the better score (the paper's "body flip")
    pad_short : hold the last pose of a sequence shorter than ``window`` instead of raising
        `SequenceTooShortError`
    timeline : include the per-window feedback (``windows``)
    weighting : "movement" weights each part's score in the overall score by how much the part moves in the
        two clips (``part_weights`` in the result); "equal" is the plain mean of the paper's Algorithm 1

    Returns
    -------
    SimilarityResult; ``.to_dict()`` gives {"similarity", "body_parts", "part_weights", "flipped", "windows",
    ...}, scores are cosines in [-1, 1].

    Examples
    --------
    >>> walk = np.random.default_rng(0).normal(size=(40, 17, 2)).cumsum(axis=0) + 100
    >>> result = compare(walk, walk, stride=4)
    >>> round(result.similarity, 4), sorted(result.body_parts) == sorted(BODY_PARTS)
    (1.0, True)
    """
    check_weighting(weighting)  # before any file is read or model loaded
    ckpt = resolve_model(model, backend)
    orig_a = as_pose_sequence(a, source="A" if not isinstance(a, (str, Path)) else None)
    orig_b = as_pose_sequence(b, source="B" if not isinstance(b, (str, Path)) else None)
    seq_a, seq_b = resample(orig_a), resample(orig_b)
    emb_a, emb_b = embed_sequences([seq_a, seq_b], ckpt, window, stride, pad_short=pad_short)
    emb_a_flip = embed_sequences([seq_a], ckpt, window, stride, flip="body", pad_short=pad_short)[0] if flip else None
    result = compare_embeddings(emb_a, emb_b, emb_a_flip, timeline=timeline, weighting=weighting)
    result.model = ckpt.name
    result.fps = {"a": orig_a.fps, "b": orig_b.fps}
    if seq_a is not orig_a or seq_b is not orig_b:
        _to_source_frames(result, orig_a, orig_b)
    return result


def _to_source_frames(result: SimilarityResult, orig_a: PoseSequence, orig_b: PoseSequence) -> None:
    """Express a result computed at `MODEL_FPS` in the frames of the inputs as given (what a user and the
    renderer count in)."""
    result.resampled_to = MODEL_FPS
    result.frames = {"a": len(orig_a), "b": len(orig_b)}
    for w in result.windows:
        w["start_frame"] = to_source_frame(w["start_frame"], orig_a.fps)
        w["end_frame"] = min(to_source_frame(w["end_frame"], orig_a.fps), len(orig_a))
        w["matched_start_frame"] = min(to_source_frame(w["matched_start_frame"], orig_b.fps), len(orig_b) - 1)
