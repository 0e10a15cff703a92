"""The page in a real browser: `motionsim serve` on a free local port, Debian's headless Chromium driven by
Playwright. Uploads the Sports2D demo video and a keypoint file, waits for the result, checks the scores
against the API and `compare --json`, plays the feedback video, seeks from the timeline, shows a bad upload's
error, and saves a screenshot. With a token (finding 8 of issue 26): the first visit with ?token= sets an
HttpOnly SameSite=Strict cookie and lands on the clean address, the page works, a visit without it is refused,
delete asks for confirmation, and the page refuses to be framed."""

from __future__ import annotations

import contextlib
import io
import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from web_helpers import wait_until_served

from helpers import demo_video
from motionsim.cli import main
from motionsim.evaluate.toy import make_motion
from motionsim.io import save_pose

sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).is_file(), reason="Debian chromium is not installed "
                                "(make test installs it)")


@contextlib.contextmanager
def serve(state: Path, *options: str):
    """`motionsim serve --port 0` in a subprocess on 127.0.0.1; yields the address it prints (bounded wait)."""
    proc = subprocess.Popen([sys.executable, "-m", "motionsim", "serve", "--port", "0", "--state", str(state),
                             *options], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
    try:
        line = lines.get(timeout=30)
        assert "serving on http://127.0.0.1:" in line, line
        url = line.split("serving on ", 1)[1].split()[0]
        wait_until_served(url.split("?")[0] + "openapi.json")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def server(tmp_path: Path):
    with serve(tmp_path / "state") as url:
        yield url


def compare_on_page(browser, url: str, a: Path, b: Path, errors: list[str]):
    """A page at ``url`` that records its console errors in ``errors``, with A and B uploaded and submitted."""
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    page.set_input_files("#file-a", str(a))
    page.set_input_files("#file-b", str(b))
    page.click("#submit")
    return page


def test_page_compares_a_video_with_keypoints(server: str, tmp_path: Path):
    video = demo_video()
    keypoints = tmp_path / "wave.json"
    save_pose(make_motion(90, seed=1, kind="wave"), keypoints)
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = compare_on_page(browser, server, video, keypoints, errors)
            page.wait_for_selector("#progress-label:not(:empty)", timeout=10_000)
            page.wait_for_selector("#result:not([hidden]) #parts td[data-part]", timeout=120_000)
            page.wait_for_selector("#link-video", timeout=120_000)  # the scores may come first, then the video
            job_id = page.evaluate("location.hash").split("=", 1)[1]
            job = httpx.get(f"{server}api/jobs/{job_id}").json()
            result = job["result"]
            shown = {cell.get_attribute("data-part"): cell for cell in page.query_selector_all("td[data-part]")}
            assert set(shown) == set(result["body_parts"])
            for part, cell in shown.items():
                assert float(cell.get_attribute("data-score")) == result["body_parts"][part]
                assert cell.inner_text() == f"{result['body_parts'][part]:.3f}"
            assert page.inner_text("#score-overall") == f"{result['similarity']:.3f}"
            weights = [float(c.get_attribute("data-weight")) for c in page.query_selector_all("td[data-weight]")]
            assert weights == [result["part_weights"][p] for p in result["body_parts"]]
            assert page.inner_text("td[data-weight]") == f"{int(100 * weights[0] + 0.5)} %"
            out = io.StringIO()
            assert main(["compare", str(video), str(keypoints), "--json"], out=out) == 0  # poses from the cache
            assert json.loads(out.getvalue()) == result
            state = page.evaluate("""async () => {
                const v = document.querySelector('#feedback');
                if (v.readyState < 2) await new Promise((ok, fail) => {
                    v.addEventListener('loadeddata', ok, {once: true});
                    v.addEventListener('error', () => fail(new Error('video error')), {once: true}); });
                await v.play();
                await new Promise((ok) => setTimeout(ok, 300));
                v.pause();
                return {ready: v.readyState, time: v.currentTime, duration: v.duration, width: v.videoWidth};
            }""")
            assert state["ready"] >= 2 and state["time"] > 0 and state["width"] > 0, state
            assert abs(state["duration"] - result["frames"]["a"] / 30) < 0.2
            svg = page.locator("#timeline-svg").bounding_box()
            page.mouse.click(svg["x"] + svg["width"] * 0.95, svg["y"] + svg["height"] / 2)
            seek = page.evaluate("document.querySelector('#feedback').currentTime")
            assert seek > 0.8 * state["duration"], seek
            assert len(page.query_selector_all("#moments li button")) >= 1
            links = {a.get_attribute("id"): a.get_attribute("href") for a in page.query_selector_all("#links a")}
            assert set(links) == {"link-report", "link-video", "link-json"}
            assert page.query_selector_all(f"#history-table tr[data-job='{job_id}']")
            page.screenshot(path=str(tmp_path / "page.png"), full_page=True)
            shutil.copy(tmp_path / "page.png", Path(os.environ.get("MOTIONSIM_WEB_SCREENSHOT", tmp_path / "copy.png")))

            fake = tmp_path / "clip.mp4"
            fake.write_bytes(b"not a video at all\n" * 50)
            page.set_input_files("#file-a", str(fake))
            page.click("#submit")
            page.wait_for_selector("#error:not([hidden])", timeout=10_000)
            assert page.inner_text("#error").startswith("clip.mp4: not a file motionsim reads (checked by content)")
            errors = [e for e in errors if "415" not in e]  # the refused upload's own HTTP status line
        finally:
            browser.close()
    assert errors == []


@contextlib.contextmanager
def serve_in_process(state: Path):
    """The app on 127.0.0.1 in this process (uvicorn in a thread, bounded waits), so a test can hold its work."""
    import uvicorn

    from motionsim.web.app import create_app
    from motionsim.web.settings import Settings

    server = uvicorn.Server(uvicorn.Config(create_app(Settings(state_dir=state)), host="127.0.0.1", port=0,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(300):
            if server.started:
                break
            time.sleep(0.05)
        assert server.started, "the server did not start within 15 s"
        yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}/"
    finally:
        server.should_exit = True
        thread.join(15)


def test_scores_show_while_the_video_is_drawn(tmp_path: Path, monkeypatch):
    """The page shows the scores and the timeline as soon as they exist, says the video is being drawn, and adds
    the video and its links when the job is done. The drawing is held until the page has shown the scores, so
    the state in between is seen every time."""
    from motionsim.render import feedback

    shown, real = threading.Event(), feedback.write_feedback

    def held(*args, **kwargs):
        assert shown.wait(60), "the page never showed the scores"
        return real(*args, **kwargs)

    monkeypatch.setattr(feedback, "write_feedback", held)
    a, b = tmp_path / "wave.json", tmp_path / "kick.json"
    save_pose(make_motion(90, seed=1, kind="wave"), a)
    save_pose(make_motion(80, seed=2, kind="kick"), b)
    errors: list[str] = []
    with serve_in_process(tmp_path / "state") as url, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = compare_on_page(browser, url, a, b, errors)
            page.wait_for_selector("#result:not([hidden]) #parts td[data-part]", timeout=60_000)
            job_id = page.evaluate("location.hash").split("=", 1)[1]
            job = httpx.get(f"{url}api/jobs/{job_id}").json()
            assert job["status"] == "running" and job["result"]
            scores = {c.get_attribute("data-part"): float(c.get_attribute("data-score"))
                      for c in page.query_selector_all("td[data-part]")}
            assert scores == job["result"]["body_parts"]
            assert page.is_visible("#no-video") and "Drawing the feedback video" in page.inner_text("#no-video")
            assert page.is_hidden("#feedback") and page.is_visible("#progress") and page.is_visible("#timeline-svg")
            assert [a.get_attribute("id") for a in page.query_selector_all("#links a")] == ["link-json"]
            page.screenshot(path=str(tmp_path / "early.png"), full_page=True)
            shown.set()
            page.wait_for_selector("#link-video", timeout=60_000)
            assert page.is_visible("#feedback") and page.is_hidden("#no-video") and page.is_hidden("#progress")
            assert {c.get_attribute("data-part"): float(c.get_attribute("data-score"))
                    for c in page.query_selector_all("td[data-part]")} == scores
            assert httpx.get(f"{url}api/jobs/{job_id}").json()["status"] == "done"
        finally:
            shown.set()
            browser.close()
    assert errors == []


def test_token_flow_confirmed_delete_and_no_framing(tmp_path: Path):
    a, b = tmp_path / "wave.json", tmp_path / "kick.json"
    save_pose(make_motion(64, seed=1, kind="wave"), a)
    save_pose(make_motion(64, seed=2, kind="kick"), b)
    errors: list[str] = []
    with serve(tmp_path / "state", "--token") as url, sync_api.sync_playwright() as p:
        assert "?token=" in url
        clean, token = url.split("?token=")
        assert len(token) >= 32
        assert httpx.get(clean).status_code == 401
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(url)
            assert page.url == clean  # the token left the address bar (and the history)
            cookies = {c["name"]: c for c in context.cookies()}
            port = clean.rsplit(":", 1)[1].strip("/")
            cookie = cookies[f"motionsim-token-{port}"]
            assert cookie["value"] == token and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
            assert "motionsim-token" not in page.evaluate("document.cookie")  # scripts cannot read it
            page.set_input_files("#file-a", str(a))
            page.set_input_files("#file-b", str(b))
            page.click("#submit")
            page.wait_for_selector("#result:not([hidden]) #parts td[data-part]", timeout=60_000)
            job_id = page.evaluate("location.hash").split("=", 1)[1]
            row = f"#history-table tr[data-job='{job_id}']"
            page.wait_for_selector(row)
            page.screenshot(path=str(tmp_path / "token-page.png"), full_page=True)
            shutil.copy(tmp_path / "token-page.png",
                        Path(os.environ.get("MOTIONSIM_WEB_TOKEN_SCREENSHOT", tmp_path / "copy.png")))

            asked: list[str] = []
            page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
            page.click(f"{row} button.danger")
            page.wait_for_timeout(500)
            assert asked == ["Delete the comparison wave.json vs kick.json? Its result, feedback video and report "
                             "are removed."]
            assert page.query_selector(row) is not None  # dismissed: nothing deleted
            assert httpx.get(f"{clean}api/jobs/{job_id}", headers={"Authorization": f"Bearer {token}"}
                             ).status_code == 200
            page.once("dialog", lambda dialog: dialog.accept())
            page.click(f"{row} button.danger")
            page.wait_for_selector(row, state="detached", timeout=10_000)
            assert httpx.get(f"{clean}api/jobs/{job_id}", headers={"Authorization": f"Bearer {token}"}
                             ).status_code == 404

            stranger = browser.new_context().new_page()  # no cookie: refused
            response = stranger.goto(clean)
            assert response.status == 401 and "this server needs its token" in stranger.content()

            framing = context.new_page()  # another page, even with the cookie, cannot frame it
            framing.set_content(f'<iframe id="f" src="{clean}" width="600" height="400"></iframe>')
            deadline = time.monotonic() + 10
            while len(framing.frames) < 2 or framing.frames[1].url == "about:blank":
                assert time.monotonic() < deadline, "the frame never loaded"
                framing.wait_for_timeout(100)
            assert framing.frames[1].url.startswith("chrome-error://")  # blocked by X-Frame-Options / CSP
            assert framing.frame_locator("#f").locator("#compare-form").count() == 0
        finally:
            browser.close()
    assert [e for e in errors if "401" not in e] == []
