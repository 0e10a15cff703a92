"""Algorithm 1's five part scores of one pair in one compiled call, for jobs that score thousands of small pairs
(score-pairs, evaluate, library search: ``kernel=dtw.BULK``).

Why not BLAS and the DTW kernel one part at a time: these jobs compare ~30 x 30 windows of 256 (512 for the
torso) dimensions, where OpenBLAS reaches ~15 GMAC/s on one core, splits each tiny product over its threads
(twice the CPU for no gain), and numpy's per-call overhead holds the GIL, so scoring threads did not scale
(measured in benchmarks/bench_score_pairs.py: 2 threads 8.0 -> 6.7 s). Here the cosine matrices are plain
loops blocked 2 x 4 (~26-30 GMAC/s on one core), clipped, checked and aligned (`dtw.mean_along_path_kernel`)
without the GIL, so threads scale. Every cell is computed by the same code whatever the matrix sizes, so a
pair's scores never depend on how pairs are batched, sharded or threaded; they equal the BLAS path's
(`similarity.cosine_matrices`, which `compare` uses) to float32 rounding (~1e-7).

Imported only by bulk jobs: it loads numba.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .dtw import compiled_kernels
from .embed import SequenceEmbedding
from .skeleton import BODY_PARTS

NOT_FINITE, OTHER_DIMENSIONS = 1, 2  # what `_part_scores` returns when it cannot score

_kernels = compiled_kernels()
assert _kernels is not None  # numba imported above
_mean_along_path = _kernels[1]


@njit(cache=True, nogil=True, inline="always")
def _store(out: np.ndarray, i: int, j: int, s: np.float32) -> bool:
    """``out[i, j]`` = ``s`` clipped to [-1, 1]; whether ``s`` is finite."""
    out[i, j] = min(max(s, np.float32(-1.0)), np.float32(1.0))
    return np.isfinite(s)


@njit(cache=True, nogil=True, fastmath={"reassoc", "contract"})
def _cosines(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> bool:
    """``out = clip(a @ b.T, -1, 1)`` for C-contiguous float32 rows; False if a product is not finite. Two rows
    of A by four of B per pass (six loads feed eight multiply-adds); the edge rows are repeated, never read
    past."""
    n, m, d = a.shape[0], b.shape[0], a.shape[1]
    finite = True
    for i in range(0, n, 2):
        i1 = min(i + 1, n - 1)
        for j in range(0, m, 4):
            j1, j2, j3 = min(j + 1, m - 1), min(j + 2, m - 1), min(j + 3, m - 1)
            s00 = s01 = s02 = s03 = s10 = s11 = s12 = s13 = np.float32(0.0)
            for k in range(d):
                x0, x1 = a[i, k], a[i1, k]
                y0, y1, y2, y3 = b[j, k], b[j1, k], b[j2, k], b[j3, k]
                s00 += x0 * y0
                s01 += x0 * y1
                s02 += x0 * y2
                s03 += x0 * y3
                s10 += x1 * y0
                s11 += x1 * y1
                s12 += x1 * y2
                s13 += x1 * y3
            finite &= _store(out, i, j, s00) & _store(out, i, j1, s01) & _store(out, i, j2, s02)
            finite &= _store(out, i, j3, s03) & _store(out, i1, j, s10) & _store(out, i1, j1, s11)
            finite &= _store(out, i1, j2, s12) & _store(out, i1, j3, s13)
    return finite


@njit(cache=True, nogil=True)
def _part_scores(a_parts: tuple, b_parts: tuple, out: np.ndarray) -> int:
    """``out[k]`` = mean cosine along the DTW path of part k. Returns 0, or `NOT_FINITE` (a cosine is NaN or
    inf), or `OTHER_DIMENSIONS` (a part's dimensions differ between A and B)."""
    for k in range(len(a_parts)):
        if a_parts[k].shape[1] != b_parts[k].shape[1]:
            return OTHER_DIMENSIONS
    sim = np.empty((a_parts[0].shape[0], b_parts[0].shape[0]), dtype=np.float32)
    for k in range(len(a_parts)):
        if not _cosines(a_parts[k], b_parts[k], sim):
            return NOT_FINITE
        out[k] = _mean_along_path(sim)
    return 0


def compiled_part_scores(a: SequenceEmbedding, b: SequenceEmbedding) -> list[float] | None:
    """The five part scores in `BODY_PARTS` order, or None when the embeddings are not float32 (the caller then
    takes the BLAS path). Raises ValueError for embeddings with NaN or inf, as the BLAS path does."""
    a_parts, b_parts = a.part_arrays, b.part_arrays
    if a_parts is None or b_parts is None:
        return None
    out = np.empty(len(BODY_PARTS))
    status = _part_scores(a_parts, b_parts, out)
    if status == NOT_FINITE:
        raise ValueError("similarity matrix contains NaN or inf")
    if status == OTHER_DIMENSIONS:
        raise ValueError("the two embeddings' parts differ in dimensions (different models?)")
    return out.tolist()
