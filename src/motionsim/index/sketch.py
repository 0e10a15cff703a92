"""Window sketches (library format 2): each window embedding projected on the leading principal directions of
the library's windows, so a scan of every clip reads 32 numbers per window and part instead of 256 or 512.

Why it works: the motion encoders' window embeddings are nearly low-rank. On 20,000 synthetic clips (380,446
windows) 32 directions hold 99-100 % of the energy of each limb's 256 dimensions and 99 % of the torso's 512
(16 directions: 95-99 %), and Algorithm 1 on the sketches ranks the exact top 10 among its first ~15 clips
(docs/scale.md). The sketch only proposes: the proposals are scored exactly on the float embeddings.

The directions are the top right singular vectors of a sample of the windows, uncentred, because a dot product
of two sketches should approximate the dot product (cosine) of the two windows; they are computed as the top
eigenvectors of the sample's (dim x dim) Gram matrix (~0.2 s, where an SVD of the sample took 6 s per part).
They are fitted on the clips a library is built with and kept by `index add`, until the library has grown
`REFIT_GROWTH` times from what they were fitted on (and that was less than `FIT_SAMPLE` windows): then they
are fitted again and every sketch recomputed, so a library started small does not keep directions fitted on
a handful of clips.
"""

from __future__ import annotations

import numpy as np

from .store import SKETCH_DIMS

FIT_SAMPLE = 65_536  # windows the directions are fitted on, at most (evenly spaced through the table)
REFIT_GROWTH = 2  # refit when the library holds this many times the windows the directions were fitted on
CHUNK_ROWS = 65_536  # rows projected at a time (bounded memory for tables larger than RAM)


def sample_rows(n_rows: int, size: int = FIT_SAMPLE) -> np.ndarray:
    """Evenly spaced row numbers, at most ``size`` of them (deterministic: the same table, the same sample)."""
    if n_rows <= size:
        return np.arange(n_rows)
    return np.linspace(0, n_rows - 1, size).round().astype(np.int64)


def fit_basis(table: np.ndarray, dims: int = SKETCH_DIMS) -> np.ndarray:
    """(dim, ``dims``) float32: the leading right singular vectors of a sample of ``table``'s rows (columns of
    zeros where the sample has fewer directions than ``dims``)."""
    rows = np.asarray(table[sample_rows(len(table))], dtype=np.float64)
    basis = np.zeros((table.shape[1], dims), dtype=np.float32)
    if len(rows):
        values, vectors = np.linalg.eigh(rows.T @ rows)  # ascending
        k = min(dims, len(rows), len(values))
        basis[:, :k] = vectors[:, ::-1][:, :k]
    return basis


def project(table: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """Sketches of ``table``'s rows (float16, (rows, dims)), read in chunks of `CHUNK_ROWS` (the table may be
    memory-mapped and larger than RAM)."""
    out = np.empty((len(table), basis.shape[1]), dtype=np.float16)
    for lo in range(0, len(table), CHUNK_ROWS):
        out[lo:lo + CHUNK_ROWS] = np.asarray(table[lo:lo + CHUNK_ROWS], dtype=np.float32) @ basis
    return out


def needs_refit(fitted_on: int, n_windows: int) -> bool:
    """Whether directions fitted on ``fitted_on`` windows should be fitted again for ``n_windows``."""
    return fitted_on < FIT_SAMPLE and n_windows > REFIT_GROWTH * fitted_on
