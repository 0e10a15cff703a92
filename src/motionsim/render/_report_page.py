"""The report's page template and its plain-language text (kept apart from the code that fills them in)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..skeleton import BODY_PARTS, PART_LABELS
from .timeline import physical_part_scores


def _overall_text(result: Mapping[str, Any]) -> str:
    """How the overall score was formed from the part scores, with this comparison's weights."""
    weights = result.get("part_weights") or {}
    if not weights or max(weights.values()) - min(weights.values()) < 1e-9:
        return "The overall score is the mean of the five parts."
    shown = physical_part_scores(weights, bool(result.get("flipped")))
    parts = ", ".join(f"{PART_LABELS[p]} {100 * shown[p]:.0f}&nbsp;%" for p in BODY_PARTS)
    return ("The overall score weighs each part by how much it moves in the two motions (here: "
            f"{parts}): a part that hardly moves says little about what the motion is.")


def explanation(result: Mapping[str, Any], threshold: float, name_a: str, name_b: str) -> str:
    """What the scores mean, in plain words (names already escaped)."""
    window, stride = result.get("window", 32), result.get("stride", 8)
    text = [
        f"<p>Each score compares how one body part moves in <em>{name_a}</em> and in <em>{name_b}</em>. A neural "
        "network turns short clips of each part's motion into vectors; a score is the <strong>cosine</strong> of "
        "two such vectors, from &minus;1 to 1. <strong>1</strong> means the same motion, whatever the body "
        "size, position or distance to the camera; around <strong>0</strong> means unrelated motions; below 0, "
        f"the parts move in opposite ways. {_overall_text(result)}</p>",
        f"<p>Parts scoring at least <strong>{threshold:g}</strong> (the threshold) are drawn green, lower ones "
        "red, with yellow at the threshold. The threshold is the one used for dance feedback in the BPE paper: "
        "a guide for where to look, not a calibrated pass mark.</p>",
        f"<p>The motions are cut into clips of {window} frames every {stride} frames and lined up in time "
        f"(dynamic time warping), so a slower or later performance is compared with the matching moment of the "
        "other one.</p>",
    ]
    if result.get("flipped"):
        text.append(f"<p><strong>{name_a} was compared as its mirror image</strong> (left and right swapped), "
                    f"because that matched {name_b} better: {name_a}'s left arm is compared with "
                    f"{name_b}'s right arm, and so on. Colours and names in the pictures follow the body as "
                    "filmed.</p>")
    padded = result.get("padded") or {}
    if any(padded.values()):
        text.append(f"<p>A motion shorter than {window} frames was padded by holding its last pose; its "
                    "scores are less reliable.</p>")
    return "".join(text)


PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>Motion similarity: {title}</title>
<style>
:root {{ color-scheme: light; }}
body {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; margin: 0;
  background: #f4f5f7; color: #1d1f23; line-height: 1.45; }}
main {{ max-width: 1100px; margin: 0 auto; padding: 24px; }}
h1 {{ font-size: 1.6rem; margin: 0 0 16px; }}
h2 {{ font-size: 1.2rem; margin: 0 0 12px; }}
h3 {{ font-size: 1rem; margin: 0 0 6px; }}
section {{ background: #fff; border-radius: 10px; padding: 18px 22px; margin-bottom: 18px;
  box-shadow: 0 1px 3px rgba(0,0,0,.08); }}
.summary {{ display: flex; gap: 28px; align-items: center; flex-wrap: wrap; }}
.overall {{ border: 6px solid; border-radius: 12px; padding: 12px 26px; text-align: center; min-width: 150px; }}
.big {{ font-size: 3rem; font-weight: 700; line-height: 1.1; }}
.parts {{ border-collapse: collapse; flex: 1; min-width: 420px; }}
.parts th, .parts td {{ padding: 5px 10px; text-align: left; }}
.parts thead th {{ font-size: .8rem; color: #666; font-weight: 500; }}
.parts tbody th {{ font-weight: 600; white-space: nowrap; }}
.num {{ font-variant-numeric: tabular-nums; font-weight: 600; }}
.bar {{ position: relative; height: 14px; background: #e5e7eb; border-radius: 7px; min-width: 200px; }}
.fill {{ height: 100%; border-radius: 7px; }}
.mark {{ position: absolute; top: -3px; width: 2px; height: 20px; background: #333; }}
.verdict {{ font-weight: 600; }}
.verdict.similar {{ color: #157a3c; }}
.verdict.different {{ color: #b42318; }}
.plot svg {{ width: 100%; height: auto; }}
figure {{ margin: 0; }}
.moment {{ border-top: 1px solid #e5e7eb; padding: 14px 0; }}
.moment:first-of-type {{ border-top: none; padding-top: 0; }}
.thumbs {{ display: flex; gap: 12px; flex-wrap: wrap; }}
.thumbs img {{ height: 240px; border-radius: 6px; display: block; }}
figcaption {{ font-size: .85rem; color: #555; margin-top: 3px; }}
.partlist {{ list-style: none; padding: 0; display: flex; gap: 16px; flex-wrap: wrap; font-size: .9rem; }}
.dot {{ display: inline-block; width: 11px; height: 11px; border-radius: 50%; margin-right: 5px;
  vertical-align: -1px; }}
button.seek {{ font: inherit; padding: 6px 12px; border-radius: 6px; border: 1px solid #999; background: #fff;
  cursor: pointer; }}
video {{ width: 100%; max-height: 70vh; background: #000; border-radius: 6px; }}
.note {{ font-size: .9rem; color: #555; }}
dl {{ display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }}
dt {{ color: #666; }}
dd {{ margin: 0; }}
</style>
</head>
<body>
<main>
<h1>How similar is <em>{name_a}</em> to <em>{name_b}</em>?</h1>
<section class="summary">{summary}</section>
<section><h2>What the numbers mean</h2>{explanation}</section>
<section><h2>Each body part over time</h2>{timeline}</section>
<section><h2>Least similar moments</h2>{moments}</section>
<section><h2>Feedback video</h2>{video}</section>
<section><h2>Details</h2><dl>{details}</dl></section>
</main>
<script>
document.querySelectorAll("button.seek").forEach(function (button) {{
  button.addEventListener("click", function () {{
    var video = document.getElementById("feedback");
    if (!video) {{ return; }}
    video.currentTime = parseFloat(button.dataset.seek);
    video.scrollIntoView({{ behavior: "smooth", block: "center" }});
    var playing = video.play();
    if (playing && playing.catch) {{ playing.catch(function () {{}}); }}
  }});
}});
</script>
</body>
</html>
"""
