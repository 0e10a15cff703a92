"""Following everyone in a 1080p video (`motionsim extract VIDEO --person all`): cost per frame for 1, 2 and 5
people, and what each stage costs.

The scenes are 1920x1080 at 30 fps, 200 frames, made from the real Pose2Sim single-person clips (a man on a
platform filmed by four cameras; the fifth person is camera 1 mirrored) placed side by side, each person about
800 pixels tall; the 2- and 5-person scenes also hold a bystander in the back of camera 2. Needs the pose2sim
wheel (`make test` installs it).

CPU time (all threads, ``time.process_time``) is the steady measure on a shared machine; "frames/s on 2 cores"
is 2000 / (CPU ms per frame), what two free cores give when the work is spread over both. The steady-state cost
leaves out start-up (building the MediaPipe graphs): it is the cost of frames 40-200 over 160 frames.

    python benchmarks/bench_people.py [--frames 200] [--people 1 2 5]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import tempfile
import time
from pathlib import Path

import numpy as np


def _clips() -> list[list[np.ndarray]]:
    import cv2

    spec = importlib.util.find_spec("Pose2Sim")
    if spec is None or spec.origin is None:
        raise SystemExit("needs the Pose2Sim demo videos: pip install --no-deps pose2sim==0.10.49")
    root = Path(spec.origin).parent / "Demo_SinglePerson" / "videos"
    clips = []
    for cam, mirror in ((1, False), (2, False), (3, False), (4, False), (1, True)):
        cap = cv2.VideoCapture(str(root / f"cam{cam:02d}.mp4"))
        frames = []
        while (got := cap.read())[0]:
            frame = cv2.resize(got[1], (608, 1080), interpolation=cv2.INTER_AREA)
            frames.append(np.ascontiguousarray(frame[:, ::-1]) if mirror else frame)
        cap.release()
        clips.append(frames + frames[::-1])  # there and back: 200 frames
    return clips


def make_scene(path: Path, n_people: int, n_frames: int, clips: list[list[np.ndarray]]) -> Path:
    """``n_people`` clips side by side on a 1920x1080 grey canvas (1 or 2: 608 pixels wide each, centred; 5:
    the middle 384 pixels of each)."""
    import cv2

    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, (1920, 1080))
    for t in range(n_frames):
        canvas = np.full((1080, 1920, 3), 90, np.uint8)
        if n_people <= 3:
            x = (1920 - 608 * n_people) // 2
            for k in range(n_people):
                canvas[:, x + 608 * k: x + 608 * (k + 1)] = clips[k][t % len(clips[k])]
        else:
            w = 1920 // n_people
            for k in range(n_people):
                canvas[:, w * k: w * (k + 1)] = clips[k % len(clips)][t % 200][:, 304 - w // 2: 304 - w // 2 + w]
        writer.write(canvas)
    writer.release()
    return path


def timed(fn) -> tuple[float, float, object]:
    c0, w0 = time.process_time(), time.perf_counter()
    out = fn()
    return time.process_time() - c0, time.perf_counter() - w0, out


def main() -> None:
    from motionsim.video import extract_pose
    from motionsim.video.everyone import extract_people

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=200)
    parser.add_argument("--people", type=int, nargs="+", default=[1, 2, 5])
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    clips = _clips()
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.people:
            scene = make_scene(Path(tmp) / f"people{n}.mp4", n, args.frames, clips)
            cpu_head, _, _ = timed(lambda scene=scene: extract_people(scene, progress=False, max_frames=40))
            cpu, wall, people = timed(lambda scene=scene: extract_people(scene, progress=False))
            found = sum(1 for s in people.values() if s.meta["frames_present"] > args.frames // 2)
            steady = (cpu - cpu_head) / (args.frames - 40) * 1000
            print(f"{n} people at 1920x1080: found {found} (in more than half the frames), {len(people)} ids; "
                  f"CPU {1000 * cpu / args.frames:.1f} ms/frame with start-up, {steady:.1f} ms/frame steady "
                  f"-> {2000 / steady:.1f} frames/s on 2 cores; wall {1000 * wall / args.frames:.1f} ms/frame "
                  f"({args.frames / wall:.1f} frames/s here, load {os.getloadavg()[0]:.2f})")
            if n == 1:
                cpu1, wall1, _ = timed(lambda scene=scene: extract_pose(scene, progress=False))
                print(f"  one person, --person auto (one estimator on the whole frame): CPU "
                      f"{1000 * cpu1 / args.frames:.1f} ms/frame, wall {1000 * wall1 / args.frames:.1f} ms/frame")
        _stages(Path(tmp) / "people5.mp4" if 5 in args.people else scene)


def _stages(scene: Path) -> None:
    """CPU per call of each stage on frames of ``scene``."""
    import cv2

    from motionsim.video.detect import MediaPipePoseDetector, detect_people, regions
    from motionsim.video.extract import MediaPipeEstimator
    from motionsim.video.people import CroppedEstimator, find_people

    cap = cv2.VideoCapture(str(scene))
    frames = []
    c0 = time.process_time()
    while len(frames) < 30 and (got := cap.read())[0]:
        frames.append(cv2.cvtColor(got[1], cv2.COLOR_BGR2RGB))
    decode = (time.process_time() - c0) / len(frames) * 1000
    cap.release()
    detector = MediaPipePoseDetector()
    h, w = frames[0].shape[:2]
    one_region, _, _ = timed(lambda: [detector(f) for f in frames])
    everywhere, _, boxes = timed(lambda: [detect_people(f, detector, regions(w, h)) for f in frames[:10]])
    estimator = CroppedEstimator(MediaPipeEstimator(), boxes[0][0])
    track, _, _ = timed(lambda: [estimator(f) for f in frames])
    still = MediaPipeEstimator(static_image_mode=True)
    finder, _, _ = timed(lambda: [find_people(f, still) for f in frames[:3]])
    print(f"stages at {w}x{h} (CPU per call): decode + RGB {decode:.1f} ms; person detector, one region "
          f"{1000 * one_region / len(frames):.1f} ms, all 7 regions {100 * everywhere:.1f} ms "
          f"({np.mean([len(b) for b in boxes]):.1f} people); one person's tracking estimator on its crop "
          f"{1000 * track / len(frames):.1f} ms; find_people (the one-person choice's still-image search) "
          f"{1000 * finder / 3:.0f} ms")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
