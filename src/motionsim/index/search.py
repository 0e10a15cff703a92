"""Search in two steps: candidate clips are proposed, exact Algorithm 1 decides (`rank`).

One proposer per library size, picked by `candidate_clips` from the bytes of window embeddings a scan of the
asked parts reads per query (`scan_bytes`): the scan is memory-bound, so its time is that size.

- Up to `SCAN_BYTES` (~7,000 clips for "overall", five times more for one part), `flat_scan_proposals`: a
  compiled kernel (`scan_kernel`) reads each library window of the asked parts once, straight from the
  memory-mapped table, takes its cosines with the query windows and runs the DTW of Algorithm 1 on each clip,
  in parallel over clips. That is Algorithm 1 itself, up to float rounding, so the best `SCAN_CANDIDATES`
  clips of the scan hold the true top hits; they are re-scored by `rank` so results are bit-identical to
  exhaustive scoring.
- Libraries of format 2 (`store`), beyond `SCAN_BYTES`: `sketch_proposals`. The same Algorithm 1, run by a
  compiled kernel (`scan_kernel.sketch_part`) on every clip's window *sketches* (32 numbers per window and
  part, `sketch`), proposes `SKETCH_PROPOSALS` clips (at least `SKETCH_SHARE` of the library); the flat scan
  scores those exactly. For "overall" one alignment of the movement-weighted mean of the five parts' sketch
  cosines (their first `OVERALL_SKETCH_DIMS` dimensions) stands in for five alignments. Measured on 30
  queries against 20,000 clips: the exact top 10 were within the sketch's first 13 (limbs, torso; one query
  113) and 17 ("overall") clips (docs/scale.md), and the proposals grow with the library.
- Libraries of format 1, up to `MAX_SCAN_STEP` times that size (~20,000 clips for "overall" at r = 8),
  `sampled_scan_proposals`: the
  same kernel aligns the query with every 2nd or 3rd window of each clip (and its last). Neighbouring windows
  overlap by w - r frames, so that DTW tracks the full one closely: at step 3 its best `PROPOSALS` clips held
  99.7 % of the true top 10 (30 queries, 20,000 clips; docs/scale.md), and the flat scan scores those exactly.
- Libraries of format 1 beyond that size, `vote_proposals`: the approximate index proposes (the only proposer
  that needs faiss).
  Each query window fetches its nearest library windows; a clip's vote is the mean over query windows of its
  best retrieved cosine (the k-th cosine where none of its windows came back), which tracks the DTW mean
  cosine only roughly (a window vote ignores the alignment, so clips whose good windows are few or out of
  order are under-voted). The best-voted clips, as many as a scan may read, are flat-scanned and the best of
  those scored exactly (DTW per part), so the ranking of the hits is Algorithm 1's, not the index's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..dtw import BULK, similarity_path
from ..embed import SequenceEmbedding
from ..resample import to_source_frame
from ..similarity import (
    cosine_matrix,
    movement_weights,
    overall_score,
    part_scores,
    part_weights,
)
from ..skeleton import BODY_PARTS
from . import ann
from .store import ClipArrays, ClipRecord, clip_arrays, vectors


@dataclass(frozen=True)
class Sketches:
    """A format-2 library's window sketches (float16 tables) and the projections of its parts."""

    tables: Mapping[str, np.ndarray]
    bases: Mapping[str, np.ndarray]

NEIGHBOURS = 1024  # library windows fetched per query window
CANDIDATES = 1000  # clips re-ranked exactly after the approximate vote (~0.12 s on one core)
SCAN_BYTES = 800_000_000  # window embeddings read per query by a scan, at most (~0.15 s on 2 cores)
SCAN_CANDIDATES = 50  # clips re-ranked exactly after the scan (its scores are exact up to rounding)
MAX_SCAN_STEP = 3  # sampled scans read every 2nd or 3rd window at most (every 4th ranked the top 10 loosely)
PROPOSALS = 1000  # clips the sampled scan hands to the flat scan (~25 ms to score exactly)
SKETCH_PROPOSALS = 1000  # clips the sketch scan hands to the flat scan, at least
SKETCH_SHARE = 0.01  # ... and at least this share of the library (its ranking errors grow with the library)
OVERALL_SKETCH_DIMS = 16  # sketch dimensions per part that "overall" aligns (all `SKETCH_DIMS` for one part)


