"""Shared fixtures: small hand-built COCO-17 motions (no generator, no files), a private pose cache.
Helper functions live in helpers.py (a conftest.py below tests/ would shadow this module's name)."""

from __future__ import annotations

import os

import numpy as np
import pytest

from motionsim.evaluate.toy import make_motion


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
