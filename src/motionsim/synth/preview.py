"""Stick-figure previews of synthetic motions (matplotlib, imported lazily; drawn on a `Figure` with the Agg
canvas, never through pyplot, so the caller's backend is left alone and no window opens)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import MissingExtraError
from ..skeleton import COCO17_EDGES
from .camera import View, project
from .characters import Character, get_character
from .motions import get_motion, motion_3d

log = logging.getLogger(__name__)

_LEFT = {1, 3, 5, 7, 9, 11, 13, 15}
DEFAULT_MOTIONS: tuple[str, ...] = ("wave_right", "squat", "punch_right", "jumping_jack", "throw_overhand",
                                    "walk")
DEFAULT_VIEWS: tuple[View, ...] = (View(), View(yaw=np.pi / 4, pitch=np.pi / 16), View(yaw=np.pi / 2))


def _figure(figsize: tuple[float, float]):
    """A matplotlib `Figure` on the Agg canvas (no pyplot), or `MissingExtraError`."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover - matplotlib is in the dev/plot extras
        raise MissingExtraError("the preview needs matplotlib: pip install motionsim[plot]") from exc
    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    return fig


def draw_skeleton(ax, points: np.ndarray, alpha: float = 1.0, lw: float = 1.6) -> None:
    """Draw one COCO-17 pose (17, 2), image y down, left side blue and right side red."""
    for a, b in COCO17_EDGES:
        color = "tab:blue" if a in _LEFT and b in _LEFT else "tab:red" if (a not in _LEFT and b not in _LEFT
                                                                            and a > 0) else "0.35"
        ax.plot(points[(a, b), 0], points[(a, b), 1], color=color, lw=lw, alpha=alpha, solid_capstyle="round")


def render_preview(out: str | Path, motions: Sequence[str] = DEFAULT_MOTIONS,
                   views: Sequence[View] = DEFAULT_VIEWS, character: Character | str = "bruno",
                   n_poses: int = 5, dpi: int = 70, spacing: float = 1.1) -> Path:
    """Render a grid (rows = motions x views) of stick-figure strips: each cell overlays poses over time.

    Returns the written path (PNG). Poses are spread along x in time order (``spacing`` metres apart) so the
    motion reads left to right; every cell has the same scale, heights in metres above the floor.
    """
    char = get_character(character)
    rows = [(m, v) for m in motions for v in views]
    fig = _figure((3.3 * len(views), 2.0 * len(motions)))
    axes = fig.subplots(len(motions), len(views), squeeze=False)
    for (name, view), ax in zip(rows, axes.ravel()):
        spec = get_motion(name)
        joints = motion_3d(spec, None, char)
        pts = project(joints, view)
        frames = np.linspace(0, len(pts) - 1, n_poses + 2).round().astype(int)[1:-1]
        for k, f in enumerate(frames):  # each pose centred on its own hips, spaced evenly, floor at y = 0
            shift = np.array([k * spacing - pts[f, (11, 12), 0].mean(), 0.0])
            draw_skeleton(ax, pts[f] + shift, alpha=0.45 + 0.55 * (k + 1) / n_poses)
        ax.set_xlim(-0.6 * spacing, (n_poses - 0.4) * spacing)
        ax.set_ylim(0.15, -2.25)  # same scale in every cell, image y down
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title(f"{name}  yaw={np.degrees(view.yaw):.0f}° pitch={np.degrees(view.pitch):.0f}°", fontsize=8)
    fig.tight_layout()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=dpi)
    log.info("wrote preview %s", out)
    return out
