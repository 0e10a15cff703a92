"""Metrics against hand-computed values."""

import numpy as np
import pytest

from motionsim.evaluate.metrics import mean_average_precision, recall_at_k, spearman


def test_spearman_is_rank_based_and_signed():
    x = np.array([1.0, 2.0, 3.0, 4.0])
    assert spearman(x ** 3, x) == pytest.approx(1.0)
    assert spearman(-np.exp(x), x) == pytest.approx(-1.0)


def test_spearman_matches_pearson_of_ranks_with_ties():
    pred = np.array([0.1, 0.4, 0.4, 0.9, 0.2])
    target = np.array([1, 3, 2, 4, 1], dtype=float)
    from scipy.stats import rankdata

    expected = np.corrcoef(rankdata(pred), rankdata(target))[0, 1]
    assert spearman(pred, target) == pytest.approx(expected)


def test_spearman_ignores_nan_pairs_and_is_nan_when_undefined():
    assert spearman(np.array([1.0, np.nan, 2.0, 3.0]), np.array([1.0, 5.0, 2.0, 3.0])) == pytest.approx(1.0)
    assert np.isnan(spearman(np.array([1.0]), np.array([2.0])))
    assert np.isnan(spearman(np.array([1.0, 1.0, 1.0]), np.array([1.0, 2.0, 3.0])))


def test_map_by_hand():
    # query 0 ranks [2 (irrelevant), 1 (relevant)] -> AP 1/2; query 1 ranks [0 (rel)] first -> AP 1;
    # query 2 has no relevant item -> left out
    sim = np.array([[1.0, 0.2, 0.8], [0.9, 1.0, 0.1], [0.3, 0.3, 1.0]])
    labels = np.array([0, 0, 1])
    assert mean_average_precision(sim, labels) == pytest.approx((0.5 + 1.0) / 2)
    assert recall_at_k(sim, labels, k=1) == pytest.approx(0.5)
    assert recall_at_k(sim, labels, k=2) == pytest.approx(1.0)


def test_retrieval_shape_checked():
    with pytest.raises(ValueError, match="similarity must be"):
        mean_average_precision(np.eye(2), np.array([0, 1, 2]))
