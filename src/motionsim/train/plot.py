"""The loss curve of a training run as a PNG (matplotlib, an optional extra: ``pip install 'motionsim[plot]'``).

Drawn on a `matplotlib.figure.Figure` with the Agg canvas, never through pyplot, so it neither changes the
caller's backend nor opens windows.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

log = logging.getLogger(__name__)


def plot_losses(rows: Sequence[Mapping[str, float]], path: Path) -> bool:
    """Loss curves (train every step, validation when measured) as a PNG; False, with a warning, when
    matplotlib is not installed."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        log.warning("matplotlib is not installed: %s not written (pip install 'motionsim[plot]')", path)
        return False
    fig = Figure(figsize=(7, 4))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    steps = [r["step"] for r in rows]
    ax.plot(steps, [r["train_total"] for r in rows], lw=0.6, alpha=0.6, label="train total")
    val = [(r["step"], r["val_total"]) for r in rows if "val_total" in r]
    if val:
        ax.plot(*zip(*val), "o-", label="validation total")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_yscale("log")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return True
