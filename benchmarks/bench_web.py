"""Load on `motionsim serve` with keypoint inputs, against 127.0.0.1 only (issue 15):

- 20 concurrent `POST /api/compare?wait=true` uploads complete with no error and give the CLI's result;
- 200 sequential ones: requests/s, latency p50/p95, and the server's RSS before and after (it must not grow).

The server runs in a subprocess (`motionsim serve --port 0`) on a temporary state folder; every request has
a timeout, so the benchmark always ends.

    .venv/bin/python benchmarks/bench_web.py [--sequential 200] [--concurrent 20] [--feedback]
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np

from motionsim.cli import main as cli_main
from motionsim.evaluate.toy import make_motion
from motionsim.io import save_pose

TIMEOUT = 120.0


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_server(state: Path) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "motionsim", "serve", "--host", "127.0.0.1", "--port", "0",
                             "--state", str(state)], stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()  # the server prints its URL first
    if "serving on http://127.0.0.1:" not in line:
        proc.kill()
        raise SystemExit(f"server did not start: {line!r}")
    return proc, line.split("serving on ", 1)[1].split()[0]


def post(url: str, a: Path, b: Path, feedback: bool) -> tuple[float, int, dict]:
    started = time.perf_counter()
    with a.open("rb") as fa, b.open("rb") as fb:
        r = httpx.post(url + "api/compare?wait=true", files={"a": (a.name, fa), "b": (b.name, fb)},
                       data={"feedback": str(feedback).lower()}, timeout=TIMEOUT)
    return time.perf_counter() - started, r.status_code, r.json()


def report(name: str, latencies: list[float], wall: float) -> None:
    ms = np.array(latencies) * 1000
    print(f"{name}: {len(latencies)} requests in {wall:.2f} s = {len(latencies) / wall:.1f} requests/s; "
          f"latency p50 {np.percentile(ms, 50):.0f} ms, p95 {np.percentile(ms, 95):.0f} ms")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sequential", type=int, default=200)
    parser.add_argument("--concurrent", type=int, default=20)
    parser.add_argument("--feedback", action="store_true", help="also render the feedback video and the report")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        tmp_path = Path(tmp)
        a, b = tmp_path / "wave.json", tmp_path / "kick.json"
        save_pose(make_motion(150, seed=1, kind="wave"), a)
        save_pose(make_motion(150, seed=2, kind="kick"), b)
        out = io.StringIO()
        cli_main(["compare", str(a), str(b), "--json"], out=out)
        expected = json.loads(out.getvalue())
        proc, url = start_server(tmp_path / "state")
        failures = 0
        try:
            for _ in range(3):  # warm up: model load, numba
                post(url, a, b, args.feedback)
            started = time.perf_counter()
            with ThreadPoolExecutor(args.concurrent) as pool:
                results = list(pool.map(lambda _: post(url, a, b, args.feedback), range(args.concurrent)))
            wall = time.perf_counter() - started
            failures += sum(status != 200 or body != expected for _, status, body in results)
            report(f"{args.concurrent} concurrent", [r[0] for r in results], wall)
            rss_start = rss_mb(proc.pid)
            latencies, started = [], time.perf_counter()
            for _ in range(args.sequential):
                seconds, status, body = post(url, a, b, args.feedback)
                latencies.append(seconds)
                failures += status != 200 or body != expected
            wall = time.perf_counter() - started
            rss_end = rss_mb(proc.pid)
            report(f"{args.sequential} sequential", latencies, wall)
            rows = httpx.get(url + "api/jobs?limit=100000").json()["count"]
            print(f"server RSS: {rss_start:.0f} MB before the sequential run, {rss_end:.0f} MB after "
                  f"({rss_end - rss_start:+.0f} MB); history rows: {rows}")
            print(f"errors or results different from compare --json: {failures}")
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
