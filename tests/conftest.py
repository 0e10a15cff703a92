"""Shared fixtures: small hand-built COCO-17 motions (no generator, no files)."""

from __future__ import annotations

import numpy as np
import pytest

from motionsim.evaluate.toy import make_motion

__all__ = ["make_motion"]  # tests import it from here


@pytest.fixture
def wave() -> np.ndarray:
    return make_motion(64, seed=1, kind="wave")


@pytest.fixture
def kick() -> np.ndarray:
    return make_motion(64, seed=2, kind="kick")
