"""The report of everyone in a group against one reference: one self-contained HTML file (no network) with the
per-person table (overall and the five parts, the best and the weakest marked), each scored person's timeline
and the group's feedback video. Every user string is HTML-escaped."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from html import escape
from pathlib import Path
from typing import Any

from ..errors import MissingExtraError
from ..pose import PoseSequence
from ..skeleton import BODY_PARTS, PART_LABELS
from ._report_page import explanation
from .colors import score_hex

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; margin: 0;
  background: #f4f5f7; color: #1d1f23; line-height: 1.45; }
main { max-width: 1100px; margin: 0 auto; padding: 24px; }
h1 { font-size: 1.6rem; margin: 0 0 16px; } h2 { font-size: 1.2rem; margin: 0 0 12px; }
h3 { font-size: 1rem; margin: 12px 0 4px; }
section { background: #fff; border-radius: 10px; padding: 18px 22px; margin-bottom: 18px;
  box-shadow: 0 1px 3px rgba(0,0,0,.08); }
table.people { border-collapse: collapse; width: 100%; }
table.people th, table.people td { padding: 6px 10px; text-align: right; border-bottom: 1px solid #eee; }
table.people th:first-child, table.people td:first-child { text-align: left; }
.num { font-variant-numeric: tabular-nums; font-weight: 600; }
.cell { color: #fff; border-radius: 4px; padding: 2px 6px; }
.mark { font-weight: 700; } .mark.best { color: #157a3c; } .mark.weakest { color: #b42318; }
.short { color: #666; text-align: left !important; }
.plot svg { width: 100%; height: auto; }
video { width: 100%; max-height: 70vh; background: #000; border-radius: 6px; }
.note { font-size: .9rem; color: #555; }
"""


def _cell(score: float, threshold: float) -> str:
    return f'<span class="cell num" style="background:{score_hex(score, threshold)}">{score:+.2f}</span>'


def people_table(people: list[Mapping[str, Any]], threshold: float) -> str:
    """The per-person table as HTML (ids, frames, overall and part scores; best and weakest marked)."""
    scored = [p for p in people if "similarity" in p]
    best = max(scored, key=lambda p: (p["similarity"], -p["person"]))["person"] if scored else None
    weakest = min(scored, key=lambda p: (p["similarity"], p["person"]))["person"] if len(scored) > 1 else None
    head = "".join(f"<th>{escape(PART_LABELS[p])}</th>" for p in BODY_PARTS)
    rows = []
    for p in people:
        frames = f"{p['first_frame']}&ndash;{p['last_frame']} ({p['frames_present']})"
        if "similarity" not in p:
            rows.append(f'<tr data-person="{p["person"]}"><td>#{p["person"]}</td><td>{frames}</td>'
                        f'<td class="short" colspan="{len(BODY_PARTS) + 2}">{escape(p.get("error", ""))}</td></tr>')
            continue
        mark = ('<span class="mark best">best</span>' if p["person"] == best else
                '<span class="mark weakest">weakest</span>' if p["person"] == weakest else "")
        parts = "".join(f"<td>{_cell(p['body_parts'][q], threshold)}</td>" for q in BODY_PARTS)
        rows.append(f'<tr data-person="{p["person"]}"><td>#{p["person"]}</td><td>{frames}</td>'
                    f'<td>{_cell(p["similarity"], threshold)}</td>{parts}<td>{mark}</td></tr>')
    return (f'<table class="people"><thead><tr><th>person</th><th>frames (first&ndash;last, seen)</th>'
            f'<th>overall</th>{head}<th></th></tr></thead><tbody>{"".join(rows)}</tbody></table>')


def _timelines(people: list[Mapping[str, Any]], threshold: float, side: str, reference_name: str) -> str:
    scored = [p for p in people if "similarity" in p]
    if not scored:
        return "<p>Nobody was seen long enough to score.</p>"
    try:
        from .plots import figure_svg, timeline_figure
    except MissingExtraError:  # pragma: no cover - matplotlib is part of the plot extra
        return "<p>The timelines need matplotlib: <code>pip install 'motionsim[plot]'</code>.</p>"
    over = (f"over the time of {escape(reference_name)} (the reference, A)" if side == "b"
            else "over the person's own time, from their first frame")
    parts = [f'<p class="note">Each person\'s part scores {over}.</p>']
    for p in scored:
        try:
            svg = figure_svg(timeline_figure(p, threshold))
        except MissingExtraError:
            return "<p>The timelines need matplotlib: <code>pip install 'motionsim[plot]'</code>.</p>"
        parts.append(f'<h3 id="timeline-{p["person"]}">Person #{p["person"]} (overall {p["similarity"]:+.2f})</h3>'
                     f'<figure class="plot">{svg}</figure>')
    return "".join(parts)


def write_people_report(
    result: Mapping[str, Any],
    group: Mapping[int, PoseSequence],
    reference: PoseSequence,
    out_path: str | Path,
    *,
    side: str = "b",
    feedback_video: str | Path | None = None,
    threshold: float = 0.4,
    group_name: str = "everyone",
    reference_name: str = "reference",
) -> Path:
    """Write the group's report to ``out_path`` (the caller makes it atomic) and return the path."""
    people = list(result["people"])
    scored = [p for p in people if "similarity" in p]
    g, r = escape(group_name), escape(reference_name)
    names = (g, r) if side == "a" else (r, g)
    text = explanation(scored[0], threshold, *names) if scored else ""
    video = ""
    if feedback_video is not None and Path(feedback_video).is_file():
        data = base64.b64encode(Path(feedback_video).read_bytes()).decode("ascii")
        video = (f'<section><h2>Feedback video</h2><video id="feedback" controls muted playsinline preload="auto" '
                 f'src="data:video/mp4;base64,{data}"></video><p class="note">Left: {g}, every person labelled with '
                 f"their id and score at that moment, parts coloured by their score; right: {r}, at the moment "
                 "matched by the best-scoring person.</p></section>")
    first = scored[0] if scored else {}
    details = (f"<p class=\"note\">{len(people)} people in {g} ({len(scored)} scored), {len(reference)} frames "
               f"in {r}; model {escape(str(first.get('model', '?')))}, window {first.get('window', '?')}, stride "
               f"{first.get('stride', '?')}. Frames count from the first frame of {g}.</p>")
    html = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
            f'content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">'
            f"<title>Everyone in {g} against {r}</title><style>{STYLE}</style></head><body><main>"
            f"<h1>Everyone in <em>{g}</em> against <em>{r}</em></h1>"
            f"<section><h2>Per person</h2>{people_table(people, threshold)}{details}</section>"
            f"<section><h2>What the numbers mean</h2>{text}</section>"
            f"<section><h2>Each person over time</h2>{_timelines(people, threshold, side, reference_name)}</section>"
            f"{video}</main></body></html>")
    out = Path(out_path)
    out.write_text(html, encoding="utf-8")
    return out
