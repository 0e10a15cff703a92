"""The Live page's server side: a 640x480 30 fps video sent as JPEG frames over the WebSocket at real-time pacing,
as the page sends its camera, to ``motionsim serve`` running in its own process.

The video is made from the real Sports2D demo clip (``pip install --no-deps sports2d==0.8.34``) as in
bench_live.py: its frames scaled to 640x480 and played forwards and backwards for ``--seconds``; the reference is
the clip itself, picked from ``--data`` (its poses estimated before the clock starts). Every frame is encoded to
JPEG (quality 70, as the page's ``canvas.toBlob(..., 0.7)``) before the clock starts, so the client costs almost
nothing. The client follows the page's flow control: frame i is due at i/30 s; it is sent only when fewer than
two frames are waiting for their answer (an answer to frame s frees every frame up to s), else it is skipped
(counted, as the page skips camera frames).

Printed per take: frames offered and sent, the server's processed frames/s and dropped frames (its ``live``
block: slots of 1/30 s with no processed frame, whether the client skipped them or the server replaced them),
latency p50/p95 measured by the client (frame sent -> its answer with a score received) and by the server (the
frame's arrival -> its score), the server process's CPU (user + system over the take's wall time, all threads,
in cores and per processed frame), its resident memory every 5 s (bounded over a long take: ``--seconds 600``)
and the load average before/after (the machine is shared: the numbers mean little without it).

    .venv/bin/python benchmarks/bench_live_web.py [--seconds 20] [--repeat 2] [--mode follow] [--takes 1]
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_live import SIZES, make_videos  # noqa: E402

FPS = 30
IN_FLIGHT = 2


def jpeg_frames(path: Path, quality: int = 70) -> list[bytes]:
    import cv2

    cap = cv2.VideoCapture(str(path))
    out = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        out.append(cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])[1].tobytes())
    cap.release()
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (all its threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class MemorySampler(threading.Thread):
    """The server's resident memory every ``every`` seconds while the takes run (is it bounded?)."""

    def __init__(self, pid: int, every: float = 5.0) -> None:
        super().__init__(daemon=True)
        self.pid, self.every, self.samples, self._done = pid, every, [], threading.Event()

    def run(self) -> None:
        while not self._done.wait(self.every):
            self.samples.append(rss_mb(self.pid))

    def stop(self) -> list[float]:
        self._done.set()
        self.join()
        return self.samples


def memory_line(before: float, rss: list[float], every: float = 5.0) -> str:
    """The server's memory before and during the takes: each sample (every minute when over 24 of them), the
    peak and the growth over the second half."""
    step = 1 if len(rss) <= 24 else round(60 / every)
    shown = ", ".join(f"{m:.0f}" for m in rss[::step])
    return (f"  server memory (RSS): {before:.0f} MB before; during the takes, every {every * step:g} s: {shown} MB; "
            f"peak {max(rss):.0f} MB, growth over the second half {rss[-1] - rss[len(rss) // 2]:+.0f} MB")


def serve(state: Path, data: Path, takes: int) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "motionsim", "serve", "--port", "0", "--state", str(state),
                             "--data", str(data), "--max-live", str(takes)], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    line = proc.stdout.readline()
    url = line.split("serving on ", 1)[1].split()[0]
    import httpx

    for _ in range(300):
        try:
            if httpx.get(url + "openapi.json").status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    return proc, url


