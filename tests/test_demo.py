import io
import json

from motionsim.cli import main
from motionsim.demo import demo_dir


def test_demo_runs_offline_and_lists_every_candidate():
    out = io.StringIO()
    assert main(["demo"], out=out) == 0
    text = out.getvalue()
    manifest = json.loads((demo_dir() / "manifest.json").read_text())
    for cand in manifest["candidates"]:
        assert cand["description"] in text
    assert "overall" in text and "R arm" in text


def test_demo_files_are_readable_keypoints():
    from motionsim.io import load_pose

    manifest = json.loads((demo_dir() / "manifest.json").read_text())
    for entry in [manifest["reference"], *manifest["candidates"]]:
        seq = load_pose(demo_dir() / entry["file"])
        assert len(seq) >= 32 and seq.fps == 30.0
