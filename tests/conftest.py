"""Shared fixtures: small hand-built COCO-17 motions (no generator, no files)."""

from __future__ import annotations

import os

import numpy as np
import pytest

from motionsim.evaluate.toy import make_motion

__all__ = ["demo_video", "make_motion"]  # tests import these from here


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


def run_cli(argv, capsys):
    """(exit code, stdout, stderr) of `motionsim.cli.main(argv)`, in process as the console script runs it."""
    import io

    from motionsim.cli import main

    out = io.StringIO()
    code = main(argv, out=out)
    return code, out.getvalue(), capsys.readouterr().err

