"""Dynamic time warping over a precomputed cost matrix (Algorithm 1 aligns window embeddings with it).

Two kernels compute the same thing: a numba-compiled loop, and a numpy sweep over anti-diagonals that needs
no compilation. Both add the costs in float64 in the same order and break ties the same way (diagonal, then
up, then left), so they return bit-identical paths and scores (tests pin it): which one runs is only a matter
of speed, never of results. The rule is explicit and depends only on the call: ``kernel="numba"`` or
``"numpy"`` runs that kernel; ``"auto"`` (the default) runs numpy for matrices of at most `SMALL_MATRIX`
cells, where it answers before numba could even load (~0.8 s once per process), and numba above. Jobs that
align thousands of small matrices (score-pairs, evaluate, search) ask for ``kernel=BULK`` (numba); their part
scores come from `pair_kernel`, which also computes the cosines in compiled code (equal to BLAS's to float32
rounding). The numpy kernel aligns the five parts of a comparison in one sweep (`similarity_paths`).
`benchmarks/bench_dtw.py` compares both with tslearn and dtaidistance; the numba kernel is the fastest on our
sizes, which is why it is hand-written. Steps are the classic (1,0), (0,1), (1,1).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import numpy as np

KERNELS = ("auto", "numba", "numpy")
#: The kernel of jobs that align thousands of small matrices (score-pairs, evaluate, library search).
BULK = "numba"

#: Up to this many cells per matrix, ``kernel="auto"`` runs the numpy kernel: loading numba costs ~0.8 s once
#: per process (import and cached kernels), more than the numpy sweep of the five parts of a 1,000 x 1,000
#: comparison (two 4.5-minute clips at r = 8); `benchmarks/bench_dtw.py` measures both.
SMALL_MATRIX = 1_000_000


def _accumulate_numpy(costs: np.ndarray) -> tuple[np.ndarray, bool]:
    """Accumulated costs of a stack of cost matrices (P, n, m), swept one anti-diagonal at a time.

    Cells with i + j == k depend only on diagonals k - 1 and k - 2, so the values are stored skewed, one row per
    diagonal: row k + 2 holds diagonal k, entry r + 1 its cell at index r along the shorter side (rows 0 and 1
    are diagonals -2 and -1: the origin). Every read and write is then a contiguous slice, three numpy calls a
    diagonal for all P matrices at once (the five parts of a comparison share one sweep), in (n + m + 1) x
    (min(n, m) + 1) values each. Each cell adds its cost to the smallest predecessor in float64, in the compiled
    kernel's order, so the values, and the paths read back from them, are bit-identical to it.

    Returns the skewed values (P, n + m + 1, min(n, m) + 1) and whether they are indexed by column (m < n).
    """
    costs = np.asarray(costs, dtype=np.float64)
    p, n, m = costs.shape
    by_column = m < n
    short, long_ = (m, n) if by_column else (n, m)
    # the cost of diagonal k in the order of the shorter side's index: (r, k - r), or (k - r, r) by column
    skewed_view = costs[:, ::-1, :] if by_column else costs[:, :, ::-1]
    acc = np.full((p, n + m + 1, short + 1), np.inf)
    acc[:, 0, 0] = 0.0
    minimum, add = np.minimum, np.add
    for k in range(n + m - 1):
        lo, hi = max(0, k - long_ + 1), min(short - 1, k)
        d2, d1 = acc[:, k], acc[:, k + 1]
        # predecessors: diagonal (r - 1 on diagonal k - 2), and r - 1 and r on diagonal k - 1 (which of these
        # is "up" and which "left" depends on the side indexed; the minimum does not)
        best = minimum(minimum(d2[:, lo:hi + 1], d1[:, lo:hi + 1]), d1[:, lo + 1:hi + 2])
        offset = k - (n - 1) if by_column else (m - 1) - k
        add(skewed_view.diagonal(offset, axis1=1, axis2=2), best, out=acc[:, k + 2, lo + 1:hi + 2])
    return acc, by_column


def _backtrack_numpy(acc: np.ndarray, by_column: bool, n: int, m: int) -> np.ndarray:
    """The path through one matrix's skewed values (`_accumulate_numpy`), from (n-1, m-1) back to (0, 0), with
    the compiled kernel's tie rule: diagonal, then up, then left."""
    i, j = n - 1, m - 1
    path = [(i, j)]
    while i > 0 or j > 0:
        k = i + j + 2  # the row of cell (i, j)
        r = j if by_column else i
        diag = acc[k - 2, r]
        up = acc[k - 1, r + 1] if by_column else acc[k - 1, r]  # (i - 1, j)
        left = acc[k - 1, r] if by_column else acc[k - 1, r + 1]  # (i, j - 1)
        if diag <= up and diag <= left:
            i, j = i - 1, j - 1
        elif up <= left:
            i -= 1
        else:
            j -= 1
        path.append((i, j))
    return np.array(path[::-1], dtype=np.int64)


