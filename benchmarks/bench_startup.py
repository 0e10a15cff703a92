"""Start-up as a user feels it: whole `motionsim` processes, timed over repeats (median and min), like hyperfine.

Targets (issue 14): `motionsim --help` < 0.3 s; `motionsim compare` of two bundled demo files < 0.7 s.

    .venv/bin/python benchmarks/bench_startup.py [--runs 10] [--bin .venv-light/bin/motionsim]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

DEMO = Path(__file__).resolve().parents[1] / "src" / "motionsim" / "data" / "demo"


def timed(cmd: list[str], runs: int) -> tuple[float, float]:
    subprocess.run(cmd, capture_output=True, check=True)  # warm the OS file cache (and numba's disk cache)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--bin", default=str(Path(sys.executable).parent / "motionsim"))
    args = parser.parse_args()
    cases = {
        "motionsim --help": [args.bin, "--help"],
        "motionsim compare (2 demo files)": [args.bin, "compare", str(DEMO / "reference.json"),
                                             str(DEMO / "lunge.json")],
        "motionsim demo (7 comparisons)": [args.bin, "demo"],
    }
    print(f"{args.bin}, {args.runs} runs each")
    for name, cmd in cases.items():
        median, best = timed(cmd, args.runs)
        print(f"{name:<36} median {median:.3f} s   min {best:.3f} s")


if __name__ == "__main__":
    main()
