"""Scores of a similarity method against ground truth: rank correlation with human ratings (Table 2) and
retrieval metrics (mAP, recall@k) for labelled collections.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import spearmanr


def spearman(predicted: np.ndarray, target: np.ndarray) -> float:
    """Spearman's rank correlation over the pairs where both values are finite (NaN if fewer than 2).

    Examples
    --------
    >>> spearman(np.array([0.1, 0.5, 0.3]), np.array([1.0, 4.0, 2.0]))
    1.0
    """
    predicted, target = np.asarray(predicted, dtype=float), np.asarray(target, dtype=float)
    ok = np.isfinite(predicted) & np.isfinite(target)
    if ok.sum() < 2 or np.ptp(predicted[ok]) == 0 or np.ptp(target[ok]) == 0:
        return float("nan")
    return float(spearmanr(predicted[ok], target[ok]).statistic)


def _ranked_relevance(similarity: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """For each query (row), the relevance of the other items in decreasing-similarity order; shape=(n, n-1)."""
    similarity, labels = np.asarray(similarity, dtype=float), np.asarray(labels)
    n = len(labels)
    if similarity.shape != (n, n):
        raise ValueError(f"similarity must be ({n}, {n}) for {n} labels, got {similarity.shape}")
    sim = similarity.copy()
    np.fill_diagonal(sim, -np.inf)  # a query never retrieves itself
    order = np.argsort(-sim, axis=1, kind="stable")[:, : n - 1]
    return labels[order] == labels[:, None]


def mean_average_precision(similarity: np.ndarray, labels: np.ndarray) -> float:
    """Retrieval mAP: every item queries all others; relevant = same label. Queries without a relevant
    item are left out.

    Examples
    --------
    >>> sim = np.array([[1, .9, .1], [.9, 1, .2], [.1, .2, 1]])
    >>> mean_average_precision(sim, np.array([0, 0, 1]))
    1.0
    """
    rel = _ranked_relevance(similarity, labels)
    hits = np.cumsum(rel, axis=1)
    ranks = np.arange(1, rel.shape[1] + 1)
    n_rel = rel.sum(axis=1)
    keep = n_rel > 0
    ap = (rel * hits / ranks).sum(axis=1)[keep] / n_rel[keep]
    return float(ap.mean()) if keep.any() else float("nan")


def recall_at_k(similarity: np.ndarray, labels: np.ndarray, k: int = 1) -> float:
    """Fraction of queries with at least one same-label item among their ``k`` most similar others.

    Examples
    --------
    >>> sim = np.array([[1, .1, .9], [.1, 1, .2], [.9, .2, 1]])
    >>> recall_at_k(sim, np.array([0, 0, 1]), k=1)
    0.0
    """
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    rel = _ranked_relevance(similarity, labels)
    keep = rel.any(axis=1)
    return float(rel[keep, :k].any(axis=1).mean()) if keep.any() else float("nan")
