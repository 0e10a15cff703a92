"""Search in two steps: the vector index proposes candidate clips, exact Algorithm 1 decides.

Each query window fetches its nearest library windows; a clip's vote is the mean over query windows of its
best retrieved cosine (the k-th cosine where none of its windows came back), which tracks the DTW mean
cosine closely. The best-voted clips are then scored exactly (DTW per part), so the ranking of the hits is
Algorithm 1's, not the index's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..dtw import similarity_path
from ..resample import to_source_frame
from ..similarity import SequenceEmbedding, cosine_matrix, part_scores
from ..skeleton import BODY_PARTS
from . import ann
from .store import ClipRecord, vectors

NEIGHBOURS = 1024  # library windows fetched per query window
CANDIDATES = 1000  # clips re-ranked exactly (~0.12 s on one core)


@dataclass
class SearchHit:
    """One clip found: Algorithm 1 scores against the query and where in the clip the query matched."""

    clip: str
    score: float  # the ranked score: overall or the asked part
    similarity: float
    body_parts: dict[str, float]
    flipped: bool
    frames: tuple[int, int]  # [start, end) in the clip's own frames
    matched_part: str
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"clip": self.clip, "score": self.score, "similarity": self.similarity,
                "body_parts": dict(self.body_parts), "flipped": self.flipped,
                "frames": {"start": self.frames[0], "end": self.frames[1]}, "matched_part": self.matched_part}


def exact_cosines(query: SequenceEmbedding, parts: Mapping[str, np.ndarray], key: str, rows: np.ndarray,
                  wins: np.ndarray) -> np.ndarray:
    """Float32 cosines of query window ``rows[i]`` with library window ``wins[i]`` (the index's are 8-bit)."""
    names = BODY_PARTS if key == "overall" else (key,)
    order = np.argsort(wins, kind="stable")  # gather in disk order: friendlier to memory-mapped tables
    out = np.zeros(len(wins), dtype=np.float64)
    for p in names:
        lib = np.asarray(parts[p][wins[order]])
        out[order] += np.einsum("ij,ij->i", lib, query.parts[p][rows[order]])
    return out / len(names)


def vote(query: SequenceEmbedding, parts: Mapping[str, np.ndarray], key: str, index: Any, owner: np.ndarray,
         lengths: np.ndarray, k: int | None = None) -> np.ndarray:
    """Each clip's vote (see the module doc); -inf for clips none of whose windows came back."""
    sims, ids = ann.nearest(index, vectors(query.parts, key), k or NEIGHBOURS)
    n_clips = len(lengths)
    valid = ids >= 0
    floor = np.where(valid.any(axis=1), np.where(valid, sims, np.inf).min(axis=1), 0.0)
    rows, cols = np.nonzero(valid)
    wins = ids[rows, cols]
    hit = exact_cosines(query, parts, key, rows, wins)
    queries = query.parts[BODY_PARTS[0]]
    clips = owner[wins]
    votes = np.full(n_clips, -np.inf)
    touched = np.unique(clips)
    # query side: each query window's best window of the clip (its floor where none came back)
    key = rows.astype(np.int64) * n_clips + clips
    uniq, inv = np.unique(key, return_inverse=True)
    best = np.full(len(uniq), -np.inf)
    np.maximum.at(best, inv, hit)
    q_side = np.zeros(n_clips)
    np.add.at(q_side, uniq % n_clips, best - floor[uniq // n_clips])
    q_side += floor.sum()
    # clip side: each clip window's best query window (at most the highest floor where it never came back)
    w_uniq, w_inv = np.unique(wins, return_inverse=True)
    w_best = np.full(len(w_uniq), -np.inf)
    np.maximum.at(w_best, w_inv, hit)
    c_side = np.zeros(n_clips)
    c_count = np.zeros(n_clips)
    np.add.at(c_side, owner[w_uniq], w_best)
    np.add.at(c_count, owner[w_uniq], 1)
    c_side += (lengths - c_count) * floor.max()
    votes[touched] = ((q_side + c_side) / (len(queries) + lengths))[touched]
    return votes


def clip_embedding(parts: Mapping[str, np.ndarray], clip: ClipRecord, window: int, stride: int) -> SequenceEmbedding:
    return SequenceEmbedding({p: np.asarray(parts[p][clip.windows]) for p in BODY_PARTS}, clip.frames, window, stride)


def rank(queries: Sequence[SequenceEmbedding], parts: Mapping[str, np.ndarray], clips: Sequence[ClipRecord],
         candidates: Sequence[int], key: str, top: int) -> list[tuple[int, int, dict[str, float]]]:
    """Exact Algorithm 1 of every candidate against every query variant: best ``top`` as (clip, variant, part
    scores), best first (ties by clip order, so results are stable)."""
    scored = []
    for c in candidates:
        emb = clip_embedding(parts, clips[c], queries[0].window, queries[0].stride)
        best: tuple[float, int, dict[str, float]] | None = None
        for v, q in enumerate(queries):
            scores = part_scores(q, emb)
            value = float(np.mean(list(scores.values()))) if key == "overall" else scores[key]
            if best is None or value > best[0]:
                best = (value, v, scores)
        assert best is not None
        scored.append((-best[0], int(c), best[1], best[2]))
    scored.sort(key=lambda t: (t[0], t[1]))
    return [(c, v, s) for _, c, v, s in scored[:top]]


def matched_frames(query: SequenceEmbedding, clip: SequenceEmbedding, record: ClipRecord, part: str) -> tuple[int, int]:
    """The clip frames aligned with the query by the DTW path of ``part``: from where the query's first window
    leaves the clip to where its last window arrives, in the clip's own frame numbers."""
    path = similarity_path(cosine_matrix(query, clip, part))
    last = query.n_windows - 1
    start = int(path[path[:, 0] == 0, 1].max())
    end = int(path[path[:, 0] == last, 1].min())
    lo, hi = start * clip.stride, min(end * clip.stride + clip.window, clip.n_frames)
    fps = record.fps
    return to_source_frame(lo, fps), min(max(to_source_frame(hi, fps), 1), record.frames)


def candidate_clips(queries: Sequence[SequenceEmbedding], parts: Mapping[str, np.ndarray], index: Any,
                    owner: np.ndarray, lengths: np.ndarray, key: str, limit: int = CANDIDATES) -> np.ndarray:
    """The clips to score exactly: the ``limit`` best-voted over all query variants."""
    votes = np.full(len(lengths), -np.inf)
    for q in queries:
        votes = np.maximum(votes, vote(q, parts, key, index, owner, lengths))
    found = np.flatnonzero(np.isfinite(votes))
    return found[np.argsort(-votes[found], kind="stable")[:limit]]
