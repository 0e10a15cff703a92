"""The compiled scoring of bulk jobs (`pair_kernel`): the BLAS path's part scores to float32 rounding, every
cosine computed the same way wherever it sits in the matrix (so a pair's scores never depend on batching,
sharding or threads), and the same refusals."""

import numpy as np
import pytest

from motionsim.dtw import BULK
from motionsim.embed import SequenceEmbedding
from motionsim.pair_kernel import _cosines, compiled_part_scores
from motionsim.similarity import compare_embeddings, part_scores
from motionsim.skeleton import BODY_PARTS

DIMS = {p: 512 if p == "torso" else 256 for p in BODY_PARTS}


def embedding(n: int, seed: int, dtype=np.float32, drift: float = 0.0) -> SequenceEmbedding:
    """Unit rows that change smoothly over the windows (as real embeddings do), ``drift`` apart per seed."""
    rng = np.random.default_rng(seed)
    parts = {}
    for p, d in DIMS.items():
        base = np.random.default_rng(len(p)).normal(size=d) + drift * rng.normal(size=d)
        rows = base + np.cumsum(rng.normal(scale=0.3, size=(n, d)), axis=0)
        parts[p] = (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(dtype)
    return SequenceEmbedding(parts=parts, n_frames=32 + 2 * (n - 1), window=32, stride=2,
                             movement=rng.random(5))


@pytest.mark.parametrize("n,m", [(1, 1), (1, 6), (5, 1), (2, 3), (7, 9), (33, 40)])
def test_equals_the_blas_path_to_float32_rounding(n, m):
    a, b = embedding(n, 1, drift=1.0), embedding(m, 2, drift=1.0)
    compiled = compiled_part_scores(a, b)
    blas = part_scores(a, b, kernel="numpy")
    assert compiled == pytest.approx([blas[p] for p in BODY_PARTS], abs=2e-6)
    assert part_scores(a, b, kernel=BULK) == dict(zip(BODY_PARTS, compiled))


def test_every_cosine_is_computed_the_same_way_wherever_it_sits():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(11, 256)).astype(np.float32), rng.normal(size=(13, 256)).astype(np.float32) / 16
    whole = np.empty((11, 13), np.float32)
    assert _cosines(a, b, whole)
    for i in range(11):  # one row of A against B, and one cell at a time: bit for bit the same
        row = np.empty((1, 13), np.float32)
        _cosines(a[i:i + 1], b, row)
        assert np.array_equal(row[0], whole[i])
        cell = np.empty((1, 1), np.float32)
        _cosines(a[i:i + 1], b[5:6], cell)
        assert cell[0, 0] == whole[i, 5]
    assert np.allclose(whole, np.clip(a @ b.T, -1, 1), atol=1e-5) and whole.max() <= 1.0 and whole.min() >= -1.0


def test_flip_choice_and_overall_score_follow_the_blas_path():
    a, a_flipped, b = embedding(20, 1, drift=0.5), embedding(20, 3, drift=0.5), embedding(24, 2, drift=0.5)
    bulk = compare_embeddings(a, b, a_flipped, timeline=False, kernel=BULK)
    plain = compare_embeddings(a, b, a_flipped, timeline=False, kernel="numpy")
    assert bulk.flipped == plain.flipped and bulk.part_weights == plain.part_weights
    assert bulk.similarity == pytest.approx(plain.similarity, abs=2e-6)


def test_float64_embeddings_take_the_blas_path_and_bad_values_are_refused():
    a, b = embedding(6, 1, np.float64), embedding(7, 2, np.float64)
    assert compiled_part_scores(a, b) is None
    assert part_scores(a, b, kernel=BULK) == part_scores(a, b, kernel="numba")
    a, b = embedding(6, 1), embedding(7, 2)
    a.parts["left_leg"][3, 7] = np.nan
    with pytest.raises(ValueError, match="NaN or inf"):
        part_scores(a, b, kernel=BULK)
    other_model = embedding(7, 2)
    other_model.parts["torso"] = other_model.parts["torso"][:, :256].copy()
    with pytest.raises(ValueError, match="dimensions"):
        compiled_part_scores(embedding(6, 1), other_model)
