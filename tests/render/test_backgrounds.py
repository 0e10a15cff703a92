"""The feedback video's backgrounds kept while the videos are decoded for pose estimation: the same frames as
decoding again, within budgets, and the report's thumbnails taken from the render's own pass."""

from __future__ import annotations

import numpy as np
import pytest
from render_helpers import comparison, decode, to_video_space, write_coded_video

from motionsim.render import report as report_module
from motionsim.render.backgrounds import FrameStore
from motionsim.render.feedback import write_feedback
from motionsim.render.panels import Panel
from motionsim.render.video import H264Writer

cv2 = pytest.importorskip("cv2")
pytest.importorskip("av")


def _store_of(video, height: int = 480, every: int = 1, **budget) -> FrameStore:
    store = FrameStore(height, **budget)
    cap = cv2.VideoCapture(str(video))
    index = 0
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        if index % every == 0:
            store(index, frame)
        index += 1
    cap.release()
    return store


@pytest.fixture(scope="module")
def setting(tmp_path_factory):
    folder = tmp_path_factory.mktemp("stores")
    seq_a, seq_b, result = comparison()
    seq_a, seq_b = to_video_space(seq_a, (320, 240)), to_video_space(seq_b, (320, 240))
    video_a = write_coded_video(folder / "a.mp4", len(seq_a), channel=1)
    video_b = write_coded_video(folder / "b.mp4", len(seq_b), channel=2)
    return folder, seq_a, seq_b, result, video_a, video_b


def test_a_kept_frame_is_the_panel_decoding_would_draw_on(setting):
    _, seq_a, _, _, video_a, _ = setting
    store = _store_of(video_a)
    assert store.complete(len(seq_a)) and (store.width, store.height) == (640, 480)
    with Panel(seq_a, 480, video_a) as decoded, Panel(seq_a, 480, video_a, frames=store) as kept:
        for i in (0, 17, len(seq_a) - 1):
            # flat colours survive the YUV 4:2:0 round trip to within rounding
            assert np.abs(kept.background(i).astype(int) - decoded.background(i).astype(int)).max() <= 3
            assert np.allclose(kept.points(i), decoded.points(i))


def test_a_store_of_the_model_rate_frames_gives_the_frame_each_skipped_one_holds(setting):
    _, seq_a, _, _, video_a, _ = setting
    store = _store_of(video_a, every=2)  # a 60 fps video keeps the frames estimated at 30 fps
    assert len(store) == (len(seq_a) + 1) // 2
    assert store.complete(len(seq_a), 60.0) and not store.complete(len(seq_a), 30.0)
    for i in (0, 1, 17, 40, len(seq_a) - 1):  # frame i of the coded video is 3 * i in the green channel
        assert abs(int(store.get(i)[240, 320, 1]) / 3 - 2 * (i // 2)) <= 1.5


def test_budgets_turn_to_jpeg_then_stop_keeping(setting):
    _, seq_a, _, _, video_a, _ = setting
    frame_bytes = 640 * 480 * 3 // 2
    mixed = _store_of(video_a, raw_budget=10 * frame_bytes)
    assert mixed.complete(len(seq_a)) and mixed.nbytes < len(seq_a) * frame_bytes
    assert abs(int(mixed.get(40)[240, 320, 1]) - 120) <= 4  # a JPEG frame still shows frame 40's colour
    full = _store_of(video_a, raw_budget=10 * frame_bytes, total_budget=10 * frame_bytes + 100)
    assert full.overflow and not full.complete(len(seq_a)) and len(full) == 0


def test_the_video_drawn_on_kept_frames_never_opens_the_videos(setting, monkeypatch):
    folder, seq_a, seq_b, result, video_a, video_b = setting
    stores = _store_of(video_a), _store_of(video_b)
    decoded_out = folder / "decoded.mp4"
    write_feedback(result, seq_a, seq_b, video=decoded_out, video_a=video_a, video_b=video_b, progress=False)

    def no_capture(*args, **kwargs):
        raise AssertionError("a video was decoded again")

    monkeypatch.setattr(cv2, "VideoCapture", no_capture)
    monkeypatch.setattr(report_module, "pose_thumbnail", no_capture)  # thumbnails come from the render's pass
    kept_out, report = folder / "kept.mp4", folder / "kept.html"
    write_feedback(result, seq_a, seq_b, video=kept_out, report=report, video_a=video_a, video_b=video_b,
                   frames_a=stores[0], frames_b=stores[1], progress=False)
    (_, decoded), (_, kept) = decode(decoded_out), decode(kept_out)
    assert len(kept) == len(decoded) == len(seq_a)
    assert max(np.abs(k.astype(int) - d.astype(int)).mean() for k, d in zip(kept, decoded)) < 1.0
    moments = report_module.moment_frames(result, len(seq_a), len(seq_b))
    assert moments and report.read_text().count("data:image/jpeg;base64,") == 2 * len(moments)


def test_an_encoder_failure_reaches_the_writer(tmp_path):
    writer = H264Writer(tmp_path / "x.mp4", 64, 48, 30.0)
    writer.write(np.zeros((48, 64, 3), np.uint8))
    writer.write(np.zeros((48, 64), np.uint8))  # not a BGR frame: the encoding thread fails
    with pytest.raises(Exception):  # noqa: B017 - whatever PyAV or OpenCV raises, it must not be lost
        for _ in range(50):
            writer.write(np.zeros((48, 64, 3), np.uint8))
        writer.close()
