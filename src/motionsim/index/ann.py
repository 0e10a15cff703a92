"""Approximate nearest windows with faiss (IVF with 8-bit scalar quantisation, inner product on unit vectors =
cosine; exact float32 embeddings for re-ranking are kept beside it, so the index only proposes).

Why faiss IVF: on 2 cores an HNSW graph (faiss or usearch) took 90-170 s per 100k 256-d vectors to build,
while IVF trains its centroids once on a sample and then adds vectors by one nearest-centroid search, so
`index add` appends without rebuilding. usearch was also fragile here: importing it before onnxruntime
crashed the interpreter.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import MissingExtraError
from .store import IndexFormatError

TRAIN_PER_LIST = 40  # training windows per inverted list (faiss warns below 39)
DEFAULT_NPROBE = 24


def _faiss() -> Any:
    try:
        import faiss
    except ImportError as exc:
        raise MissingExtraError("motion library search needs faiss: pip install 'motionsim[index]'") from exc
    return faiss


def n_lists(n_vectors: int) -> int:
    """Inverted lists for a library of ``n_vectors`` windows: about sqrt(n), at least one per 40 training rows."""
    return max(1, min(int(math.sqrt(n_vectors)), n_vectors // TRAIN_PER_LIST))


def build(vectors: np.ndarray, nlist: int | None = None, seed: int = 0) -> Any:
    """A trained IVF-SQ8 index holding ``vectors`` (row i has id i)."""
    faiss = _faiss()
    dim = vectors.shape[1]
    nlist = n_lists(len(vectors)) if nlist is None else nlist
    quantizer = faiss.IndexFlatIP(dim)
    index = faiss.IndexIVFScalarQuantizer(quantizer, dim, nlist, faiss.ScalarQuantizer.QT_8bit,
                                         faiss.METRIC_INNER_PRODUCT)
    index.cp.seed = seed
    index.cp.niter = 10
    rng = np.random.default_rng(seed)
    sample = vectors if len(vectors) <= nlist * 64 else vectors[np.sort(rng.choice(len(vectors), nlist * 64, False))]
    index.train(np.ascontiguousarray(sample))
    index.add(vectors)
    return index


def add(index: Any, vectors: np.ndarray) -> None:
    """Append ``vectors`` (their ids continue from the index's size) without retraining."""
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))


def save(index: Any, path: Path) -> None:
    _faiss().write_index(index, str(path))


def check_present(path: Path) -> None:
    """`IndexFormatError` if the index file is missing (checked without faiss: opening a library needs none)."""
    if not path.is_file():
        raise IndexFormatError(f"{path}: vector index missing; the library is damaged, rebuild it")


def load(path: Path, n_expected: int) -> Any:
    check_present(path)
    faiss = _faiss()
    try:
        index = faiss.read_index(str(path))
    except RuntimeError as exc:
        raise IndexFormatError(f"{path}: damaged vector index ({str(exc).splitlines()[0]})") from exc
    if index.ntotal != n_expected:
        raise IndexFormatError(f"{path}: holds {index.ntotal} windows, the library {n_expected}; rebuild it")
    return index


def nearest(index: Any, queries: np.ndarray, k: int, nprobe: int = DEFAULT_NPROBE) -> tuple[np.ndarray, np.ndarray]:
    """(similarities, window ids) of the ``k`` nearest windows of each query row; id -1 where fewer exist."""
    index.nprobe = min(nprobe, index.nlist)
    sims, ids = index.search(np.ascontiguousarray(queries, dtype=np.float32), min(k, index.ntotal))
    return sims, ids
