"""What the page draws under the feedback video: per-frame part colours (downsampled), the least similar
moments and the legend, computed once per job from the result with the renderer's own functions, so the page
and the video use the same scale."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..render import frame_part_scores, least_similar_moments, legend, score_hex
from ..skeleton import BODY_PARTS, PART_LABELS

MAX_COLUMNS = 600
DEFAULT_FPS = 30.0


def page_timeline(result: Mapping[str, Any], threshold: float, fps: float | None) -> dict[str, Any]:
    """JSON for the page: ``columns`` of (first frame, colours and scores per part) over A's frames."""
    n_a = int(result["frames"]["a"])
    fps = float(fps) if fps and fps > 0 else DEFAULT_FPS
    scores = frame_part_scores(result, n_a)
    step = max(1, int(np.ceil(n_a / MAX_COLUMNS)))
    columns = []
    for start in range(0, n_a, step):
        block = scores[start:start + step].mean(axis=0)
        columns.append({"frame": start,
                        "scores": [round(float(s), 4) for s in block],
                        "colors": [score_hex(float(s), threshold) for s in block]})
    moments = [{"start_frame": m["start_frame"], "end_frame": m["end_frame"],
                "matched_start_frame": m["matched_start_frame"], "similarity": m["similarity"],
                "worst_part": m["worst_part"], "worst_score": m["body_parts"][m["worst_part"]],
                "start_s": m["start_frame"] / fps}
               for m in least_similar_moments(result, k=3)]
    return {"frames": n_a, "fps": fps, "step": step, "threshold": threshold,
            "parts": list(BODY_PARTS), "labels": [PART_LABELS[p] for p in BODY_PARTS],
            "flipped": bool(result.get("flipped")), "columns": columns, "moments": moments,
            "colors": {"overall": score_hex(result["similarity"], threshold),
                       **{p: score_hex(s, threshold) for p, s in result["body_parts"].items()}},
            "legend": [{"score": s, "label": label, "color": score_hex(s, threshold)}
                       for s, label, _ in legend(threshold)]}
