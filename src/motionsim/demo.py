"""`motionsim demo`: compare a bundled reference motion with bundled candidates, offline, in a second.

The example motions in ``motionsim/data/demo/`` are NTU-format JSON files rendered by the synthetic
generator (``motionsim synth``): a reference performance and candidates that differ from it in known ways
(another body and camera, a variation of the same move, a different move, a mirror image).
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from .errors import MotionsimError
from .model.runtime import resolve_model
from .similarity import compare
from .skeleton import BODY_PARTS, PART_SHORT_LABELS


def demo_dir() -> Path:
    return Path(str(resources.files("motionsim") / "data" / "demo"))


def run_demo(model: str | None = None, backend: str = "auto") -> str:
    """Rank the bundled candidates by similarity to the reference; returns the report text."""
    folder = demo_dir()
    manifest_path = folder / "manifest.json"
    if not manifest_path.is_file():
        raise MotionsimError(f"{folder}: demo data missing (reinstall motionsim)")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    ckpt = resolve_model(model, backend)
    reference = folder / manifest["reference"]["file"]
    lines = [f"reference: {manifest['reference']['description']}  [{reference.name}]",
             f"model: {ckpt.name}", "",
             f"{'candidate':<48} {'overall':>7} " + " ".join(f"{PART_SHORT_LABELS[p]:>6}" for p in BODY_PARTS)]
    results = []
    for cand in manifest["candidates"]:
        result = compare(reference, folder / cand["file"], model=ckpt, stride=4, flip=cand.get("flip", False),
                         timeline=False)
        results.append((result.similarity, cand, result))
    for score, cand, result in sorted(results, key=lambda r: -r[0]):
        label = cand["description"] + (" (body flip)" if result.flipped else "")
        lines.append(f"{label:<48} {score:>+7.3f} "
                     + " ".join(f"{result.body_parts[p]:>+6.3f}" for p in BODY_PARTS))
    lines += ["", "Scores are cosines in [-1, 1] (1 = same motion). Try: motionsim compare A B --json"]
    return "\n".join(lines) + "\n"