def take(url: str, reference: str, frames: list[bytes], count: int, mode: str, keep_video: bool,
         sent_all: threading.Barrier | None = None) -> dict:
    """One take of ``count`` frames (``frames`` over and over) at real-time pacing with the page's flow control;
    returns the client's and the server's numbers."""
    from websockets.sync.client import connect

    ws_url = url.replace("http://", "ws://") + "api/live/ws"
    sent: dict[int, float] = {}
    latencies: list[float] = []
    answers: queue.Queue = queue.Queue()
    lock = threading.Lock()
    acked = [-1]
    with connect(ws_url, max_size=None, compression=None) as ws:
        ws.send(json.dumps({"type": "start", "reference": reference, "mode": mode, "keep_video": keep_video}))
        ready = json.loads(ws.recv(timeout=120))
        assert ready["type"] == "ready", ready

        def receive() -> None:
            try:
                for text in ws:
                    message = json.loads(text)
                    if message["type"] == "frame":
                        with lock:
                            at = sent.get(message["seq"])
                            if message["score"] is not None and at is not None:
                                latencies.append((time.perf_counter() - at) * 1000)
                            acked[0] = max(acked[0], message["seq"])
                    else:
                        answers.put(message)
            except Exception:  # noqa: BLE001 - the socket closed
                pass
            answers.put(None)

        reader = threading.Thread(target=receive, daemon=True)
        reader.start()
        start, skipped = time.perf_counter(), 0
        for i in range(count):
            jpeg = frames[i % len(frames)]
            wait = start + i / FPS - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            with lock:
                waiting = sum(1 for s in sent if s > acked[0])
                if waiting >= IN_FLIGHT:
                    skipped += 1
                    continue
                sent[i] = time.perf_counter()
            ws.send(struct.pack("<I", i) + jpeg)
        elapsed = time.perf_counter() - start
        if sent_all is not None:
            sent_all.wait()
        ws.send(json.dumps({"type": "stop", "save": True}))
        saved = None
        while (message := answers.get(timeout=300)) is not None:
            if message["type"] in ("saved", "error"):
                saved = message
                break
    assert saved is not None and saved["type"] == "saved", saved
    lat = np.asarray(latencies)
    return {"offered": count, "sent": len(sent), "skipped": skipped, "seconds": elapsed,
            "client_p50": float(np.percentile(lat, 50)), "client_p95": float(np.percentile(lat, 95)),
            "live": saved["live"], "job": saved["job"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--mode", choices=["follow", "free"], default="follow")
    parser.add_argument("--size", choices=list(SIZES), default="640x480")
    parser.add_argument("--takes", type=int, default=1, help="takes at once (each its own client thread)")
    parser.add_argument("--keep-video", action="store_true", help="the take also records the camera video")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-live-web-") as tmp:
        folder = Path(tmp)
        data = folder / "data"
        data.mkdir()
        # the live video plays the clip forwards and backwards; a long take repeats one such cycle (the client's
        # memory stays bounded: a 10-minute take would be ~1 GB of JPEGs)
        reference_video, live_video = make_videos(data, SIZES[args.size], min(args.seconds, 40.0))
        frames, count = jpeg_frames(live_video), round(args.seconds * FPS)
        if count > len(frames):
            frames = frames[:2 * len(jpeg_frames(reference_video)) - 2]
        print(f"{count} frames at {args.size}, JPEG quality 70: {np.mean([len(f) for f in frames]) / 1024:.0f} "
              f"KB each on average")
        proc, url = serve(folder / "state", data, args.takes)
        try:
            import httpx

            started = time.perf_counter()
            ref = httpx.post(url + "api/live/references", data={"name": reference_video.name}, timeout=600).json()
            print(f"reference {ref['name']}: {ref['frames']} frames, read in {time.perf_counter() - started:.1f} s")
            for run in range(args.repeat):
                sent_all = threading.Barrier(args.takes + 1)
                results: list[dict] = [{}] * args.takes

                def one(k: int, barrier: threading.Barrier = sent_all, out: list[dict] = results) -> None:
                    out[k] = take(url, ref["id"], frames, count, args.mode, args.keep_video, barrier)

                threads = [threading.Thread(target=one, args=(k,)) for k in range(args.takes)]
                load_before, cpu_before, wall = os.getloadavg()[0], cpu_seconds(proc.pid), time.perf_counter()
                rss_before, sampler = rss_mb(proc.pid), MemorySampler(proc.pid)
                sampler.start()
                for t in threads:
                    t.start()
                sent_all.wait()  # the takes' window: from their start to their last frame
                wall, cpu = time.perf_counter() - wall, cpu_seconds(proc.pid) - cpu_before
                rss = sampler.stop()
                load_after = os.getloadavg()[0]
                for t in threads:
                    t.join()
                processed = sum(r["live"]["processed"] for r in results)
                print(f"run {run + 1}: load {load_before:.1f} -> {load_after:.1f}; server CPU {cpu / wall:.2f} cores "
                      f"during the takes ({cpu / processed * 1000:.0f} ms per processed frame)")
                if rss:
                    print(memory_line(rss_before, rss))
                for r in results:
                    live = r["live"]
                    print(f"  {args.size} {args.mode}: {r['offered']} offered, {r['sent']} sent, {r['skipped']} "
                          f"skipped by flow control; server: {live['processed'] / r['seconds']:.1f} frames/s "
                          f"processed, {live['dropped']} of {live['frames']} dropped, {live['replaced']} replaced; "
                          f"latency client p50 {r['client_p50']:.0f} / p95 {r['client_p95']:.0f} ms, server p50 "
                          f"{live['latency_ms']['p50']:.0f} / p95 {live['latency_ms']['p95']:.0f} ms")
                rendering = time.perf_counter()
                for r in results:  # the saved takes' feedback videos are rendered before the next run
                    while (job := httpx.get(f"{url}api/jobs/{r['job']}").json())["status"] not in ("done", "failed"):
                        time.sleep(0.5)
                    print(f"  saved take {r['job']}: {job['status']} {job.get('error') or ''}(its feedback video and "
                          f"report rendered {time.perf_counter() - rendering:.0f} s after the take)")
        finally:
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


if __name__ == "__main__":
    main()