@dataclass(frozen=True)
class Proposers:
    """The budgets that pick and size the proposer (the module's constants by default; a test or a benchmark
    passes others to make a small library take the path of a large one)."""

    scan_bytes: int = SCAN_BYTES  # window-embedding bytes a flat scan may read per query
    proposals: int = PROPOSALS  # clips the sampled scan hands to the flat scan
    sketch_proposals: int = SKETCH_PROPOSALS  # clips the sketch scan hands to the flat scan, at least


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
    part_weights: dict[str, float] = field(default_factory=dict)  # of ``similarity``, as compare's
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"clip": self.clip, "score": self.score, "similarity": self.similarity,
                "body_parts": dict(self.body_parts), "part_weights": dict(self.part_weights), "flipped": self.flipped,
                "frames": {"start": self.frames[0], "end": self.frames[1]}, "matched_part": self.matched_part}


def scan_bytes(parts: Mapping[str, np.ndarray], key: str) -> int:
    """Bytes of window embeddings the flat scan reads for ``key``."""
    names = BODY_PARTS if key == "overall" else (key,)
    return sum(parts[p].shape[0] * parts[p].shape[1] * 4 for p in names)


def scan(queries: Sequence[SequenceEmbedding], parts: Mapping[str, np.ndarray], clips: Sequence[ClipRecord],
         key: str, subset: np.ndarray | None = None, step: int = 1) -> np.ndarray:
    """Algorithm 1's score for ``key`` of every clip (or of the clips numbered in ``subset``, in that order;
    best over query variants; "overall" weighs the parts like `rank`), computed in bulk by the compiled
    kernel, one call per part (`scan_kernel.scan_part`).

    ``step`` > 1 approximates it, for proposing: each clip is aligned with every ``step``-th of its windows
    and its last only. Windows at stride r overlap by w - r frames, so neighbours are alike and the DTW of the
    sampled clip tracks the full one, while about ``step`` times fewer rows are read and cells aligned."""
    from .scan_kernel import scan_part  # imports numba: on the first scan, not with the package

    names = BODY_PARTS if key == "overall" else (key,)
    chosen = clip_arrays(clips)
    if subset is not None:
        chosen = chosen.take(np.asarray(subset, dtype=np.int64))
    best = np.full(len(chosen.firsts), -np.inf)
    for q in queries:
        weights = clip_weights(q, chosen) if key == "overall" else np.ones((len(chosen.firsts), 1))
        total = np.zeros(len(chosen.firsts))
        for k, p in enumerate(names):
            score = np.zeros(len(chosen.firsts))
            scan_part(np.ascontiguousarray(q.parts[p], dtype=np.float32), kernel_table(parts[p]), chosen.firsts,
                      chosen.n_windows, step, score)
            total += weights[:, k] * score
        np.maximum(best, total, out=best)
    return best


def kernel_table(table: np.ndarray) -> np.ndarray:
    """A window table as the compiled kernels read it: float32 as is, float16 as its uint16 bits."""
    table = np.asarray(table)
    return table.view(np.uint16) if table.dtype == np.float16 else table


