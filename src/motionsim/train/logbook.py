"""Where a training run writes what it did: the CSV log (one row per step) and, if installed, TensorBoard."""

from __future__ import annotations

import csv
import logging
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def log_row(path: Path, row: dict[str, float], columns: list[str], writer: Any) -> None:
    """Append one row to the CSV log (validation columns stay empty between validations) and TensorBoard."""
    new = not path.exists()
    with path.open("a", newline="") as f:
        w = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        if new:
            w.writeheader()
        w.writerow(row)
    if writer is not None:
        for k, v in row.items():
            if k != "step":
                writer.add_scalar(k.replace("_", "/", 1), v, int(row["step"]))


def tensorboard_writer(out_dir: Path) -> Any:
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:  # tensorboard is optional (`pip install tensorboard`)
        log.info("tensorboard not installed: logging to log.csv only")
        return None
    return SummaryWriter(str(out_dir / "tensorboard"))
