"""Scores of a similarity method against ground truth: rank correlation with human ratings (Table 2) and
retrieval metrics (mAP, recall@k, masked retrieval with chance level, AUC) for labelled collections.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from scipy.stats import rankdata, spearmanr


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


def _label_masks(similarity: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(similarity, relevant, candidates) of a labelled collection: every item queries all the others, and
    the relevant ones share its label."""
    similarity, labels = np.asarray(similarity, dtype=float), np.asarray(labels)
    n = len(labels)
    if similarity.shape != (n, n):
        raise ValueError(f"similarity must be ({n}, {n}) for {n} labels, got {similarity.shape}")
    return similarity, labels[:, None] == labels[None, :], ~np.eye(n, dtype=bool)


def mean_average_precision(similarity: np.ndarray, labels: np.ndarray) -> float:
    """Retrieval mAP: every item queries all others; relevant = same label. Queries without a relevant
    item are left out.

    Examples
    --------
    >>> sim = np.array([[1, .9, .1], [.9, 1, .2], [.1, .2, 1]])
    >>> mean_average_precision(sim, np.array([0, 0, 1]))
    1.0
    """
    aps = [float(ap) for ap, _ in _ranked(*_label_masks(similarity, labels))]
    return float(np.mean(aps)) if aps else float("nan")


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
    hits = [bool(rel[:k].any()) for _, rel in _ranked(*_label_masks(similarity, labels))]
    return float(np.mean(hits)) if hits else float("nan")


def expected_random_ap(n_relevant: int, n_candidates: int) -> float:
    """Mean average precision of a random ranking of ``n_candidates`` items of which ``n_relevant`` count.

    Each relevant item sits at a uniform rank k, where the expected precision is (1 + (k-1)(R-1)/(N-1)) / k.

    Examples
    --------
    >>> expected_random_ap(1, 2)  # first or second: AP 1 or 1/2
    0.75
    """
    r, n = n_relevant, n_candidates
    if r < 1 or n < r:
        return float("nan")
    if n == 1:
        return 1.0
    h = float(np.sum(1.0 / np.arange(1, n + 1)))
    return h / n + (r - 1) / (n - 1) * (1 - h / n)


def masked_retrieval(similarity: np.ndarray, relevant: np.ndarray, candidates: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Average precision and hit@1 of every query (row) that has a relevant candidate.

    Row i ranks the items j with ``candidates[i, j]`` by decreasing ``similarity[i, j]`` (ties in index
    order); ``relevant[i, j]`` marks the ones it should find. Items outside ``candidates`` take no part.

    Examples
    --------
    >>> sim = np.array([[0, .9, .5, .1], [.9, 0, .2, .3], [.5, .2, 0, .8], [.1, .3, .8, 0]])
    >>> rel = np.array([[0, 0, 1, 0], [0, 0, 0, 1], [1, 0, 0, 0], [0, 1, 0, 0]], bool)
    >>> ap, hit = masked_retrieval(sim, rel, ~np.eye(4, dtype=bool))
    >>> ap.round(3).tolist(), hit.tolist()
    ([0.5, 0.5, 0.5, 0.5], [False, False, False, False])
    """
    ranked = list(_ranked(similarity, relevant, candidates))
    return (np.array([ap for ap, _ in ranked], dtype=float),
            np.array([bool(rel[0]) for _, rel in ranked], dtype=bool))


def _ranked(similarity: np.ndarray, relevant: np.ndarray, candidates: np.ndarray) -> Iterator[tuple[float, np.ndarray]]:
    """For each query with a relevant candidate: its average precision and its candidates' relevance in
    ranked order (decreasing similarity, ties in index order). The one ranking every retrieval metric uses."""
    similarity = np.asarray(similarity, dtype=float)
    candidates = np.asarray(candidates, dtype=bool)
    relevant = np.asarray(relevant, dtype=bool) & candidates
    for i in range(len(similarity)):
        cand = np.flatnonzero(candidates[i])
        if not relevant[i, cand].any():
            continue
        order = cand[np.argsort(-similarity[i, cand], kind="stable")]
        rel = relevant[i, order]
        precision = np.cumsum(rel) / np.arange(1, len(rel) + 1)
        yield float(precision[rel].mean()), rel


def auc(positive: np.ndarray, negative: np.ndarray) -> float:
    """Probability that a positive scores above a negative (ties count half): the ROC AUC, NaN if a side is empty.

    Examples
    --------
    >>> auc(np.array([3.0, 2.0]), np.array([1.0, 2.0]))
    0.875
    """
    pos, neg = np.asarray(positive, dtype=float), np.asarray(negative, dtype=float)
    if not len(pos) or not len(neg):
        return float("nan")
    ranks = rankdata(np.concatenate([pos, neg]))
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))
