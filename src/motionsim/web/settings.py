"""Where the web app keeps its state and what it accepts; one object handed to `create_app`, so tests run on a
temporary folder and nothing is read from the environment at import time."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_MAX_UPLOAD_MB = 500


def default_state_dir() -> Path:
    """The user's data folder for motionsim's web history (``~/.local/share/motionsim/web`` on Linux)."""
    from platformdirs import user_data_path

    return user_data_path("motionsim") / "web"


@dataclass(frozen=True)
class Settings:
    """state_dir holds the history (SQLite), uploads and results; data_dir (optional, read-only) holds files
    the page may pick by name."""

    state_dir: Path
    data_dir: Path | None = None
    max_upload_mb: float = DEFAULT_MAX_UPLOAD_MB
    title: str = "motionsim"

    def __post_init__(self) -> None:
        object.__setattr__(self, "state_dir", Path(self.state_dir).expanduser().resolve())
        if self.data_dir is not None:
            object.__setattr__(self, "data_dir", Path(self.data_dir).expanduser().resolve())

    @property
    def upload_dir(self) -> Path:
        return self.state_dir / "uploads"

    @property
    def results_dir(self) -> Path:
        return self.state_dir / "jobs"

    @property
    def db_path(self) -> Path:
        return self.state_dir / "history.sqlite3"

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    def make_dirs(self) -> None:
        for folder in (self.state_dir, self.upload_dir, self.results_dir):
            folder.mkdir(parents=True, exist_ok=True)
