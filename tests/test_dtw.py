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
@pytest.mark.parametrize("kernel", ["numba", "numpy"])
def test_matches_brute_force(n, m, kernel):
    rng = np.random.default_rng(n * 10 + m)
    for _ in range(5):
        cost = rng.random((n, m))
        path, total = dtw_path(cost, kernel=kernel)
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


@pytest.mark.parametrize("shape", [(5, 9), (40, 70), (80, 90), (1, 6), (7, 1), (90, 40), (33, 33), (2, 1)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_numpy_and_compiled_kernels_are_bit_identical(shape, dtype):
    """Which kernel runs is a matter of speed only: paths, totals and scores are equal to the last bit."""
    from motionsim import dtw

    rng = np.random.default_rng(shape[0] * 7 + shape[1])
    sim = rng.uniform(-1, 1, size=shape).astype(dtype)
    sim[0, 0] = sim[0, 1] if shape[1] > 1 else sim[0, 0]  # a tie on the first row
    path_np, total_np = dtw_path(1.0 - sim, kernel="numpy")
    path_nb, total_nb = dtw_path(1.0 - sim, kernel="numba")
    assert path_np.tolist() == path_nb.tolist() and total_np == total_nb
    assert dtw.similarity_path(sim, "numpy").tolist() == dtw.similarity_path(sim, "numba").tolist()
    assert mean_similarity_along_path(sim, "numpy") == mean_similarity_along_path(sim, "numba")
    assert mean_similarity_along_path(sim) == pytest.approx(sim[path_nb[:, 0], path_nb[:, 1]].mean())


def test_auto_picks_the_kernel_by_size_only(monkeypatch):
    """The rule depends on the call alone, never on what the process did before."""
    from motionsim import dtw

    used = []
    real = dtw.compiled_kernels

    def spy():
        used.append(1)
        return real()

    monkeypatch.setattr(dtw, "compiled_kernels", spy)
    small = np.random.default_rng(0).uniform(-1, 1, size=(40, 50))
    large = np.random.default_rng(1).uniform(-1, 1, size=(2, dtw.SMALL_MATRIX // 2 + 1))
    for _ in range(2):  # the same answer before and after the compiled kernels were loaded
        mean_similarity_along_path(small)
        assert used == []
    mean_similarity_along_path(large)
    assert used == [1]
    mean_similarity_along_path(small, kernel="numba")
    assert used == [1, 1]


def test_unknown_kernel_is_refused():
    with pytest.raises(ValueError, match="kernel"):
        dtw_path(np.ones((2, 2)), kernel="fast")


def test_several_parts_align_in_one_sweep_as_they_would_alone():
    from motionsim import dtw

    rng = np.random.default_rng(11)
    sims = [rng.uniform(-1, 1, size=(23, 31)).astype(np.float32) for _ in range(5)]
    alone = [dtw.similarity_path(s, "numba").tolist() for s in sims]
    assert [p.tolist() for p in dtw.similarity_paths(sims, "numpy")] == alone
    assert dtw.mean_similarities_along_path(sims, "numpy") == [mean_similarity_along_path(s, "numba") for s in sims]
    with pytest.raises(ValueError, match="share a shape"):
        dtw.similarity_paths([sims[0], sims[1][:5]])
