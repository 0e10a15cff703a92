"""The compiled kernel of the library scan (`search.scan`): Algorithm 1 of one query against many clips.

Why a kernel of its own: the scan is memory-bound, so it must read each library window once, straight from the
memory-mapped table, and never write a cosine matrix out (one BLAS product per chunk, then the DTW, ran at half
the speed; docs/scale.md). Only a compiled loop does that, in parallel over clips; the DTW inside it is
`dtw`'s compiled mean-along-path kernel, so the scores are those of `motionsim.similarity` up to float rounding.

Why a module of its own: it is written for numba directly (``numba.prange``, and a call to another compiled
function, which numba links in), and importing it imports numba, which with the first call's load of the
kernel from numba's cache takes ~0.4 s here. `search` imports it on the first scan only, so
``import motionsim.index`` stays quick. numba is a dependency of motionsim, so there is no pure-Python
fallback: loops over every window pair in the interpreter would be orders of magnitude slower. numba's cache
does not see edits to `dtw.mean_along_path_kernel`; clear ``__pycache__`` after changing it.
"""

from __future__ import annotations

import numba
import numpy as np

from ..dtw import compiled_kernels

_kernels = compiled_kernels()
assert _kernels is not None, "numba imported, so dtw's kernels compile"
mean_along_path = _kernels[1]


@numba.njit(cache=True, nogil=True, parallel=True, fastmath=True)
def scan_part(query: np.ndarray, table: np.ndarray, firsts: np.ndarray, n_windows: np.ndarray, step: int,
              out: np.ndarray) -> None:
    """``out[c] +=`` Algorithm 1's mean cosine along the DTW path between the ``query`` windows (float32,
    (n, dim)) and clip c's windows, rows ``firsts[c]`` to ``firsts[c] + n_windows[c] - 1`` of ``table``
    (float32, (rows, dim); with ``step`` > 1 every ``step``-th of them and the last), in parallel over clips.
    The cosines are accumulated in float32 and clipped to [-1, 1] like `similarity.cosine_matrix`."""
    n_query, dim = query.shape
    for c in numba.prange(len(firsts)):
        last = n_windows[c] - 1
        n = (last + step - 1) // step + 1
        sim = np.empty((n_query, n))
        for j in range(n):
            row = table[firsts[c] + min(j * step, last)]
            for i in range(n_query):
                acc = np.float32(0.0)
                for k in range(dim):
                    acc += query[i, k] * row[k]
                sim[i, j] = min(max(acc, -1.0), 1.0)
        out[c] += mean_along_path(sim)