def sketch_scan(queries: Sequence[SequenceEmbedding], sketches: Sketches, clips: Sequence[ClipRecord],
                key: str) -> np.ndarray:
    """Algorithm 1 on the window sketches (`scan_kernel.sketch_part`) for ``key``, every clip, best over query
    variants: a proposal score (float32, approximate), not a result."""
    from .scan_kernel import sketch_part

    names = BODY_PARTS if key == "overall" else (key,)
    dims = OVERALL_SKETCH_DIMS if key == "overall" else sketches.bases[key].shape[1]
    tables = tuple(kernel_table(sketches.tables[p]) for p in names)
    arrays = clip_arrays(clips)
    best = np.full(len(arrays.firsts), -np.inf)
    for q in queries:
        weights = clip_weights(q, arrays) if key == "overall" else np.ones((len(arrays.firsts), 1))
        sketched = tuple(np.ascontiguousarray(q.parts[p] @ sketches.bases[p], dtype=np.float32) for p in names)
        score = np.zeros(len(arrays.firsts))
        sketch_part(sketched, tables, np.ascontiguousarray(weights), min(dims, sketched[0].shape[1]), arrays.firsts,
                    arrays.n_windows, score)
        np.maximum(best, score, out=best)
    return best


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
    n_query = len(query.parts[BODY_PARTS[0]])
    hit_clips = owner[wins]
    votes = np.full(n_clips, -np.inf)
    touched = np.unique(hit_clips)
    # query side: each query window's best window of the clip (its floor where none came back)
    pairs = rows.astype(np.int64) * n_clips + hit_clips  # (query window, clip), one number
    uniq, inv = np.unique(pairs, return_inverse=True)
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
    votes[touched] = ((q_side + c_side) / (n_query + lengths))[touched]
    return votes


def flat_scan_proposals(queries: Sequence[SequenceEmbedding], parts: Mapping[str, np.ndarray],
                        clips: Sequence[ClipRecord], key: str, n: int) -> np.ndarray:
    """The ``n`` best clips of the library by the flat scan, best first."""
    return np.argsort(-scan(queries, parts, clips, key), kind="stable")[:n]


def sampled_scan_proposals(queries: Sequence[SequenceEmbedding], parts: Mapping[str, np.ndarray],
                           clips: Sequence[ClipRecord], key: str, n: int, step: int,
                           proposals: int = PROPOSALS) -> np.ndarray:
    """The ``n`` best clips, best first, by the flat scan of the best ``proposals`` (at least ``n``) of the
    scan at ``step``."""
    proposed = np.argsort(-scan(queries, parts, clips, key, step=step), kind="stable")[:max(proposals, n)]
    return best_scanned(queries, parts, clips, key, proposed, n)


def vote_proposals(queries: Sequence[SequenceEmbedding], parts: Mapping[str, np.ndarray],
                   clips: Sequence[ClipRecord], key: str, n: int, shortlist: int, index: Any,
                   owner: np.ndarray) -> np.ndarray:
    """The ``n`` best clips, best first, by the flat scan of the ``shortlist`` best-voted (`vote` with the
    approximate ``index`` of ``key``, best over query variants; ``owner[w]`` is the clip of window w)."""
    lengths = clip_arrays(clips).n_windows.astype(np.float64)
    votes = np.full(len(clips), -np.inf)
    for q in queries:
        votes = np.maximum(votes, vote(q, parts, key, index, owner, lengths))
    found = np.flatnonzero(np.isfinite(votes))
    voted = found[np.argsort(-votes[found], kind="stable")[:shortlist]]
    return best_scanned(queries, parts, clips, key, voted, n)


def sketch_proposals(queries: Sequence[SequenceEmbedding], parts: Mapping[str, np.ndarray],
                     clips: Sequence[ClipRecord], key: str, n: int, sketches: Sketches,
                     proposals: int = SKETCH_PROPOSALS) -> np.ndarray:
    """The ``n`` best clips, best first, by the flat scan of the best ``proposals`` (at least `SKETCH_SHARE`
    of the library and ``n``) of the sketch scan."""
    share = max(proposals, int(np.ceil(len(clips) * SKETCH_SHARE)), n)
    proposed = np.argsort(-sketch_scan(queries, sketches, clips, key), kind="stable")[:share]
    return best_scanned(queries, parts, clips, key, proposed, n)


