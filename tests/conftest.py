"""Shared fixtures: small hand-built COCO-17 motions (no generator, no files)."""

from __future__ import annotations

import os

import numpy as np
import pytest

# A standing person in image coordinates (pixels, y down), COCO-17 order.
REST_POSE = np.array([
    [0, -160], [-6, -166], [6, -166], [-14, -162], [14, -162],      # nose, eyes, ears
    [-40, -130], [40, -130], [-50, -80], [50, -80], [-55, -35], [55, -35],  # shoulders, elbows, wrists
    [-20, -20], [20, -20], [-22, 60], [22, 60], [-24, 140], [24, 140],  # hips, knees, ankles
], dtype=np.float32)


def make_motion(n_frames: int = 64, seed: int = 0, kind: str = "wave", fps: float = 30.0) -> np.ndarray:
    """A (T, 17, 2) motion: "wave" swings the left arm (image x<0 side is the person's right... as drawn),
    "kick" swings one leg, "still" stands; small per-seed differences in speed and phase."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_frames) / fps
    speed = 1.0 + 0.2 * rng.standard_normal()
    phase = rng.uniform(0, 2 * np.pi)
    poses = np.repeat(REST_POSE[None], n_frames, axis=0).copy()
    swing = np.sin(2 * np.pi * speed * t + phase)
    if kind == "wave":  # raise and swing the right arm (COCO right = index 6, 8, 10)
        poses[:, 8] += np.stack([30 + 20 * swing, -80 + 0 * swing], axis=1)
        poses[:, 10] += np.stack([60 + 50 * swing, -150 + 20 * swing], axis=1)
    elif kind == "kick":
        poses[:, 14] += np.stack([40 * np.maximum(swing, 0), -30 * np.maximum(swing, 0)], axis=1)
        poses[:, 16] += np.stack([90 * np.maximum(swing, 0), -60 * np.maximum(swing, 0)], axis=1)
    elif kind != "still":
        raise ValueError(kind)
    poses += rng.normal(scale=0.5, size=poses.shape)
    return poses + np.array([640, 400], dtype=np.float32)


@pytest.fixture
def wave() -> np.ndarray:
    return make_motion(64, seed=1, kind="wave")


@pytest.fixture
def kick() -> np.ndarray:
    return make_motion(64, seed=2, kind="kick")


@pytest.fixture(autouse=True, scope="session")
def _private_pose_cache(tmp_path_factory):
    """Tests never read or write the user's pose cache; they share one of their own (a video's poses are
    estimated once per run). Tests of the cache itself point MOTIONSIM_CACHE_DIR elsewhere."""
    old = os.environ.get("MOTIONSIM_CACHE_DIR")
    os.environ["MOTIONSIM_CACHE_DIR"] = str(tmp_path_factory.mktemp("pose_cache"))
    yield
    if old is None:
        os.environ.pop("MOTIONSIM_CACHE_DIR", None)
    else:
        os.environ["MOTIONSIM_CACHE_DIR"] = old


def demo_video():
    """The real two-person video in the sports2d wheel (installed without dependencies by `make test`)."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("Sports2D")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "Demo" / "demo.mp4"
    return path if path.is_file() else None
