"""The Live page in Debian's headless Chromium with a fake camera: Chromium delivers a Y4M file (YUV4MPEG2 4:2:0,
written here from the Sports2D demo at 640x480 and 30 fps) as the camera, at its frame rate, looping.

- a take that copies the reference (the camera shows the reference's own frames) and a take of other motion (the
  same frames backwards): live scores appear and change, the user's skeleton is drawn in its parts' colours (the
  colours of render/colors.py), the copy scores higher, the saved takes are comparisons in the history and their
  report opens;
- a refused camera, a busy server (``--max-live 1``), a tab closed mid-take (the server keeps answering and frees
  the take's slot) and a lost connection (the server stopped) each leave the page in a clear state.

Screenshots go to ``MOTIONSIM_LIVE_SCREENSHOTS`` (a folder; default: the test's temporary folder)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx
import numpy as np
import pytest
from test_browser import ARGS, CHROMIUM, serve

from motionsim.render.colors import score_hex

sync_api = pytest.importorskip("playwright.sync_api")
cv2 = pytest.importorskip("cv2")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).is_file(), reason="Debian chromium is not installed")]
SIZE = (640, 480)


def demo_frames() -> list[np.ndarray]:
    """The Sports2D demo's 230 frames, centre-cropped to 4:3 and scaled to 640x480 (BGR)."""
    from helpers import demo_video

    cap = cv2.VideoCapture(str(demo_video()))
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        h, w = frame.shape[:2]
        crop = frame[:, (w - h * 4 // 3) // 2:(w - h * 4 // 3) // 2 + h * 4 // 3]
        frames.append(cv2.resize(crop, SIZE, interpolation=cv2.INTER_AREA))
    cap.release()
    return frames


def write_y4m(frames: list[np.ndarray], path: Path) -> Path:
    """A YUV4MPEG2 (4:2:0) file of ``frames`` at 30 fps: what Chromium's fake camera reads."""
    with path.open("wb") as fh:
        fh.write(f"YUV4MPEG2 W{SIZE[0]} H{SIZE[1]} F30:1 Ip A1:1 C420jpeg\n".encode())
        for frame in frames:
            fh.write(b"FRAME\n")
            fh.write(cv2.cvtColor(frame, cv2.COLOR_BGR2YUV_I420).tobytes())
    return path


def write_mp4(frames: list[np.ndarray], path: Path) -> Path:
    import av

    with av.open(str(path), mode="w") as out:
        stream = out.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = *SIZE, "yuv420p"
        for frame in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="bgr24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> dict[str, Path]:
    """The reference (the demo at 640x480, H.264, in a --data folder) and two cameras: the same frames (a copy)
    and the frames backwards (other motion)."""
    folder = tmp_path_factory.mktemp("live-media")
    frames = demo_frames()
    data = folder / "data"
    data.mkdir()
    write_mp4(frames, data / "teacher.mp4")
    return {"data": data, "copy": write_y4m(frames, folder / "copy.y4m"),
            "other": write_y4m(frames[::-1], folder / "other.y4m")}


def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("MOTIONSIM_LIVE_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def browser(p, camera: Path | None, allow: bool = True):
    args = [*ARGS, "--use-fake-device-for-media-stream"]
    if camera is not None:
        args.append(f"--use-file-for-fake-video-capture={camera}")
    if allow:
        args.append("--use-fake-ui-for-media-stream")  # the camera permission granted without asking
    return p.chromium.launch(executable_path=CHROMIUM, args=args)


def open_live(b, url: str, errors: list[str]):
    page = b.new_page(viewport={"width": 1280, "height": 1080})
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url + "live")
    return page


def choose(page, name: str = "teacher.mp4", mode: str = "free") -> None:
    page.select_option("#reference-pick", name)
    page.click("#reference-use")
    page.wait_for_selector("#state[data-state=ready]", timeout=180_000)
    page.select_option("#mode", mode)


def wait_state(page, state: str, timeout: float = 60_000) -> None:
    page.wait_for_selector(f"#state[data-state={state}]", timeout=timeout)


def live_scores(page, seconds: float) -> list[float]:
    """The overall score shown, sampled every 0.2 s for ``seconds`` (once scores have started)."""
    page.wait_for_selector("#overall-now[data-score]", timeout=60_000)
    seen = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        seen.append(float(page.get_attribute("#overall-now", "data-score")))
        page.wait_for_timeout(200)
    return seen


DRAWN = """() => {  // the part colours last drawn, and how many overlay pixels have exactly each
    const canvas = document.querySelector('#overlay');
    if (!canvas.dataset.colors) return null;
    const colors = JSON.parse(canvas.dataset.colors);
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    const hex = (i) => '#' + [0, 1, 2].map((k) => data[i + k].toString(16).padStart(2, '0')).join('');
    const counts = {};
    for (const c of Object.values(colors)) counts[c] = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i + 3] === 255 && hex(i) in counts) counts[hex(i)] += 1;
    return {colors, counts};
}"""


def take(b, url: str, errors: list[str], out: Path, name: str) -> dict:
    """One take in free mode until ~8 s of scores; returns what the page showed and the saved job."""
    page = open_live(b, url, errors)
    choose(page)
    if name == "copy":  # the page's colours are the feedback video's
        shown = page.evaluate("(xs) => xs.map((x) => window.motionsimLive.color(x))",
                              [-0.5, 0.0, 0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 1.0])
        assert shown == [score_hex(x) for x in (-0.5, 0.0, 0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 1.0)]
    page.click("#start")
    wait_state(page, "countdown")
    assert page.inner_text("#countdown") in {"3", "2", "1"}  # a count-down before the take starts
    page.screenshot(path=str(out / f"live-{name}-countdown.png"))
    wait_state(page, "live")
    scores = live_scores(page, 8.0)
    drawn = None
    for _ in range(50):  # a frame where someone was found (the screenshot at once, while it is drawn)
        drawn = page.evaluate(DRAWN)
        if drawn and sum(n > 20 for n in drawn["counts"].values()) >= 2:
            page.screenshot(path=str(out / f"live-{name}.png"))
            break
        page.wait_for_timeout(100)
    # the camera and its skeleton are shown mirrored, as people expect; the reference is not
    assert page.evaluate("getComputedStyle(document.querySelector('#mirror')).transform") == "matrix(-1, 0, 0, 1, 0, 0)"
    assert page.evaluate("getComputedStyle(document.querySelector('#reference-video')).transform") == "none"
    bars = {c.get_attribute("data-part"): c.get_attribute("data-score")
            for c in page.query_selector_all("td[data-part]")}
    mean = float(page.get_attribute("#overall-mean", "data-score"))
    page.click("#stop")
    page.wait_for_selector("#state[data-state=saved] #saved-report", timeout=180_000)
    page.screenshot(path=str(out / f"live-{name}-saved.png"))
    job_id = page.get_attribute("#saved-link", "href").split("job=")[1]
    report = page.get_attribute("#saved-report", "href")
    page.close()
    return {"scores": scores, "drawn": drawn, "bars": bars, "mean": mean, "job": job_id, "report": report}


def test_a_copy_scores_higher_than_other_motion_and_is_saved(media, tmp_path: Path):
    out = shots(tmp_path)
    errors: list[str] = []
    takes = {}
    with serve(tmp_path / "state", "--data", str(media["data"])) as url, sync_api.sync_playwright() as p:
        for name in ("copy", "other"):
            b = browser(p, media[name])
            try:
                takes[name] = take(b, url, errors, out, name)
            finally:
                b.close()
        for name, seen in takes.items():
            assert len(set(seen["scores"])) >= 5, (name, seen["scores"])  # scores arrive and change
            drawn = seen["drawn"]
            assert drawn is not None and sum(n > 20 for n in drawn["counts"].values()) >= 2, (name, drawn)
            assert set(drawn["colors"]) == {"right_arm", "left_arm", "right_leg", "left_leg", "torso"}
            assert all(v != "" for v in seen["bars"].values()) and len(seen["bars"]) == 5
        jobs = {name: httpx.get(f"{url}api/jobs/{seen['job']}").json() for name, seen in takes.items()}
        print({name: (round(t["mean"], 3), round(jobs[name]["result"]["similarity"], 3)) for name, t in takes.items()})
        assert takes["copy"]["mean"] > takes["other"]["mean"] + 0.05
        assert jobs["copy"]["result"]["similarity"] > jobs["other"]["result"]["similarity"]
        for job in jobs.values():
            assert job["status"] == "done" and job["inputs"]["b"]["name"] == "teacher.mp4"
            assert job["inputs"]["a"]["name"].startswith("live take ") and "camera" not in job["inputs"]
            assert job["result"]["live"]["processed"] > 30
        # the saved take is in the history, opens on the compare page, and its report opens
        b = browser(p, None)
        try:
            page = b.new_page(viewport={"width": 1280, "height": 1000})
            page.goto(f"{url}#job={takes['copy']['job']}")
            page.wait_for_selector("#result:not([hidden]) #parts td[data-part]", timeout=30_000)
            assert page.inner_text("#result-title").startswith("live take ")
            assert page.inner_text("#score-overall") == f"{jobs['copy']['result']['similarity']:.3f}"
            for seen in takes.values():
                assert page.query_selector(f"#history-table tr[data-job='{seen['job']}']") is not None
            page.screenshot(path=str(out / "live-in-history.png"), full_page=True)
            report = b.new_page()
            response = report.goto(url.rstrip("/") + takes["copy"]["report"])
            assert response.status == 200 and "live take" in report.content()
        finally:
            b.close()
    assert errors == []


def test_refused_camera_busy_server_closed_tab_and_lost_connection(media, tmp_path: Path):
    out = shots(tmp_path)
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        b = browser(p, media["copy"])
        try:
            with serve(tmp_path / "state", "--data", str(media["data"]), "--max-live", "1") as url:
                refusing = browser(p, media["copy"], allow=False)  # headless: the permission prompt is refused
                try:
                    page = open_live(refusing, url, errors)
                    choose(page)
                    page.click("#start")
                    wait_state(page, "camera", 30_000)
                    assert page.inner_text("#state").startswith("the camera was refused: allow it for this page")
                    page.screenshot(path=str(out / "live-camera-refused.png"))
                finally:
                    refusing.close()
                first = open_live(b, url, errors)
                choose(first)
                first.click("#start")
                wait_state(first, "live")
                second = open_live(b, url, errors)
                choose(second)
                second.click("#start")
                wait_state(second, "busy")
                assert "the server is busy: 1 live take is running" in second.inner_text("#state")
                second.screenshot(path=str(out / "live-busy.png"))
                first.wait_for_selector("#overall-now[data-score]", timeout=60_000)
                first.close()  # the tab closed mid-take
                assert httpx.get(f"{url}api/jobs").json()["count"] == 0  # the server answers; nothing was saved
                deadline = time.monotonic() + 30
                while True:  # the closed tab's slot is freed: a new take starts
                    second.click("#start")
                    second.wait_for_selector("#state:is([data-state=live], [data-state=busy])", timeout=60_000)
                    if second.get_attribute("#state", "data-state") == "live":
                        break
                    assert time.monotonic() < deadline, "the closed tab's take still holds the slot"
                    second.wait_for_timeout(500)
                second.wait_for_selector("#overall-now[data-score]", timeout=60_000)
            # the server stopped while the second page's take ran
            wait_state(second, "lost", 30_000)
            text = second.inner_text("#state")
            assert text.startswith("the connection to the server was lost") and "the take was not saved" in text, text
            second.screenshot(path=str(out / "live-connection-lost.png"))
        finally:
            b.close()
    assert errors == [], errors
