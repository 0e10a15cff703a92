"""Regenerate the demo motions bundled in src/motionsim/data/demo/ (NTU refined JSON, pixel units).

    .venv/bin/python tools/make_demo_data.py

A reference squat and candidates that differ from it in known ways, rendered by the synthetic generator
on held-out characters, with a little joint jitter so they look like pose-estimator output.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from motionsim.io import save_pose
from motionsim.pose import PoseSequence
from motionsim.synth.camera import View
from motionsim.synth.sampler import render

OUT = Path(__file__).resolve().parents[1] / "src" / "motionsim" / "data" / "demo"

CLIPS = [
    # file, description, motion, values, character, view (pitch, yaw), flip
    ("reference.json", "squat (reference)", "squat", (0, 0, 0), "nora", (0.0, 0.3), False),
    ("squat_other_body_view.json", "same squat, another body and camera", "squat", (0, 0, 0), "omar",
     (0.15, -0.9), False),
    ("squat_deep_wide.json", "deeper, wider squat", "squat", (1, 1, 0), "nora", (0.0, 0.3), False),
    ("lunge.json", "lunge", "lunge", (0, 0, 0), "petra", (0.0, 0.6), False),
    ("jumping_jack.json", "jumping jack", "jumping_jack", (0, 0, 0), "quinn", (0.0, -0.2), False),
    ("punch_right.json", "right punch", "punch_right", (0, 0, 0), "ravi", (0.0, 0.2), False),
    ("wave_right.json", "right-hand wave", "wave_right", (0, 0, 0), "mateo", (0.0, 0.0), False),
]


def to_pixels(points: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Metres (y down) -> a 1920x1080 frame, ~500 px tall person, 1.5 px joint jitter."""
    px = points * 300.0 + np.array([960.0, 700.0])
    return px + rng.normal(scale=1.5, size=px.shape)


def main() -> None:
    rng = np.random.default_rng(0)
    OUT.mkdir(parents=True, exist_ok=True)
    manifest = {"reference": None, "candidates": []}
    for file, description, motion, values, character, (pitch, yaw), flip in CLIPS:
        points = to_pixels(render(motion, values, character, View(pitch=pitch, yaw=yaw)), rng)
        seq = PoseSequence(points, np.full(points.shape[:2], 0.9, np.float32), fps=30.0, source=file)
        save_pose(seq, OUT / file)
        entry = {"file": file, "description": description, "motion": motion, "values": list(values),
                 "character": character, "view": {"pitch": pitch, "yaw": yaw}, "flip": flip}
        if manifest["reference"] is None:
            manifest["reference"] = entry
        else:
            manifest["candidates"].append(entry)
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
