"""Figures of a comparison with matplotlib's object API (``Figure``, never pyplot or ``matplotlib.use``), so
they render in threads, servers and tests without touching global state."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..atomic import atomic_output
from ..errors import MissingExtraError
from ..skeleton import BODY_PARTS, PART_LABELS
from .colors import score_hex
from .timeline import frame_overall_scores, frame_part_scores

#: One line colour per body part (Okabe-Ito, colour-blind safe; kept apart from the red/green score scale).
PART_COLORS: dict[str, str] = {
    "right_arm": "#0072B2", "left_arm": "#56B4E9", "right_leg": "#CC79A7", "left_leg": "#E69F00",
    "torso": "#7f7f7f",
}


def _figure(size: tuple[float, float]):
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise MissingExtraError("plots need matplotlib: pip install 'motionsim[plot]'") from exc
    return Figure(figsize=size, layout="constrained")


def timeline_figure(result: Mapping[str, Any], threshold: float = 0.4):
    """Each part's score over A's frames (seconds when A's fps is known), the threshold, and the overall score.

    Returns
    -------
    matplotlib.figure.Figure
    """
    n_a = int((result.get("frames") or {}).get("a") or max([w["end_frame"] for w in result.get("windows", [])] + [1]))
    scores = frame_part_scores(result, n_a)
    fps = (result.get("fps") or {}).get("a")
    x = np.arange(n_a) / fps if fps else np.arange(n_a)
    fig = _figure((9, 3.6))
    ax = fig.add_subplot()
    low = min(-0.05, float(np.nanmin(scores)) - 0.05) if scores.size else -0.05
    ax.axhspan(threshold, 1.05, color=score_hex(1.0, threshold), alpha=0.08, lw=0)
    ax.axhspan(low, threshold, color=score_hex(-1.0, threshold), alpha=0.08, lw=0)
    for k, part in enumerate(BODY_PARTS):
        ax.plot(x, scores[:, k], color=PART_COLORS[part], lw=1.6, label=PART_LABELS[part])
    if scores.size:
        ax.plot(x, frame_overall_scores(result, scores), color="black", lw=2.6, label="overall")
    ax.axhline(threshold, color="#444444", ls="--", lw=1, label=f"threshold {threshold:g}")
    overall = result.get("similarity")
    title = "Similarity of each body part over time"
    if overall is not None:
        title += f" (overall {overall:.2f})"
    ax.set_title(title, fontsize=11)
    ax.set_xlabel("time in A (s)" if fps else "frame of A")
    ax.set_ylabel("similarity (cosine)")
    ax.set_ylim(low, 1.05)
    if len(x):
        ax.set_xlim(x[0], x[-1] if len(x) > 1 else x[0] + 1)
    ax.grid(alpha=0.3)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False, fontsize=9)
    return fig


def embedding_map_figure(points_2d: np.ndarray, labels: Sequence[Any], title: str = ""):
    """Scatter of 2-D embedded points (e.g. t-SNE of motion embeddings), one colour per label, with a legend.

    Returns
    -------
    matplotlib.figure.Figure
    """
    points = np.asarray(points_2d, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 2 or len(points) != len(labels):
        raise ValueError(f"points_2d must have shape (N, 2) with N = len(labels), got {points.shape}")
    fig = _figure((6, 5))
    ax = fig.add_subplot()
    names = list(dict.fromkeys(str(label) for label in labels))  # first-seen order
    cmap = _cmap("tab10" if len(names) <= 10 else "tab20")
    text = np.array([str(label) for label in labels])
    for i, name in enumerate(names):
        sel = text == name
        ax.scatter(points[sel, 0], points[sel, 1], s=18, color=cmap(i % cmap.N), label=name, alpha=0.85)
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    if names:
        ax.legend(loc="best", fontsize=8, markerscale=1.5)
    return fig


def _cmap(name: str):
    from matplotlib import colormaps

    return colormaps[name]


def figure_svg(fig) -> str:
    """The figure as an ``<svg>`` element to inline in HTML (text drawn as paths: no font needed)."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    svg = buf.getvalue()
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.S)  # creator links and dates: not needed
    return svg[svg.index("<svg"):]


def figure_png(fig, dpi: int = 110) -> bytes:
    """The figure as PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def save_figure(fig, path: str | Path) -> Path:
    """Save as .png or .svg (by suffix), atomically."""
    out = Path(path)
    kind = out.suffix.lower().lstrip(".")
    if kind not in ("png", "svg"):
        raise ValueError(f"save_figure writes .png or .svg, not {out.name}")
    with atomic_output(out) as tmp:
        fig.savefig(tmp, format=kind, dpi=120)
    return out
