"""Why motionsim has its own DTW kernel: the same path-and-score job done by each candidate.

Job: align two sequences of unit-norm window embeddings with DTW on cosine distance and return the mean
cosine along the path (Algorithm 1), for NTU-sized inputs (45 x 45 windows) and a long video (2,500 x 2,500).
tslearn and dtaidistance are measured if installed (`pip install tslearn dtaidistance`).

    .venv/bin/python benchmarks/bench_dtw.py
"""

from __future__ import annotations

import time

import numpy as np

from motionsim.dtw import dtw_path, mean_similarity_along_path, similarity_path


def timeit(fn, repeat: int) -> float:
    fn()  # warm-up / compile
    t0 = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - t0) / repeat


def main() -> None:
    rng = np.random.default_rng(0)
    for n, repeat in ((45, 200), (2500, 1)):
        a = rng.normal(size=(n, 256)).astype(np.float32)
        b = rng.normal(size=(n, 256)).astype(np.float32)
        a /= np.linalg.norm(a, axis=1, keepdims=True)
        b /= np.linalg.norm(b, axis=1, keepdims=True)
        sim = a @ b.T
        rows = {
            "motionsim mean kernel (numba, no path)": lambda sim=sim: mean_similarity_along_path(sim),
            "motionsim path kernel (numba)": lambda sim=sim: sim[tuple(similarity_path(sim).T)].mean(),
        }
        if n <= 500:
            rows["motionsim numpy fallback"] = lambda sim=sim: dtw_path(1.0 - sim, backend="numpy")
        try:
            from tslearn.metrics import dtw_path_from_metric

            rows["tslearn dtw_path_from_metric(precomputed)"] = lambda sim=sim: dtw_path_from_metric(
                1.0 - sim, metric="precomputed")
        except ImportError:
            pass
        try:
            from dtaidistance import dtw_ndim

            a64, b64 = a.astype(np.float64), b.astype(np.float64)
            rows["dtaidistance dtw_ndim.warping_path (euclidean)"] = lambda a64=a64, b64=b64: dtw_ndim.warping_path(
                a64, b64)
        except ImportError:
            pass
        print(f"{n} x {n} windows:")
        for name, fn in rows.items():
            print(f"  {name:<48} {timeit(fn, repeat) * 1e3:9.3f} ms")


if __name__ == "__main__":
    main()
