"""Algorithm 1: per-part similarity of two motions, and the headline `compare` API.

input -> PoseSequence -> preprocess (38 channels) -> windows -> motion embeddings -> DTW per part ->
mean cosine along the path -> per-part scores -> overall score (the parts weighted by how much they move,
`part_weights`), plus a per-window timeline.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .dtw import BULK, mean_similarities_along_path, similarity_paths
from .embed import SequenceEmbedding, embed_prepared, prepare_motions
from .io import as_pose_sequence
from .model.runtime import InferenceModel, resolve_model
from .resample import MODEL_FPS, to_source_frame
from .skeleton import BODY_PARTS, PART_WEIGHTINGS

log = logging.getLogger(__name__)

DEFAULT_WINDOW = 32
DEFAULT_STRIDE = 8


@dataclass
class SimilarityResult:
    """What `compare` returns; `to_dict()` is the JSON contract of docs/method.md §6 (plus a few extra keys)."""

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
    if weighting == "equal" or a.movement is None or b.movement is None:
        return dict.fromkeys(BODY_PARTS, 1.0 / len(BODY_PARTS))
    # `movement_weights` for one pair in plain floats, the same sums in the same order (bit for bit, tested):
    # numpy's per-call cost on five numbers was a quarter of score-pairs' Python time per pair
    total = [x + y for x, y in zip(np.asarray(a.movement, np.float64).tolist(),
                                   np.asarray(b.movement, np.float64).tolist())]
    norm = sum(total)
    if not (all(math.isfinite(t) for t in total) and norm > 1e-9):
        total, norm = [1.0] * len(BODY_PARTS), float(len(BODY_PARTS))
    return {p: t / norm for p, t in zip(BODY_PARTS, total)}


def movement_weights(a_movement: np.ndarray, b_movement: np.ndarray) -> np.ndarray:
    """`part_weights` from movements, shape (..., 5) each (broadcast: one query against many clips): the sum
    of the two, normalised; equal weights where a movement is unknown (NaN) or nothing moves."""
    total = np.asarray(a_movement, dtype=np.float64) + np.asarray(b_movement, dtype=np.float64)
    total = np.where((np.isfinite(total).all(axis=-1) & (total.sum(axis=-1) > 1e-9))[..., None], total, 1.0)
    return total / total.sum(axis=-1, keepdims=True)


def overall_score(scores: dict[str, float], weights: dict[str, float]) -> float:
    """The overall score: the part scores weighted by `part_weights`."""
    return float(sum(scores[p] * weights[p] for p in BODY_PARTS))


def part_scores(a: SequenceEmbedding, b: SequenceEmbedding, kernel: str = "auto") -> dict[str, float]:
    """Algorithm 1 per part: DTW on cosine distance, mean cosine along the path (``kernel``: see `dtw`; with
    ``dtw.BULK`` the cosines and the alignment run in one compiled call, `pair_kernel`, equal to float32
    rounding)."""
    if kernel == BULK:
        from .pair_kernel import compiled_part_scores

        compiled = compiled_part_scores(a, b)
        if compiled is not None:
            return dict(zip(BODY_PARTS, compiled))
    scores = mean_similarities_along_path(cosine_matrices(a, b), kernel)
    return dict(zip(BODY_PARTS, scores))


def cosine_matrix(a: SequenceEmbedding, b: SequenceEmbedding, part: str) -> np.ndarray:
    """Cosine similarity of every window of A with every window of B, shape=(n_a, n_b), in [-1, 1]."""
    return np.clip(a.parts[part] @ b.parts[part].T, -1.0, 1.0)


def cosine_matrices(a: SequenceEmbedding, b: SequenceEmbedding) -> np.ndarray:
    """`cosine_matrix` of every part in `BODY_PARTS` order in one array, shape=(5, n_a, n_b), equal bit for bit
    (one clip and one check instead of five of each: score-pairs makes tens of thousands of these)."""
    first = a.parts[BODY_PARTS[0]]
    sims = np.empty((len(BODY_PARTS), len(first), len(b.parts[BODY_PARTS[0]])), dtype=first.dtype)
    for k, p in enumerate(BODY_PARTS):
        np.matmul(a.parts[p], b.parts[p].T, out=sims[k])
    return np.clip(sims, -1.0, 1.0, out=sims)


def scores_and_timeline(a: SequenceEmbedding, b: SequenceEmbedding, weights: dict[str, float] | None = None,
                        kernel: str = "auto") -> tuple[dict[str, float], list[dict[str, Any]]]:
    """Part scores plus feedback every ``stride`` frames: for each window of A, the mean cosine of its DTW
    matches in B (one DTW path per part serves both), and their overall score with ``weights`` (default:
    `part_weights` of A and B)."""
    weights = weights or part_weights(a, b)
    w = np.array([weights[p] for p in BODY_PARTS])
    n = a.n_windows
    scores: dict[str, float] = {}
    per_window = np.zeros((len(BODY_PARTS), n))
    matched = np.zeros((len(BODY_PARTS), n))
    sims = cosine_matrices(a, b)
    for k, (p, sim, path) in enumerate(zip(BODY_PARTS, sims, similarity_paths(sims, kernel))):
        along = sim[path[:, 0], path[:, 1]].astype(np.float64)
        scores[p] = float(along.mean())
        per_window[k] = np.bincount(path[:, 0], weights=along, minlength=n) / np.bincount(path[:, 0], minlength=n)
        np.maximum.at(matched[k], path[:, 0], path[:, 1])
    matched_start = np.median(matched, axis=0).astype(np.int64) * b.stride  # the middle part's match
    rows = []
    for i in range(n):
        start = i * a.stride
        rows.append({
            "index": i,
            "start_frame": start,
            "end_frame": min(start + a.window, a.n_frames),
            "matched_start_frame": int(matched_start[i]),
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
    kernel: str = "auto",
) -> SimilarityResult:
    """Score two embedded sequences; with ``a_flipped`` keep whichever of A / mirrored A scores higher overall.
    ``weighting``: how the part scores combine into the overall score (`part_weights`); ``kernel``: the DTW
    kernel (`dtw`; bulk jobs pass ``dtw.BULK``). Frame numbers and counts are the inputs' own (`fps`,
    ``resampled_to`` say when the model saw them at another rate)."""
    flipped = False
    weights = part_weights(a, b, weighting)
    if a_flipped is not None:  # pick the better of A and mirrored A first (cheap: no paths built)
        original, alt = part_scores(a, b, kernel), part_scores(a_flipped, b, kernel)
        alt_weights = part_weights(a_flipped, b, weighting)
        if overall_score(alt, alt_weights) > overall_score(original, weights):
            a, flipped, weights = a_flipped, True, alt_weights
        scores = alt if flipped else original
    windows: list[dict[str, Any]] = []
    if timeline:
        scores, windows = scores_and_timeline(a, b, weights, kernel)
    elif a_flipped is None:
        scores = part_scores(a, b, kernel)
    result = SimilarityResult(
        similarity=overall_score(scores, weights),
        body_parts=scores,
        flipped=flipped,
        windows=windows,
        part_weights=weights,
        window=a.window,
        stride=a.stride,
        frames={"a": a.n_frames, "b": b.n_frames},
        padded={"a": a.padded, "b": b.padded},
        fps={"a": a.source_fps, "b": b.source_fps},
    )
    if a.resampled or b.resampled:
        _to_source_frames(result, a, b)
    return result


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
    backend : the model's runtime, "auto", "onnx" or "torch" (see `motionsim.model.runtime.resolve_model`)
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
    model_ = resolve_model(model, backend)
    seq_a = as_pose_sequence(a, source="A" if not isinstance(a, (str, Path)) else None)
    seq_b = as_pose_sequence(b, source="B" if not isinstance(b, (str, Path)) else None)
    prepared = prepare_motions([seq_a, seq_b], model_, window, [(None, "body") if flip else (None,), (None,)],
                               pad_short)
    embs_a, (emb_b,) = embed_prepared(prepared, model_, window, stride)
    result = compare_embeddings(embs_a[0], emb_b, embs_a[1] if flip else None, timeline=timeline,
                                weighting=weighting)
    result.model = model_.name
    return result


def _to_source_frames(result: SimilarityResult, a: SequenceEmbedding, b: SequenceEmbedding) -> None:
    """Express a result computed at `MODEL_FPS` in the frames of the inputs as given (what a user and the
    renderer count in)."""
    result.resampled_to = MODEL_FPS
    n_a, n_b = a.source_frames or a.n_frames, b.source_frames or b.n_frames
    result.frames = {"a": n_a, "b": n_b}
    for w in result.windows:
        w["start_frame"] = to_source_frame(w["start_frame"], a.source_fps)
        w["end_frame"] = min(to_source_frame(w["end_frame"], a.source_fps), n_a)
        w["matched_start_frame"] = min(to_source_frame(w["matched_start_frame"], b.source_fps), n_b - 1)
