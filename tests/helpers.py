"""Helpers the tests import: toy motions, the real demo video, the CLI run in process. (Kept out of conftest.py:
tests/web has a conftest.py of its own, and `from helpers import` would then depend on collection order.)"""

from __future__ import annotations

from motionsim.evaluate.toy import make_motion

__all__ = ["compare_json", "demo_video", "make_motion", "pose2sim_video", "run_cli"]


def demo_video():
    """The real two-person video in the sports2d wheel. `make test` (and so CI) installs it without
    dependencies, so a missing video fails the test that needs it instead of skipping it unseen."""
    import importlib.util
    from pathlib import Path

    import pytest

    spec = importlib.util.find_spec("Sports2D")
    path = None if spec is None or spec.origin is None else Path(spec.origin).parent / "Demo" / "demo.mp4"
    if path is None or not path.is_file():
        pytest.fail("the Sports2D demo video is missing: `make test` installs it (pip install --no-deps "
                    "sports2d==0.8.34)")
    return path


def pose2sim_video(scene: str = "MultiPerson", camera: int = 1):
    """A real video in the pose2sim wheel: ``Demo_MultiPerson`` (a man performing on a platform, a woman moving
    in front of him) or ``Demo_SinglePerson`` (the man alone), cameras 1-4, 60 fps, 100 frames. `make test`
    installs it without dependencies; a missing video fails the test (pip install --no-deps pose2sim==0.10.49)."""
    import importlib.util
    from pathlib import Path

    import pytest

    spec = importlib.util.find_spec("Pose2Sim")
    root = None if spec is None or spec.origin is None else Path(spec.origin).parent
    path = None if root is None else root / f"Demo_{scene}" / "videos" / f"cam{camera:02d}.mp4"
    if path is None or not path.is_file():
        pytest.fail("the Pose2Sim demo videos are missing: `make test` installs them (pip install --no-deps "
                    "pose2sim==0.10.49)")
    return path


def run_cli(argv, capsys=None):
    """(exit code, stdout, stderr) of `motionsim.cli.main(argv)`, in process as the console script runs it
    (stderr only with pytest's ``capsys``, else "")."""
    import io

    from motionsim.cli import main

    out = io.StringIO()
    code = main(argv, out=out)
    return code, out.getvalue(), capsys.readouterr().err if capsys is not None else ""


def compare_json(*argv):
    """The object `motionsim compare ARGV --json` prints."""
    import json

    code, out, _ = run_cli(["compare", *argv, "--json"])
    assert code == 0, out
    return json.loads(out)


def write_clips(folder, n: int, seed: int) -> list[str]:
    """``n`` random motions of 60-159 frames saved as .npy files in ``folder`` (a library's clips)."""
    import numpy as np

    from motionsim.evaluate.toy import random_motion

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    paths = []
    for i in range(n):
        path = folder / f"clip{seed}_{i:03d}.npy"
        np.save(path, random_motion(int(rng.integers(60, 160)), rng))
        paths.append(str(path))
    return paths


def write_video(path, frames, fps: float = 30.0):
    """BGR ``frames`` (all one size) as an mp4v video at ``fps``; returns ``path``."""
    import cv2

    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    for f in frames:
        writer.write(f)
    writer.release()
    return path

