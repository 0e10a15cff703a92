"""The compiled scan kernel alone: Algorithm 1 of `motionsim.similarity`, read from a shared window table."""

from __future__ import annotations

import numpy as np
import pytest

from motionsim.embed import SequenceEmbedding
from motionsim.similarity import part_scores
from motionsim.skeleton import BODY_PARTS


def unit_rows(rng: np.random.Generator, n: int, dim: int = 16) -> np.ndarray:
    rows = rng.normal(size=(n, dim)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def embedding(rows: dict[str, np.ndarray]) -> SequenceEmbedding:
    n = len(next(iter(rows.values())))
    return SequenceEmbedding(rows, n_frames=32 + 8 * (n - 1), window=32, stride=8)


@pytest.mark.parametrize("step", [1, 2, 3])
def test_scan_part_is_algorithm_1_of_each_clip(step):
    from motionsim.index.scan_kernel import scan_part

    rng = np.random.default_rng(7)
    lengths = [1, 2, 5, 9, 14]
    firsts = np.array([3, 4, 6, 11, 20], dtype=np.int64)  # clips anywhere in the table, gaps between them
    tables = {p: unit_rows(rng, 40) for p in BODY_PARTS}
    query = embedding({p: unit_rows(rng, 6) for p in BODY_PARTS})
    for p in BODY_PARTS:
        out = np.full(len(lengths), 0.5)  # the kernel adds to ``out``
        scan_part(query.parts[p], tables[p], firsts, np.array(lengths, dtype=np.int64), step, out)
        for c, (first, n) in enumerate(zip(firsts, lengths)):
            picked = sorted({*range(0, n, step), n - 1})  # every step-th window and the last
            clip = embedding({q: tables[q][first:first + n][picked] for q in BODY_PARTS})
            assert out[c] - 0.5 == pytest.approx(part_scores(query, clip)[p], abs=1e-6)


def test_scan_part_reads_float16_tables_converted_exactly():
    from motionsim.index.scan_kernel import scan_part

    rng = np.random.default_rng(3)
    table = unit_rows(rng, 40).astype(np.float16)
    table[0, :4] = [6e-8, -3e-6, 0.0, 6.1e-5]  # subnormal, zero and smallest normal float16 values
    query = unit_rows(rng, 6)
    firsts, lengths = np.array([0, 9, 20], dtype=np.int64), np.array([9, 11, 20], dtype=np.int64)
    from_half, from_single = np.zeros(3), np.zeros(3)
    scan_part(query, table.view(np.uint16), firsts, lengths, 1, from_half)
    scan_part(query, table.astype(np.float32), firsts, lengths, 1, from_single)
    np.testing.assert_array_equal(from_half, from_single)


@pytest.mark.parametrize("n_parts", [1, 5])
def test_sketch_part_is_algorithm_1_of_the_weighted_sketch_cosines(n_parts):
    from motionsim.dtw import mean_similarity_along_path
    from motionsim.index.scan_kernel import sketch_part

    rng = np.random.default_rng(5)
    lengths = np.array([1, 3, 8, 13, 70], dtype=np.int64)  # more clips than one thread's task of 64
    lengths = np.concatenate([lengths, rng.integers(1, 20, 70)])
    firsts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    tables = tuple((rng.normal(size=(lengths.sum(), 32)) * 0.2).astype(np.float16) for _ in range(n_parts))
    queries = tuple((rng.normal(size=(7, 32)) * 0.2).astype(np.float32) for _ in range(n_parts))
    weights = rng.random((len(lengths), n_parts))
    dims = 16 if n_parts > 1 else 32  # the first dims of each sketch
    out = np.zeros(len(lengths))
    sketch_part(queries, tuple(t.view(np.uint16) for t in tables), weights, dims, firsts, lengths, out)
    for c, (first, n) in enumerate(zip(firsts, lengths)):
        sim = sum(weights[c, p] * (queries[p][:, :dims].astype(np.float64)
                                   @ tables[p][first:first + n, :dims].astype(np.float64).T) for p in range(n_parts))
        assert out[c] == pytest.approx(mean_similarity_along_path(sim), abs=1e-5)
