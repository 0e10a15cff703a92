"""One self-contained HTML report of a comparison: opens from disk with no network (inline CSS and JS, images
as base64 JPEG or inline SVG, the feedback video as a data URI). Every user string is HTML-escaped."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from html import escape
from pathlib import Path
from typing import Any

import numpy as np

from ..atomic import atomic_output
from ..errors import MissingExtraError
from ..pose import PoseSequence
from ..skeleton import BODY_PARTS, PART_LABELS
from ._report_page import PAGE, explanation
from .colors import score_hex
from .timeline import frame_alignment, least_similar_moments, physical_part_scores
from .video import Background, encode_image, output_fps, pose_thumbnail


def write_report(
    result: Mapping[str, Any],
    seq_a: PoseSequence,
    seq_b: PoseSequence,
    out_path: str | Path,
    *,
    video_a: str | Path | None = None,
    video_b: str | Path | None = None,
    feedback_video: str | Path | None = None,
    threshold: float = 0.4,
    name_a: str = "A",
    name_b: str = "B",
    backgrounds: Mapping[tuple[str, int], Background | None] | None = None,
) -> Path:
    """Write the report: scores and what they mean, the per-part timeline, the least similar moments (with a
    coloured thumbnail of A and of B each) and the feedback video, all in one HTML file.

    Parameters
    ----------
    result : ``compare(...).to_dict()`` of A against B
    seq_a, seq_b : the compared poses; video_a, video_b : their videos (thumbnails use a canvas without one)
    feedback_video : an mp4 from `render_feedback_video` to embed, or None
    threshold : the score that separates similar (green) from different (red)
    name_a, name_b : how the report names the two motions (escaped)
    backgrounds : the video frames of `moment_frames` kept by `render_feedback_video`'s pass; a thumbnail
        without one seeks in its video

    Returns
    -------
    the output path (written atomically)
    """
    fps_a = output_fps(seq_a, result)
    body = {
        "title": escape(f"{name_a} vs {name_b}"),
        "name_a": escape(name_a),
        "name_b": escape(name_b),
        "summary": _summary(result, threshold),
        "explanation": explanation(result, threshold, escape(name_a), escape(name_b)),
        "timeline": _timeline(result, threshold),
        "moments": _moments(result, seq_a, seq_b, video_a, video_b, threshold, fps_a, feedback_video is not None,
                            escape(name_a), escape(name_b), backgrounds or {}),
        "video": _video(feedback_video),
        "details": _details(result, name_a, name_b, video_a, video_b),
    }
    html = PAGE.format(**body)
    out = Path(out_path)
    with atomic_output(out) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return out


def _verdict(score: float, threshold: float) -> str:
    return "similar" if score >= threshold else "different"


def _bar(score: float, threshold: float) -> str:
    width = max(0.0, min(100.0, (score + 1) * 50))
    mark = max(0.0, min(100.0, (threshold + 1) * 50))
    return (f'<div class="bar"><div class="fill" style="width:{width:.1f}%;background:{score_hex(score, threshold)}">'
            f'</div><div class="mark" style="left:{mark:.1f}%"></div></div>')


def _summary(result: Mapping[str, Any], threshold: float) -> str:
    overall = float(result["similarity"])
    rows = []
    for part in BODY_PARTS:
        s = float(result["body_parts"][part])
        rows.append(f'<tr><th scope="row">{escape(PART_LABELS[part])}</th><td>{_bar(s, threshold)}</td>'
                    f'<td class="num">{s:+.2f}</td><td class="verdict {_verdict(s, threshold)}">'
                    f"{_verdict(s, threshold)}</td></tr>")
    return (f'<div class="overall" style="border-color:{score_hex(overall, threshold)}">'
            f'<div class="big" id="overall-score">{overall:.2f}</div><div>overall similarity</div>'
            f'<div class="verdict {_verdict(overall, threshold)}">{_verdict(overall, threshold)} overall</div></div>'
            f'<table class="parts"><thead><tr><th>body part</th><th>score (&minus;1 to 1, tick = threshold)</th>'
            f'<th>score</th><th></th></tr></thead><tbody>{"".join(rows)}</tbody></table>')


def _timeline(result: Mapping[str, Any], threshold: float) -> str:
    if not result.get("windows"):
        return "<p>This comparison has no per-window timeline (it was run without one).</p>"
    try:
        from .plots import figure_svg, timeline_figure

        svg = figure_svg(timeline_figure(result, threshold))
    except MissingExtraError:
        return "<p>The timeline plot needs matplotlib: <code>pip install 'motionsim[plot]'</code>.</p>"
    return f'<figure class="plot">{svg}</figure>'


def _data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


MOMENTS = 3  # least similar moments shown


def moment_frames(result: Mapping[str, Any], n_a: int, n_b: int) -> list[tuple[int, int]]:
    """(frame of A, matched frame of B) at the centre of each least similar moment the report shows."""
    align = frame_alignment(result, n_a, n_b)
    centres = [min((m["start_frame"] + m["end_frame"] - 1) // 2, n_a - 1)
               for m in least_similar_moments(result, k=MOMENTS)]
    return [(c, int(align[c])) for c in centres]


def _thumbnail(seq, index, parts, video, threshold, kept: Background | None) -> np.ndarray:
    if kept is not None:
        return kept.thumbnail(seq, index, parts, threshold)
    return pose_thumbnail(seq, index, parts, video=video, threshold=threshold)


def _moments(result, seq_a, seq_b, video_a, video_b, threshold, fps_a, has_video, name_a, name_b,
             backgrounds) -> str:
    moments = least_similar_moments(result, k=MOMENTS)
    if not moments:
        return "<p>No per-window timeline, so no moments to show.</p>"
    flipped = bool(result.get("flipped", False))
    cards = []
    for rank, (m, (centre_a, centre_b)) in enumerate(zip(moments, moment_frames(result, len(seq_a), len(seq_b))), 1):
        parts = {p: float(s) for p, s in m["body_parts"].items()}
        thumb_a = _thumbnail(seq_a, centre_a, physical_part_scores(parts, flipped), video_a, threshold,
                             backgrounds.get(("a", centre_a)))
        thumb_b = _thumbnail(seq_b, centre_b, parts, video_b, threshold, backgrounds.get(("b", centre_b)))
        worst = m["worst_part"]
        start, end = m["start_frame"] / fps_a, m["end_frame"] / fps_a
        seek = (f'<button type="button" class="seek" data-seek="{start:.3f}">play this moment in the video'
                "</button>") if has_video else ""
        part_list = "".join(
            f'<li><span class="dot" style="background:{score_hex(s, threshold)}"></span>'
            f'{escape(PART_LABELS[p])} {s:+.2f}</li>' for p, s in parts.items())
        cards.append(
            f'<article class="moment"><h3>#{rank}: {start:.1f}&ndash;{end:.1f} s of {name_a} '
            f'(frames {m["start_frame"]}&ndash;{m["end_frame"] - 1}), similarity {m["similarity"]:+.2f}</h3>'
            f'<p>Least similar part here: <strong>{escape(PART_LABELS[worst])}</strong> '
            f'({parts[worst]:+.2f}).</p><div class="thumbs">'
            f'<figure><img alt="{name_a} at frame {centre_a}" src="{_data_uri(encode_image(thumb_a), "image/jpeg")}">'
            f"<figcaption>{name_a}, frame {centre_a}</figcaption></figure>"
            f'<figure><img alt="{name_b} at frame {centre_b}" src="{_data_uri(encode_image(thumb_b), "image/jpeg")}">'
            f"<figcaption>{name_b}, frame {centre_b} (matched)</figcaption></figure></div>"
            f'<ul class="partlist">{part_list}</ul>{seek}</article>')
    return "".join(cards)


def _video(path: str | Path | None) -> str:
    if path is None:
        return ("<p>No feedback video was rendered for this report. <code>render_feedback_video</code> makes one "
                "(A and B side by side, each body part coloured by its score).</p>")
    data = Path(path).read_bytes()
    return (f'<video id="feedback" controls muted playsinline preload="auto" '
            f'src="{_data_uri(data, "video/mp4")}"></video>'
            f'<p class="note">The video is embedded in this file ({len(data) / 1e6:.1f} MB) so the report works '
            "offline. Left: A with its part scores at each moment; right: the matching moment of B. The strip at "
            "the bottom shows the whole timeline.</p>")


def _details(result: Mapping[str, Any], name_a: str, name_b: str, video_a, video_b) -> str:
    frames = result.get("frames") or {}
    items = [
        ("A", name_a + (f" ({Path(video_a).name})" if video_a else "")),
        ("B", name_b + (f" ({Path(video_b).name})" if video_b else "")),
        ("frames", f"A {frames.get('a', '?')}, B {frames.get('b', '?')}"),
        ("window / stride", f"{result.get('window', '?')} / {result.get('stride', '?')} frames"),
        ("model", str(result.get("model") or "?")),
        ("body flip", "A mirrored" if result.get("flipped") else "no"),
    ]
    return "".join(f"<dt>{escape(k)}</dt><dd>{escape(str(v))}</dd>" for k, v in items)