def _total(acc: np.ndarray, by_column: bool, n: int, m: int) -> float:
    return float(acc[n + m, m if by_column else n])


def _path_numpy(cost: np.ndarray) -> tuple[np.ndarray, float]:
    acc, by_column = _accumulate_numpy(cost[None])
    return _backtrack_numpy(acc[0], by_column, *cost.shape), _total(acc[0], by_column, *cost.shape)


def _path_python_kernel(matrix: np.ndarray, is_similarity: bool) -> tuple[np.ndarray, float]:
    """Plain loops: the body numba compiles. Cost is ``matrix`` or ``1 - matrix``.

    Keeps two rows of accumulated cost and one byte per cell for the chosen step (0 diagonal, 1 up,
    2 left), so a 2,500 x 2,500 alignment needs 6 MB, not 50 MB. Returns (path (K, 2), total cost).
    """
    n, m = matrix.shape
    step = np.empty((n, m), dtype=np.int8)
    prev = np.empty(m + 1)
    cur = np.empty(m + 1)
    prev[:] = np.inf
    prev[0] = 0.0
    for i in range(n):
        cur[0] = np.inf
        for j in range(m):
            a = prev[j]
            b = prev[j + 1]
            c = cur[j]
            if a <= b and a <= c:
                best, s = a, 0
            elif b <= c:
                best, s = b, 1
            else:
                best, s = c, 2
            cost = 1.0 - matrix[i, j] if is_similarity else matrix[i, j]
            cur[j + 1] = cost + best
            step[i, j] = s
        prev, cur = cur, prev
    total = prev[m]
    path = np.empty((n + m, 2), dtype=np.int64)
    k = 0
    i, j = n - 1, m - 1
    path[0, 0], path[0, 1] = i, j
    while i > 0 or j > 0:
        s = step[i, j]
        if s == 0:
            i -= 1
            j -= 1
        elif s == 1:
            i -= 1
        else:
            j -= 1
        k += 1
        path[k, 0], path[k, 1] = i, j
    return path[k::-1].copy(), total


def mean_along_path_kernel(sim: np.ndarray) -> float:
    """Mean of ``sim`` along the DTW path of cost = 1 - sim.

    With cost = 1 - sim, the mean along a path of length L and total cost C is 1 - C / L, so the forward
    pass only carries each cell's path length (same tie rule as the backtrack): no path is built, and two
    rows of state suffice.
    """
    n, m = sim.shape
    acc_prev = np.empty(m + 1)
    acc_cur = np.empty(m + 1)
    len_prev = np.zeros(m + 1, dtype=np.int64)
    len_cur = np.zeros(m + 1, dtype=np.int64)
    acc_prev[:] = np.inf
    acc_prev[0] = 0.0
    for i in range(n):
        acc_cur[0] = np.inf
        for j in range(m):
            a = acc_prev[j]
            b = acc_prev[j + 1]
            c = acc_cur[j]
            if a <= b and a <= c:
                best, steps = a, len_prev[j]
            elif b <= c:
                best, steps = b, len_prev[j + 1]
            else:
                best, steps = c, len_cur[j]
            acc_cur[j + 1] = (1.0 - sim[i, j]) + best
            len_cur[j + 1] = steps + 1
        acc_prev, acc_cur = acc_cur, acc_prev
        len_prev, len_cur = len_cur, len_prev
    return 1.0 - acc_prev[m] / len_prev[m]


@functools.lru_cache(maxsize=1)
def compiled_kernels() -> tuple[Callable, Callable] | None:
    """The numba-compiled (path, mean-along-path) kernels, compiled or loaded from numba's cache on first
    use; None when numba is not installed."""
    try:
        from numba import njit
    except ImportError:  # pragma: no cover - numba is a dependency
        return None
    return (njit(cache=True, nogil=True)(_path_python_kernel),
            njit(cache=True, nogil=True)(mean_along_path_kernel))


def warm_up() -> bool:
    """Load the compiled kernels now, so a timed or interactive bulk job does not pay for it on its first
    alignment; True when numba is available. It never changes which kernel a call runs (see the module doc)."""
    return compiled_kernels() is not None


def _use_numba(matrix: np.ndarray, kernel: str) -> tuple[Callable, Callable] | None:
    """The compiled kernels if ``kernel`` asks for them (or "auto" and the matrix is large), else None."""
    if kernel not in KERNELS:
        raise ValueError(f"unknown DTW kernel {kernel!r}; known: {', '.join(KERNELS)}")
    if kernel == "numpy" or (kernel == "auto" and matrix.size <= SMALL_MATRIX):
        return None
    return compiled_kernels()


