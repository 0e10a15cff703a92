"""`motionsim compare --video --report` on the real Sports2D demo video, through the console entry point."""

import base64
import io
import json
import re

import numpy as np
import pytest

from helpers import demo_video
from helpers import run_cli as run
from motionsim.cli import main
from motionsim.io import load_pose
from motionsim.render.colors import score_color
from motionsim.render.frames import PART_BONES
from motionsim.render.panels import Panel
from motionsim.render.timeline import frame_part_scores
from motionsim.skeleton import BODY_PARTS

pytest.importorskip("mediapipe")
av = pytest.importorskip("av")


@pytest.fixture(scope="module")
def feedback(tmp_path_factory):
    """A: the demo video (the man on the box); B: the woman walking, as extracted keypoints (no video)."""
    video = demo_video()
    tmp = tmp_path_factory.mktemp("feedback")
    walker = tmp / "walker.json"
    assert main(["extract", str(video), "-o", str(walker), "--person", "1"], out=io.StringIO()) == 0
    out = io.StringIO()
    code = main(["compare", str(video), str(walker), "--person", "0", "--video", str(tmp / "fb.mp4"),
                 "--report", str(tmp / "fb.html"), "--out", str(tmp / "r.json")], out=out)
    assert code == 0
    return video, walker, tmp, json.loads((tmp / "r.json").read_text()), out.getvalue()


def test_feedback_video_has_every_frame_of_a_in_h264(feedback):
    video, _, tmp, result, text = feedback
    assert "wrote" in text and str(tmp / "fb.mp4") in text
    with av.open(str(tmp / "fb.mp4")) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264" and stream.codec_context.pix_fmt == "yuv420p"
        n = sum(1 for _ in container.decode(stream))
    assert n == result["frames"]["a"] == 230


def test_rendered_part_colours_match_the_scores(feedback):
    video, _, tmp, result, _ = feedback
    seq_a = load_pose(str(video), person=0)  # from the pose cache: the poses the video was drawn with
    scores = frame_part_scores(result, len(seq_a))
    panel = Panel(seq_a, 480, video=video)
    checked = 0
    with av.open(str(tmp / "fb.mp4")) as container:
        for i, frame in enumerate(container.decode(video=0)):
            if i not in (60, 120):
                continue
            image = frame.to_ndarray(format="bgr24")
            for part in BODY_PARTS[:4]:
                a, b = PART_BONES[part][1]  # forearm / shin
                if min(seq_a.scores[i, a], seq_a.scores[i, b]) <= 0:
                    continue
                x, y = np.rint((panel.points(i)[a] + panel.points(i)[b]) / 2).astype(int)
                got = np.median(image[y - 1:y + 2, x - 1:x + 2].reshape(-1, 3), axis=0)
                expected = np.array(score_color(scores[i, BODY_PARTS.index(part)]))
                assert np.abs(got - expected).max() < 45, (i, part, got, expected)
                checked += 1
    panel.close()
    assert checked >= 6


def test_report_is_one_file_with_scores_and_the_video(feedback):
    _, _, tmp, result, _ = feedback
    html = (tmp / "fb.html").read_text(encoding="utf-8")
    assert f"{result['similarity']:.2f}" in html
    assert not re.search(r"""(src|href)=["']https?://""", html)
    embedded = re.search(r'data:video/mp4;base64,([A-Za-z0-9+/=]+)', html)
    assert embedded and base64.b64decode(embedded.group(1)) == (tmp / "fb.mp4").read_bytes()


@pytest.mark.parametrize("option", ["--video", "--report"])
def test_bad_input_leaves_no_output(option, tmp_path, capsys):
    good = tmp_path / "good.npy"
    from helpers import make_motion

    np.save(good, make_motion(48))
    bad = tmp_path / "bad.mp4"
    bad.write_text("not a video")
    target = tmp_path / ("o.mp4" if option == "--video" else "o.html")
    code, _, err = run(["compare", str(bad), str(good), option, str(target)], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1
    code, _, err = run(["compare", str(good), str(good), option, str(tmp_path / "o.txt")], capsys)
    assert code == 2 and "expected a" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.mp4", "good.npy"]
