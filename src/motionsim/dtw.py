"""Dynamic time warping over a precomputed cost matrix (Algorithm 1 aligns window embeddings with it).

Two kernels compute the same thing: a numba-compiled loop, and a numpy sweep over anti-diagonals that needs
no compilation. Both add the costs in float64 in the same order and break ties the same way (diagonal, then
up, then left), so they return bit-identical paths and scores (tests pin it): which one runs is only a matter
of speed, never of results. The rule is explicit and depends only on the call: ``kernel="numba"`` or
``"numpy"`` runs that kernel; ``"auto"`` (the default) runs numpy for matrices of at most `SMALL_MATRIX`
cells, where it answers before numba could even load (~0.4 s once per process), and numba above. Jobs that
align thousands of small matrices (score-pairs, evaluate, search) ask for ``kernel=BULK`` (numba).
`benchmarks/bench_dtw.py` compares both with tslearn and dtaidistance; the numba kernel is the fastest on our
sizes, which is why it is hand-written. Steps are the classic (1,0), (0,1), (1,1).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

KERNELS = ("auto", "numba", "numpy")
#: The kernel of jobs that align thousands of small matrices (score-pairs, evaluate, library search).
BULK = "numba"

#: Up to this many cells, ``kernel="auto"`` runs the numpy kernel: a one-off comparison of short clips then
#: never pays for loading numba.
SMALL_MATRIX = 2_500


def _accumulate_numpy(cost: np.ndarray) -> np.ndarray:
    """Accumulated cost, shape (n + 1, m + 1), in float64 like the compiled kernel (same sums, same order)."""
    cost = np.asarray(cost, dtype=np.float64)
    n, m = cost.shape
    acc = np.full((n + 1, m + 1), np.inf)
    acc[0, 0] = 0.0
    for k in range(n + m - 1):  # cells with i + j == k only depend on earlier diagonals
        i = np.arange(max(0, k - m + 1), min(n, k + 1))
        j = k - i
        best = np.minimum(np.minimum(acc[i, j], acc[i, j + 1]), acc[i + 1, j])
        acc[i + 1, j + 1] = cost[i, j] + best
    return acc


def _backtrack_numpy(acc: np.ndarray) -> np.ndarray:
    i, j = acc.shape[0] - 1, acc.shape[1] - 1
    path = [(i - 1, j - 1)]
    while i > 1 or j > 1:
        diag, up, left = acc[i - 1, j - 1], acc[i - 1, j], acc[i, j - 1]
        if diag <= up and diag <= left:
            i, j = i - 1, j - 1
        elif up <= left:
            i -= 1
        else:
            j -= 1
        path.append((i - 1, j - 1))
    return np.array(path[::-1], dtype=np.int64)


def _path_numpy(cost: np.ndarray) -> tuple[np.ndarray, float]:
    acc = _accumulate_numpy(cost)
    return _backtrack_numpy(acc), float(acc[-1, -1])


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


def _similarity_cost(sim: np.ndarray) -> np.ndarray:
    """``1 - sim`` in float64, as the compiled kernel computes it cell by cell."""
    return 1.0 - sim.astype(np.float64)


def similarity_path(sim: np.ndarray, kernel: str = "auto") -> np.ndarray:
    """DTW path through a similarity matrix (cost ``1 - sim``, computed on the fly); shape=(K, 2)."""
    sim = _check_matrix(sim, "similarity matrix")
    kernels = _use_numba(sim, kernel)
    return _path_numpy(_similarity_cost(sim))[0] if kernels is None else kernels[0](sim, True)[0]


def mean_similarity_along_path(sim: np.ndarray, kernel: str = "auto") -> float:
    """Algorithm 1's score: align with DTW on cost ``1 - sim`` and average ``sim`` along the path.

    Examples
    --------
    >>> round(mean_similarity_along_path(np.eye(3)), 6)
    1.0
    """
    sim = _check_matrix(sim, "similarity matrix")
    kernels = _use_numba(sim, kernel)
    if kernels is None:  # 1 - (total cost) / (path length), as the compiled kernel computes it
        path, total = _path_numpy(_similarity_cost(sim))
        return float(1.0 - total / len(path))
    return float(kernels[1](sim))
