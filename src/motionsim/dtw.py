"""Dynamic time warping over a precomputed cost matrix (Algorithm 1 aligns window embeddings with it).

Two kernels compute the same thing: a numba-compiled loop, and a numpy sweep over anti-diagonals that needs
no compilation. Both add the costs in float64 in the same order and break ties the same way (diagonal, then
up, then left), so they return bit-identical paths and scores (tests pin it): which one runs is only a matter
of speed, never of results. The rule is explicit and depends only on the call: ``kernel="numba"`` or
``"numpy"`` runs that kernel; ``"auto"`` (the default) runs numpy for matrices of at most `SMALL_MATRIX`
cells, where it answers before numba could even load (~0.8 s once per process), and numba above. Jobs that
align thousands of small matrices (score-pairs, evaluate, search) ask for ``kernel=BULK`` (numba). The numpy
kernel aligns the five parts of a comparison in one sweep (`similarity_paths`).
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


def _sweep_numpy(costs: np.ndarray, keep_steps: bool = True) -> tuple[np.ndarray, np.ndarray, list]:
    """The forward pass of DTW for a stack of cost matrices (P, n, m), one anti-diagonal at a time.

    Cells with i + j == k depend only on diagonals k - 1 and k - 2, so each diagonal is a handful of numpy
    operations on slices, for all P matrices at once (the five parts of a comparison share one sweep). Each
    cell adds its cost to the best predecessor in float64 with the compiled kernel's tie rule (diagonal, then
    up, then left), so totals and paths are bit-identical to it.

    Returns the total cost (P,), the path length (P,) and, with ``keep_steps``, per diagonal (first row, steps
    (P, cells): 0 diagonal, 1 up, 2 left) for `_backtrack_numpy`.
    """
    costs = np.asarray(costs, dtype=np.float64)
    p, n, m = costs.shape
    flipped = costs[:, :, ::-1]  # anti-diagonals of costs are diagonals of this view
    # position r + 1 holds row r of a diagonal, position 0 row -1 (the origin before the first cell); positions
    # outside a diagonal's rows stay inf. Three buffers turn: diagonals k - 2, k - 1 and k.
    acc = [np.full((p, n + 2), np.inf) for _ in range(3)]
    lengths = [np.zeros((p, n + 2), dtype=np.int64) for _ in range(3)]
    acc[0][:, 0] = 0.0  # diagonal -2 holds the origin
    steps = []
    for k in range(n + m - 1):
        prev2, prev1, cur = acc[k % 3], acc[(k + 1) % 3], acc[(k + 2) % 3]
        len2, len1, cur_len = lengths[k % 3], lengths[(k + 1) % 3], lengths[(k + 2) % 3]
        lo, hi = max(0, k - m + 1), min(n - 1, k)
        diag, up, left = prev2[:, lo:hi + 1], prev1[:, lo:hi + 1], prev1[:, lo + 1:hi + 2]
        take_diag = (diag <= up) & (diag <= left)
        take_up = ~take_diag & (up <= left)
        cur[:, lo + 1:hi + 2] = flipped.diagonal(m - 1 - k, axis1=1, axis2=2) + np.minimum(np.minimum(diag, up), left)
        cur[:, lo] = np.inf  # rows that left the band, and the next row (buffers are reused)
        cur[:, hi + 2] = np.inf
        cur_len[:, lo + 1:hi + 2] = np.where(take_diag, len2[:, lo:hi + 1],
                                             np.where(take_up, len1[:, lo:hi + 1], len1[:, lo + 1:hi + 2])) + 1
        if keep_steps:
            steps.append((lo, np.where(take_diag, 0, np.where(take_up, 1, 2)).astype(np.int8)))
    last = (n + m - 1 + 1) % 3  # the buffer of the last diagonal
    return acc[last][:, n].copy(), lengths[last][:, n].copy(), steps


def _backtrack_numpy(steps: list, which: int, n: int, m: int) -> np.ndarray:
    """The path of matrix ``which`` of a `_sweep_numpy`, from its recorded steps."""
    i, j = n - 1, m - 1
    path = [(i, j)]
    while i > 0 or j > 0:
        lo, chosen = steps[i + j]
        s = chosen[which, i - lo]
        if s == 0:
            i, j = i - 1, j - 1
        elif s == 1:
            i -= 1
        else:
            j -= 1
        path.append((i, j))
    return np.array(path[::-1], dtype=np.int64)


def _path_numpy(cost: np.ndarray) -> tuple[np.ndarray, float]:
    total, _, steps = _sweep_numpy(cost[None])
    return _backtrack_numpy(steps, 0, *cost.shape), float(total[0])


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


def _check_stack(sims: Sequence[np.ndarray]) -> list[np.ndarray]:
    checked = [_check_matrix(s, "similarity matrix") for s in sims]
    if len({s.shape for s in checked}) > 1:
        raise ValueError(f"similarity matrices of one comparison share a shape, got {[s.shape for s in checked]}")
    return checked


def similarity_paths(sims: Sequence[np.ndarray], kernel: str = "auto") -> list[np.ndarray]:
    """The DTW path (cost ``1 - sim``) through each of several same-shaped similarity matrices (the body parts
    of one comparison: the numpy kernel aligns them in one sweep); each shape=(K, 2)."""
    checked = _check_stack(sims)
    if not checked:
        return []
    kernels = _use_numba(checked[0], kernel)
    if kernels is not None:
        return [kernels[0](s, True)[0] for s in checked]
    n, m = checked[0].shape
    _, _, steps = _sweep_numpy(_similarity_cost(np.stack(checked)))
    return [_backtrack_numpy(steps, k, n, m) for k in range(len(checked))]


def mean_similarities_along_path(sims: Sequence[np.ndarray], kernel: str = "auto") -> list[float]:
    """Algorithm 1's score of each of several same-shaped similarity matrices (see `similarity_paths`)."""
    checked = _check_stack(sims)
    if not checked:
        return []
    kernels = _use_numba(checked[0], kernel)
    if kernels is not None:
        return [float(kernels[1](s)) for s in checked]
    total, length, _ = _sweep_numpy(_similarity_cost(np.stack(checked)), keep_steps=False)
    return [float(1.0 - t / n) for t, n in zip(total, length)]  # 1 - total cost / path length, as compiled


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
