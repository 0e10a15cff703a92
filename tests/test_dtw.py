import itertools

import numpy as np
import pytest

from motionsim.dtw import dtw_path, mean_similarity_along_path


def brute_force(cost: np.ndarray) -> float:
    """Minimum total cost over every monotone warping path (exhaustive enumeration)."""
    n, m = cost.shape
    best = np.inf

    def walk(i, j, total):
        nonlocal best
        total += cost[i, j]
        if (i, j) == (n - 1, m - 1):
            best = min(best, total)
            return
        for di, dj in ((1, 0), (0, 1), (1, 1)):
            if i + di < n and j + dj < m:
                walk(i + di, j + dj, total)

    walk(0, 0, 0.0)
    return best


def is_valid_path(path: np.ndarray, n: int, m: int) -> bool:
    steps = np.diff(path, axis=0)
    return (tuple(path[0]) == (0, 0) and tuple(path[-1]) == (n - 1, m - 1)
            and all(tuple(s) in {(1, 0), (0, 1), (1, 1)} for s in steps))


@pytest.mark.parametrize("n,m", list(itertools.product([1, 2, 3, 4], [1, 2, 4])))
@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_matches_brute_force(n, m, backend):
    rng = np.random.default_rng(n * 10 + m)
    for _ in range(5):
        cost = rng.random((n, m))
        path, total = dtw_path(cost, backend=backend)
        assert total == pytest.approx(brute_force(cost))
        assert is_valid_path(path, n, m)
        assert cost[path[:, 0], path[:, 1]].sum() == pytest.approx(total)


def test_backends_agree_on_larger_inputs():
    cost = np.random.default_rng(3).random((60, 45))
    (p1, t1), (p2, t2) = dtw_path(cost, "numba"), dtw_path(cost, "numpy")
    np.testing.assert_array_equal(p1, p2)
    assert t1 == pytest.approx(t2)


def test_known_alignment():
    # the second series repeats its middle element: the path must stay on it twice
    a = np.array([0.0, 1.0, 2.0])
    b = np.array([0.0, 1.0, 1.0, 2.0])
    path, total = dtw_path(np.abs(a[:, None] - b[None, :]))
    assert path.tolist() == [[0, 0], [1, 1], [1, 2], [2, 3]]
    assert total == 0.0


def test_mean_similarity_equals_mean_along_path():
    rng = np.random.default_rng(7)
    for shape in [(5, 9), (30, 31), (1, 6)]:
        sim = rng.uniform(-1, 1, size=shape)
        path, _ = dtw_path(1.0 - sim)
        assert mean_similarity_along_path(sim) == pytest.approx(sim[path[:, 0], path[:, 1]].mean())


@pytest.mark.parametrize("bad", [np.zeros((0, 3)), np.array([[np.nan]]), np.zeros(3)])
def test_rejects_bad_matrices(bad):
    with pytest.raises(ValueError):
        dtw_path(bad)


@pytest.mark.parametrize("shape", [(5, 9), (40, 70), (80, 90)])
def test_numpy_and_compiled_kernels_agree(shape):
    """Small matrices run on numpy until numba is loaded; both give the same path and score."""
    from motionsim import dtw

    sim = np.random.default_rng(shape[0]).uniform(-1, 1, size=shape)
    path_np, total_np = dtw_path(1.0 - sim, backend="numpy")
    path_nb, total_nb = dtw_path(1.0 - sim, backend="numba")
    assert path_np.tolist() == path_nb.tolist() and total_np == pytest.approx(total_nb)
    assert dtw.similarity_path(sim).tolist() == path_nb.tolist()
    assert mean_similarity_along_path(sim) == pytest.approx(sim[path_nb[:, 0], path_nb[:, 1]].mean())
