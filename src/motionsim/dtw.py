"""Dynamic time warping over a precomputed cost matrix (Algorithm 1 aligns window embeddings with it).

`dtw_path` validates its input and hands it to a private kernel: a numba-compiled loop, or a numpy version
that sweeps anti-diagonals for small matrices until numba is loaded (and when numba is missing).
`benchmarks/bench_dtw.py` compares both with tslearn and dtaidistance; the numba kernel is the fastest on our
sizes, which is why it is hand-written. Steps are the classic (1,0), (0,1), (1,1); ties prefer the diagonal.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

#: Below this many cells the numpy kernel answers faster than loading numba (~0.4 s once per process), so a
#: one-off comparison of short clips never pays for it; bulk jobs call `warm_up` first.
SMALL_MATRIX = 2_500


def _accumulate_numpy(cost: np.ndarray) -> np.ndarray:
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
    """Load the compiled kernels now (bulk jobs: many small alignments); True when numba is available."""
    return compiled_kernels() is not None


def _kernels_for(matrix: np.ndarray) -> tuple[Callable, Callable] | None:
    """Compiled kernels if loaded already or worth loading for this matrix, else None (use numpy)."""
    if matrix.size <= SMALL_MATRIX and compiled_kernels.cache_info().currsize == 0:
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


def dtw_path(cost: np.ndarray, backend: str = "auto") -> tuple[np.ndarray, float]:
    """Optimal warping path through a cost matrix.

    Parameters
    ----------
    cost : array-like, shape=(n, m)
    backend : "auto" (numba when available), "numba" or "numpy"

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
    if backend not in ("auto", "numba", "numpy"):
        raise ValueError(f"unknown DTW backend {backend!r}")
    kernels = None if backend == "numpy" else compiled_kernels() if backend == "numba" else _kernels_for(cost)
    if kernels is None:
        return _path_numpy(cost)
    path, total = kernels[0](cost, False)
    return path, float(total)


def similarity_path(sim: np.ndarray) -> np.ndarray:
    """DTW path through a similarity matrix (cost ``1 - sim``, computed on the fly); shape=(K, 2)."""
    sim = _check_matrix(sim, "similarity matrix")
    kernels = _kernels_for(sim)
    return _path_numpy(1.0 - sim)[0] if kernels is None else kernels[0](sim, True)[0]


def mean_similarity_along_path(sim: np.ndarray) -> float:
    """Algorithm 1's score: align with DTW on cost ``1 - sim`` and average ``sim`` along the path.

    Examples
    --------
    >>> round(mean_similarity_along_path(np.eye(3)), 6)
    1.0
    """
    sim = _check_matrix(sim, "similarity matrix")
    kernels = _kernels_for(sim)
    if kernels is None:
        path, _ = _path_numpy(1.0 - sim)
        return float(sim[path[:, 0], path[:, 1]].mean())
    return float(kernels[1](sim))
