"""Start-up as a user feels it: whole `motionsim` processes, timed over repeats (median and min), like hyperfine.

Targets (issue 23): `motionsim --help` < 0.15 s; `demo` < 0.5 s; `compare` of two 5,040-frame keypoint files
(3.5 minutes at 24 fps, written once to a temporary folder) < 0.5 s. The load average is printed: on a shared
machine the times are not meaningful. The processes may write Python's bytecode cache (as an installed package
has): with PYTHONDONTWRITEBYTECODE set, as on our development machines, an editable install recompiles
motionsim's modules on every start (~0.1 s).

    .venv/bin/python benchmarks/bench_startup.py [--runs 10] [--bin .venv-light/bin/motionsim]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEMO = Path(__file__).resolve().parents[1] / "src" / "motionsim" / "data" / "demo"


def timed(cmd: list[str], runs: int) -> tuple[float, float]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(cmd, capture_output=True, check=True, env=env)  # warm the file and bytecode caches
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True, env=env)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--bin", default=str(Path(sys.executable).parent / "motionsim"))
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="motionsim-startup-"))
    long_files = _long_files(tmp)
    cases = {
        "motionsim --help": [args.bin, "--help"],
        "motionsim compare (2 demo files)": [args.bin, "compare", str(DEMO / "reference.json"),
                                             str(DEMO / "lunge.json")],
        "motionsim demo (7 comparisons)": [args.bin, "demo"],
        "compare 2 x 5,040 frames (.npy)": [args.bin, "compare", *long_files["npy"]],
        "compare 2 x 5,040 frames (.json)": [args.bin, "compare", *long_files["json"]],
        "compare 2 x 5,040 frames, r=32 (.npy)": [args.bin, "compare", *long_files["npy"], "--stride", "32"],
    }
    print(f"{args.bin}, {args.runs} runs each, load average {os.getloadavg()[0]:.1f}")
    for name, cmd in cases.items():
        median, best = timed(cmd, args.runs)
        print(f"{name:<40} median {median:.3f} s   min {best:.3f} s")


def _long_files(folder: Path) -> dict[str, list[str]]:
    """Two 5,040-frame motions at 24 fps as .npy and as NTU/COCO JSON."""
    import numpy as np

    from motionsim.evaluate.toy import random_motion
    from motionsim.io import save_pose
    from motionsim.pose import PoseSequence

    rng = np.random.default_rng(0)
    out: dict[str, list[str]] = {"npy": [], "json": []}
    for name in ("a", "b"):
        motion = random_motion(5040, rng)
        np.save(folder / f"{name}.npy", motion)
        save_pose(PoseSequence(motion[..., :2], motion[..., 2], fps=24.0), folder / f"{name}.json")
        out["npy"].append(str(folder / f"{name}.npy"))
        out["json"].append(str(folder / f"{name}.json"))
    return out


if __name__ == "__main__":
    main()