def best_scanned(queries: Sequence[SequenceEmbedding], parts: Mapping[str, np.ndarray], clips: Sequence[ClipRecord],
                 key: str, subset: np.ndarray, n: int) -> np.ndarray:
    """The ``n`` best clips of ``subset`` by the flat scan, best first."""
    subset = np.sort(subset)  # disk order for the scan's reads
    return subset[np.argsort(-scan(queries, parts, clips, key, subset), kind="stable")[:n]]


def candidate_clips(queries: Sequence[SequenceEmbedding], parts: Mapping[str, np.ndarray],
                    clips: Sequence[ClipRecord], key: str, top: int, candidates: int | None,
                    index: Callable[[], Any], owner: np.ndarray, sketches: Sketches | None = None,
                    proposers: Proposers = Proposers()) -> np.ndarray:
    """The ``candidates`` clips (by default ``max(SCAN_CANDIDATES, 5 * top)``) to score exactly, best first,
    from the proposer for the bytes a scan reads (see the module doc), within the budgets of ``proposers``.
    ``sketches``: those of a format-2 library (None: format 1). ``index()`` opens the approximate index of
    ``key`` (format 1): called only when the vote proposes, so smaller libraries are searched without faiss.
    ``owner[w]`` is the clip of window w."""
    need = scan_bytes(parts, key) * max(1, len(queries) // 2)
    n = max(SCAN_CANDIDATES, 5 * top) if candidates is None else candidates
    budget = proposers.scan_bytes
    if need <= budget:
        return flat_scan_proposals(queries, parts, clips, key, n)
    if sketches is not None:
        return sketch_proposals(queries, parts, clips, key, n, sketches, proposals=proposers.sketch_proposals)
    if need <= budget * MAX_SCAN_STEP:
        return sampled_scan_proposals(queries, parts, clips, key, n, step=-(-need // budget),
                                      proposals=proposers.proposals)
    # the vote shortlists as many clips as one scan may read, and no fewer than CANDIDATES or those asked for
    shortlist = max(CANDIDATES if candidates is None else candidates, int(len(clips) * budget / need))
    return vote_proposals(queries, parts, clips, key, n, shortlist, index(), owner)


def clip_embedding(parts: Mapping[str, np.ndarray], clip: ClipRecord, window: int, stride: int) -> SequenceEmbedding:
    return SequenceEmbedding({p: np.asarray(parts[p][clip.windows], dtype=np.float32) for p in BODY_PARTS},
                             clip.frames, window, stride,
                             movement=None if clip.movement is None else np.asarray(clip.movement))


def clip_weights(query: SequenceEmbedding, clips: Sequence[ClipRecord] | ClipArrays) -> np.ndarray:
    """(clips, 5) `part_weights` of ``query`` with each clip, as `rank` and ``compare`` weigh the parts."""
    movement = (clips if isinstance(clips, ClipArrays) else clip_arrays(clips)).movement
    unknown = np.full(len(BODY_PARTS), np.nan)
    return movement_weights(unknown if query.movement is None else query.movement, movement)


def rank(queries: Sequence[SequenceEmbedding], parts: Mapping[str, np.ndarray], clips: Sequence[ClipRecord],
         candidates: Sequence[int], key: str, top: int) -> list[tuple[int, int, dict[str, float]]]:
    """Exact Algorithm 1 of every candidate against every query variant: best ``top`` as (clip, variant, part
    scores), best first (ties by clip order, so results are stable)."""
    scored = []
    for c in candidates:
        emb = clip_embedding(parts, clips[c], queries[0].window, queries[0].stride)
        best: tuple[float, int, dict[str, float]] | None = None
        for v, q in enumerate(queries):
            scores = part_scores(q, emb, BULK)
            value = overall_score(scores, part_weights(q, emb)) if key == "overall" else scores[key]
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
