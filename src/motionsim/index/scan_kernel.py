"""The compiled kernels of the library scans (`search.scan`, `search.sketch_scan`): Algorithm 1 of one query
against many clips, exactly (`scan_part`) or on the clips' sketches (`sketch_part`).

Why a kernel of its own: the scan is memory-bound, so it must read each library window once, straight from the
memory-mapped table, and never write a cosine matrix out (one BLAS product per chunk, then the DTW, ran at half
the speed; docs/scale.md). Only a compiled loop does that, in parallel over clips; the DTW inside `scan_part`
is `dtw`'s compiled mean-along-path kernel, so the scores are those of `motionsim.similarity` up to float
rounding.

Tables are float32 (libraries of format 1) or float16 (format 2), the latter passed as their ``uint16`` bits:
numba has no float16 type on the CPU, so `to_float32` converts each value in registers (one LLVM ``fpext``
from half, which the CPU does in hardware, F16C on x86). numpy's own float16 -> float32 conversion runs at
~0.5 G values/s here, slower than reading float32, which is why the conversion belongs in the kernel.

Why a module of its own: it is written for numba directly (``numba.prange``, an LLVM intrinsic, and a call to
another compiled function, which numba links in), and importing it imports numba, which with the first call's
load of the kernel from numba's cache takes ~0.4 s here. `search` imports it on the first scan only, so
``import motionsim.index`` stays quick. numba is a dependency of motionsim, so there is no pure-Python
fallback: loops over every window pair in the interpreter would be orders of magnitude slower. numba's cache
does not see edits to `dtw.mean_along_path_kernel`; clear ``__pycache__`` after changing it.
"""

from __future__ import annotations

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

from ..dtw import compiled_kernels

_kernels = compiled_kernels()
assert _kernels is not None, "numba imported, so dtw's kernels compile"
mean_along_path = _kernels[1]

CLIPS_PER_TASK = 64  # clips one thread of `sketch_part` scores with one set of buffers


@intrinsic
def to_float32(typingctx, value):  # type: ignore[no-untyped-def]
    """A table value as float32: float16 bits (``uint16``) converted exactly, a float32 as it is."""
    if value == types.uint16:
        def half(context, builder, signature, args):  # type: ignore[no-untyped-def]
            return builder.fpext(builder.bitcast(args[0], ir.HalfType()), ir.FloatType())

        return types.float32(value), half
    if value == types.float32:
        def same(context, builder, signature, args):  # type: ignore[no-untyped-def]
            return args[0]

        return types.float32(value), same
    return None


@numba.njit(cache=True, nogil=True, parallel=True, fastmath=True)
def scan_part(query: np.ndarray, table: np.ndarray, firsts: np.ndarray, n_windows: np.ndarray, step: int,
              out: np.ndarray) -> None:
    """``out[c] +=`` Algorithm 1's mean cosine along the DTW path between the ``query`` windows (float32,
    (n, dim)) and clip c's windows, rows ``firsts[c]`` to ``firsts[c] + n_windows[c] - 1`` of ``table``
    (float32, or float16 as uint16 bits, (rows, dim); with ``step`` > 1 every ``step``-th of them and the
    last), in parallel over clips. The cosines are accumulated in float32 and clipped to [-1, 1] like
    `similarity.cosine_matrix`."""
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
                    acc += query[i, k] * to_float32(row[k])
                sim[i, j] = min(max(acc, -1.0), 1.0)
        out[c] += mean_along_path(sim)


@numba.njit(inline="always", fastmath=True)
def _mean_along_path_f32(sim, n, m, acc_prev, acc_cur, len_prev, len_cur):  # type: ignore[no-untyped-def]
    """`dtw.mean_along_path_kernel` of ``sim[:n, :m]`` in float32 on preallocated rows, with the same tie rule
    (diagonal, then up, then left) written as selects rather than branches: the cosines are noise to a branch
    predictor, and a mispredicted branch per cell cost ~10 % of the scan. For proposing only: its rounding
    differs from the exact kernel's float64."""
    for j in range(m + 1):
        acc_prev[j] = np.inf
        len_prev[j] = 0
    acc_prev[0] = 0.0
    for i in range(n):
        left = np.float32(np.inf)
        left_len = np.int32(0)
        diag = acc_prev[0]
        diag_len = len_prev[0]
        for j in range(m):
            up = acc_prev[j + 1]
            up_len = len_prev[j + 1]
            take_diag = (diag <= up) & (diag <= left)
            take_up = up <= left
            best = diag if take_diag else (up if take_up else left)
            steps = diag_len if take_diag else (up_len if take_up else left_len)
            left = (np.float32(1.0) - sim[i, j]) + best
            left_len = steps + 1
            acc_cur[j + 1] = left
            len_cur[j + 1] = left_len
            diag, diag_len = up, up_len
        for j in range(1, m + 1):
            acc_prev[j] = acc_cur[j]
            len_prev[j] = len_cur[j]
        acc_prev[0] = np.inf
    return 1.0 - acc_prev[m] / len_prev[m]


@numba.njit(cache=True, nogil=True, parallel=True, fastmath=True)
def sketch_part(queries, tables, weights, dim, firsts, n_windows, out):  # type: ignore[no-untyped-def]
    """``out[c] =`` the mean along the DTW path of the weighted sum over parts p of the sketch cosines
    ``queries[p] . tables[p][row]`` (the first ``dim`` sketch dimensions), weights ``weights[c, p]``, between
    the query windows and clip c's windows (rows ``firsts[c]`` to ``firsts[c] + n_windows[c] - 1``).

    ``queries``: a tuple of float32 (n, d) arrays, ``tables``: a tuple of (rows, d) tables (float32 or float16
    bits), one per part. With one part this is Algorithm 1 on the sketches; with five, one alignment of the
    weighted mean cosine stands in for the weighted mean of five alignments (a proposal, rescored exactly).
    The parts' rows of a window are gathered into one vector and dotted with the weighted query windows joined
    the same way: one reduction per cell instead of one per part (~30 % less time for five parts)."""
    n_parts = len(tables)
    n_query = queries[0].shape[0]
    n_clips = len(firsts)
    width = n_parts * dim
    longest = 1
    for c in range(n_clips):
        longest = max(longest, n_windows[c])
    n_tasks = (n_clips + CLIPS_PER_TASK - 1) // CLIPS_PER_TASK
    for task in numba.prange(n_tasks):
        sim = np.empty((n_query, longest), np.float32)
        row = np.empty(width, np.float32)
        joined = np.empty((n_query, width), np.float32)
        acc_prev = np.empty(longest + 1, np.float32)
        acc_cur = np.empty(longest + 1, np.float32)
        len_prev = np.empty(longest + 1, np.int32)
        len_cur = np.empty(longest + 1, np.int32)
        for c in range(task * CLIPS_PER_TASK, min(n_clips, (task + 1) * CLIPS_PER_TASK)):
            n, first = n_windows[c], firsts[c]
            for p in range(n_parts):
                query, weight = queries[p], np.float32(weights[c, p])
                for i in range(n_query):
                    for k in range(dim):
                        joined[i, p * dim + k] = weight * query[i, k]
            for j in range(n):
                for p in range(n_parts):
                    table = tables[p]
                    for k in range(dim):
                        row[p * dim + k] = to_float32(table[first + j, k])
                for i in range(n_query):
                    acc = np.float32(0.0)
                    for k in range(width):
                        acc += joined[i, k] * row[k]
                    sim[i, j] = acc
            out[c] = _mean_along_path_f32(sim, n_query, n, acc_prev, acc_cur, len_prev, len_cur)
