"""Where the web app keeps its state, what it accepts and who may use it; one object handed to `create_app`, so
tests run on a temporary folder and nothing is read from the environment at import time."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_MAX_UPLOAD_MB = 500
#: The reading limit the server gives keypoint readers (`motionsim.io.MAX_INPUT_BYTES` is the library's, 512 MB).
DEFAULT_MAX_INPUT_MB = 100
#: A job interrupted this many times (the server killed while it ran) is marked failed instead of run again.
DEFAULT_MAX_ATTEMPTS = 3
#: Live takes at once (the Live page): each one runs pose estimation on ~0.8 of a core at 30 frames/s.
DEFAULT_MAX_LIVE = 1


def default_state_dir() -> Path:
    """The user's data folder for motionsim's web history (``~/.local/share/motionsim/web`` on Linux)."""
    from platformdirs import user_data_path

    return user_data_path("motionsim") / "web"


@dataclass(frozen=True)
class Settings:
    """state_dir holds the history (SQLite), uploads and results; data_dir (optional, read-only) holds files
    the page may pick by name.

    host and port: where the server listens (port None: any, as under a test client); requests must name one
    of the host names that fit (`motionsim.web.safety.allowed_hosts`). token: when set, every request must
    carry it (a cookie set by the first visit with ``?token=``, or ``Authorization: Bearer``).
    keep_days / max_state_gb: the retention policy (None: keep everything), applied at start and after each job.
    max_live: live takes at once on the Live page (others are told the server is busy).
    """

    state_dir: Path
    data_dir: Path | None = None
    max_upload_mb: float = DEFAULT_MAX_UPLOAD_MB
    max_input_mb: float = DEFAULT_MAX_INPUT_MB
    title: str = "motionsim"
    host: str = "127.0.0.1"
    port: int | None = None
    token: str | None = None
    keep_days: float | None = None
    max_state_gb: float | None = None
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    max_live: int = DEFAULT_MAX_LIVE

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

    @property
    def max_input_bytes(self) -> int:
        return int(self.max_input_mb * 1024 * 1024)

    def make_dirs(self) -> None:
        for folder in (self.state_dir, self.upload_dir, self.results_dir):
            folder.mkdir(parents=True, exist_ok=True)
