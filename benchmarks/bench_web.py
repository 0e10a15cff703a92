"""Load on `motionsim serve` with keypoint inputs, against 127.0.0.1 only (issues 15 and 26), without and with the
feedback video (and report):

- 20 concurrent `POST /api/compare?wait=true` uploads complete with no error and give the CLI's result;
- 200 sequential ones: requests/s, latency p50/p95;
- the server's RSS, sampled every 0.2 s in each phase: at its start, at its end and its peak (it must stay flat).

The server runs in a subprocess (`motionsim serve --port 0`) on a temporary state folder; every request has
a timeout, so the benchmark always ends. Timings depend on the machine and on what else runs on it.

    .venv/bin/python benchmarks/bench_web.py [--sequential 200] [--concurrent 20] [--modes keypoints,video]
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np

from motionsim.cli import main as cli_main
from motionsim.evaluate.toy import make_motion
from motionsim.io import save_pose

TIMEOUT = 120.0
MODES = {"keypoints": False, "video": True}  # mode -> feedback (the video and the report)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class RssSampler:
    """The server's RSS every ``period`` seconds while a phase runs."""

    def __init__(self, pid: int, period: float = 0.2) -> None:
        self.pid, self.period, self.samples = pid, period, [rss_mb(pid)]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.period):
            self.samples.append(rss_mb(self.pid))

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.samples.append(rss_mb(self.pid))

    def summary(self) -> str:
        start, end, peak = self.samples[0], self.samples[-1], max(self.samples)
        return f"RSS {start:.0f} -> {end:.0f} MB ({end - start:+.0f}), peak {peak:.0f} MB, {len(self.samples)} samples"


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


def report(name: str, latencies: list[float], wall: float, rss: RssSampler) -> None:
    ms = np.array(latencies) * 1000
    print(f"{name}: {len(latencies)} requests in {wall:.2f} s = {len(latencies) / wall:.2f} requests/s; "
          f"latency p50 {np.percentile(ms, 50):.0f} ms, p95 {np.percentile(ms, 95):.0f} ms; {rss.summary()}",
          flush=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sequential", type=int, default=200)
    parser.add_argument("--concurrent", type=int, default=20)
    parser.add_argument("--modes", default="keypoints,video",
                        help="keypoints (no feedback video), video (with the feedback video and the report)")
    args = parser.parse_args()
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
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
            for mode in modes:
                feedback = MODES[mode]
                for _ in range(3):  # warm up: model load, numba, the video encoder
                    post(url, a, b, feedback)
                with RssSampler(proc.pid) as rss:
                    started = time.perf_counter()
                    with ThreadPoolExecutor(args.concurrent) as pool:
                        results = list(pool.map(lambda _, f=feedback: post(url, a, b, f), range(args.concurrent)))
                    wall = time.perf_counter() - started
                failures += sum(status != 200 or body != expected for _, status, body in results)
                report(f"{mode}, {args.concurrent} concurrent", [r[0] for r in results], wall, rss)
                latencies = []
                with RssSampler(proc.pid) as rss:
                    started = time.perf_counter()
                    for _ in range(args.sequential):
                        seconds, status, body = post(url, a, b, feedback)
                        latencies.append(seconds)
                        failures += status != 200 or body != expected
                    wall = time.perf_counter() - started
                report(f"{mode}, {args.sequential} sequential", latencies, wall, rss)
            rows = httpx.get(url + "api/jobs?limit=10000").json()["count"]
            size = sum(p.stat().st_size for p in (tmp_path / "state").rglob("*") if p.is_file())
            print(f"history rows: {rows}; state folder {size / 1e6:.0f} MB")
            print(f"errors or results different from compare --json: {failures}")
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