def _check_matrix(cost: np.ndarray, name: str) -> np.ndarray:
    cost = np.asarray(cost)
    cost = np.ascontiguousarray(cost, dtype=cost.dtype if cost.dtype in (np.float32, np.float64) else np.float64)
    if cost.ndim != 2 or cost.shape[0] == 0 or cost.shape[1] == 0:
        raise ValueError(f"{name} must be a non-empty 2-D matrix, got shape {cost.shape}")
    if not np.isfinite(cost).all():
        raise ValueError(f"{name} contains NaN or inf")
    return cost


def dtw_path(cost: np.ndarray, kernel: str = "auto") -> tuple[np.ndarray, float]:
    """Optimal warping path through a cost matrix.

    Parameters
    ----------
    cost : array-like, shape=(n, m)
    kernel : "auto", "numba" or "numpy" (see the module doc; the results are the same)

    Returns
    -------
    path : int array, shape=(K, 2), from (0, 0) to (n-1, m-1)
    total : float, sum of the costs along the path

    Examples
    --------
    >>> path, total = dtw_path([[0., 1., 1.], [1., 0., 0.]])
    >>> path.tolist(), total
    ([[0, 0], [1, 1], [1, 2]], 0.0)
    """
    cost = _check_matrix(cost, "cost")
    kernels = _use_numba(cost, kernel)
    if kernels is None:
        return _path_numpy(cost)
    path, total = kernels[0](cost, False)
    return path, float(total)


def _similarity_cost(sims: np.ndarray) -> np.ndarray:
    """``1 - sim`` in float64, as the compiled kernel computes it cell by cell."""
    return 1.0 - sims.astype(np.float64)


def _check_stack(sims: Sequence[np.ndarray] | np.ndarray) -> list[np.ndarray]:
    if isinstance(sims, np.ndarray) and sims.ndim == 3 and sims.dtype in (np.float32, np.float64) and all(
            sims.shape) and sims.flags.c_contiguous:  # one stacked array (`similarity.cosine_matrices`): checked once
        if not np.isfinite(sims).all():
            raise ValueError("similarity matrix contains NaN or inf")
        return list(sims)
    checked = [_check_matrix(s, "similarity matrix") for s in sims]
    if len({s.shape for s in checked}) > 1:
        raise ValueError(f"similarity matrices of one comparison share a shape, got {[s.shape for s in checked]}")
    return checked


def similarity_paths(sims: Sequence[np.ndarray] | np.ndarray, kernel: str = "auto") -> list[np.ndarray]:
    """The DTW path (cost ``1 - sim``) through each of several same-shaped similarity matrices (the body parts
    of one comparison: the numpy kernel aligns them in one sweep); each shape=(K, 2)."""
    checked = _check_stack(sims)
    if not checked:
        return []
    kernels = _use_numba(checked[0], kernel)
    if kernels is not None:
        return [kernels[0](s, True)[0] for s in checked]
    n, m = checked[0].shape
    acc, by_column = _accumulate_numpy(_similarity_cost(np.stack(checked)))
    return [_backtrack_numpy(acc[k], by_column, n, m) for k in range(len(checked))]


def mean_similarities_along_path(sims: Sequence[np.ndarray] | np.ndarray, kernel: str = "auto") -> list[float]:
    """Algorithm 1's score of each of several same-shaped similarity matrices (see `similarity_paths`)."""
    checked = _check_stack(sims)
    if not checked:
        return []
    kernels = _use_numba(checked[0], kernel)
    if kernels is not None:
        return [float(kernels[1](s)) for s in checked]
    n, m = checked[0].shape
    acc, by_column = _accumulate_numpy(_similarity_cost(np.stack(checked)))
    # 1 - total cost / path length, as the compiled kernel computes it
    return [1.0 - _total(a, by_column, n, m) / len(_backtrack_numpy(a, by_column, n, m)) for a in acc]


def similarity_path(sim: np.ndarray, kernel: str = "auto") -> np.ndarray:
    """DTW path through a similarity matrix (cost ``1 - sim``, computed on the fly); shape=(K, 2)."""
    return similarity_paths([sim], kernel)[0]


def mean_similarity_along_path(sim: np.ndarray, kernel: str = "auto") -> float:
    """Algorithm 1's score: align with DTW on cost ``1 - sim`` and average ``sim`` along the path.

    Examples
    --------
    >>> round(mean_similarity_along_path(np.eye(3)), 6)
    1.0
    """
    return mean_similarities_along_path([sim], kernel)[0]
