"""Fixtures of the web tests: two keypoint files and an app on a temporary state folder."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("multipart")

from fastapi.testclient import TestClient  # noqa: E402
from web_helpers import LOCAL  # noqa: E402

from motionsim.io import save_pose  # noqa: E402
from motionsim.web.app import create_app  # noqa: E402
from motionsim.web.settings import Settings  # noqa: E402


@pytest.fixture
def data_dir(tmp_path: Path, wave, kick) -> Path:
    """A --data folder with the wave and the kick of tests/conftest.py (COCO-17 keypoint JSON, 64 frames)."""
    folder = tmp_path / "data"
    folder.mkdir()
    save_pose(wave, folder / "wave.json")
    save_pose(kick, folder / "kick.json")
    return folder


@pytest.fixture
def settings(tmp_path: Path, data_dir: Path) -> Settings:
    return Settings(state_dir=tmp_path / "state", data_dir=data_dir)


@pytest.fixture
def client(settings: Settings):
    with TestClient(create_app(settings), base_url=LOCAL) as c:
        yield c
