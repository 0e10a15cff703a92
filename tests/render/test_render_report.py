import base64
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from render_helpers import comparison

from motionsim.render.report import write_report
from motionsim.render.video import render_feedback_video

CHROMIUM = "/usr/bin/chromium"
EXTERNAL = re.compile(  # an attribute or CSS url() that loads from the network
    r"""(?:src|href|poster|action)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//|@import""", re.I)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    seq_a, seq_b, result = comparison()
    video = render_feedback_video(seq_a, seq_b, result, folder / "feedback.mp4", progress=False)
    out = write_report(result, seq_a, seq_b, folder / "report.html", feedback_video=video,
                       name_a="wave <take 1>", name_b="kick & co")
    return out, result, video


def test_report_is_self_contained_with_scores_and_video(report):
    out, result, video = report
    html = out.read_text(encoding="utf-8")
    assert not EXTERNAL.search(html)
    assert "<link rel=\"stylesheet\"" not in html and "<script src" not in html
    assert f">{result['similarity']:.2f}<" in html
    for part, score in result["body_parts"].items():
        assert part.replace("_", " ") in html and f"{score:+.2f}" in html
    assert "cosine" in html and "threshold" in html
    match = re.search(r'<video[^>]*src="data:video/mp4;base64,([^"]+)"', html)
    assert match and base64.b64decode(match.group(1)) == video.read_bytes()
    assert html.count("data:image/jpeg;base64,") >= 2  # a thumbnail of A and of B per moment
    assert "<svg" in html  # the timeline


def test_user_strings_are_escaped(report):
    html = report[0].read_text(encoding="utf-8")
    assert "wave <take 1>" not in html and "wave &lt;take 1&gt;" in html
    assert "kick & co" not in html and "kick &amp; co" in html


def test_report_without_video_and_flipped(tmp_path):
    seq_a, seq_b, result = comparison()
    result["flipped"] = True
    out = write_report(result, seq_a, seq_b, tmp_path / "r.html", name_a="<b>")
    html = out.read_text(encoding="utf-8")
    assert "<video" not in html and "No feedback video" in html
    assert "mirror image" in html and "<b>" not in html


def test_failed_report_leaves_nothing(tmp_path):
    seq_a, seq_b, result = comparison()
    with pytest.raises(FileNotFoundError):
        write_report(result, seq_a, seq_b, tmp_path / "r.html", feedback_video=tmp_path / "missing.mp4")
    assert list(tmp_path.iterdir()) == []


def test_report_in_a_real_browser(report, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        pytest.skip(f"{CHROMIUM} is not installed")
    out, result, _ = report
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(out.resolve().as_uri())
            assert page.inner_text("#overall-score").strip() == f"{result['similarity']:.2f}"
            video = page.evaluate("""async () => {
                const v = document.getElementById("feedback");
                if (v.readyState < 2) {
                    await new Promise((ok, bad) => { v.addEventListener("loadeddata", ok, {once: true});
                                                     v.addEventListener("error", bad, {once: true}); });
                }
                await v.play();
                v.pause();
                return {readyState: v.readyState, width: v.videoWidth, height: v.videoHeight};
            }""")
            assert video["readyState"] >= 2 and video["width"] > 0 and video["height"] == 480
            page.click("button.seek >> nth=0")
            page.wait_for_timeout(300)
            shot = tmp_path / "report.png"
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert errors == []
    import cv2

    image = cv2.imread(str(shot))
    assert image is not None and image.shape[0] > 900 and float(np.std(image)) > 20
