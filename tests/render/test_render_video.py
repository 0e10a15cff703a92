import sys

import numpy as np
import pytest
from render_helpers import N_A, comparison, decode, to_video_space, write_coded_video

from motionsim.errors import MissingExtraError
from motionsim.pose import PoseSequence
from motionsim.render import video as video_module
from motionsim.render.colors import score_color
from motionsim.render.frames import PART_BONES, canvas_transform, draw_pose, draw_scores
from motionsim.render.panels import Panel
from motionsim.render.timeline import frame_alignment, frame_part_scores
from motionsim.render.video import read_frame, render_feedback_video
from motionsim.skeleton import BODY_PARTS

GAP = 4  # pixels between the panels


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    seq_a, seq_b, result = comparison()
    out = render_feedback_video(seq_a, seq_b, result, tmp_path_factory.mktemp("video") / "feedback.mp4",
                                progress=False)
    return seq_a, seq_b, result, out, *decode(out)


def _patch(frame: np.ndarray, xy: np.ndarray) -> np.ndarray:
    x, y = np.rint(xy).astype(int)
    return np.median(frame[y - 1:y + 2, x - 1:x + 2].reshape(-1, 3), axis=0)


def test_mp4_is_browser_playable_h264(rendered):
    _, _, _, out, info, frames = rendered
    assert info["codec"] == "h264" and info["pix_fmt"] == "yuv420p"
    assert len(frames) == N_A
    assert info["width"] % 2 == 0 and info["height"] % 2 == 0 and info["height"] == 480
    assert info["rate"] == 30
    data = out.read_bytes()
    assert 0 < data.index(b"moov") < data.index(b"mdat")  # +faststart: playable before fully downloaded


def test_part_colours_follow_the_frame_scores(rendered):
    seq_a, seq_b, result, _, _, frames = rendered
    scores = frame_part_scores(result, N_A)
    align = frame_alignment(result, N_A, len(seq_b))
    panel_a, panel_b = Panel(seq_a, 480), Panel(seq_b, 480)
    checked = 0
    for i in (10, 40):
        for part in ("right_arm", "left_leg", "right_leg"):
            expected = np.array(score_color(scores[i, BODY_PARTS.index(part)]))
            a, b = PART_BONES[part][1]  # forearm / shin
            for panel, index, dx in ((panel_a, i, 0), (panel_b, int(align[i]), panel_a.width + GAP)):
                mid = (panel.points(index)[a] + panel.points(index)[b]) / 2 + [dx, 0]
                got = _patch(frames[i], mid)
                assert np.abs(got - expected).max() < 45, (i, part, got, expected)
                checked += 1
    assert checked == 12
    red, green = np.array(score_color(scores[10, 0])), np.array(score_color(scores[10, 3]))
    assert np.abs(red - green).max() > 100  # the test compares clearly different colours


def test_draw_pose_exact_colours_and_skips_missing_joints():
    frame = np.zeros((200, 300, 3), np.uint8)
    kp = np.zeros((17, 2))
    kp[[6, 8, 10]] = [[100, 40], [100, 100], [100, 160]]  # right arm, vertical
    kp[[5, 7, 9]] = [[200, 40], [200, 100], [200, 160]]  # left arm
    conf = np.zeros(17)
    conf[[6, 8, 10, 5, 7]] = 1  # left wrist missing
    parts = {"right_arm": -0.3, "left_arm": 0.9}
    out = draw_pose(frame, kp, conf, parts)
    assert out is frame
    assert tuple(frame[130, 100]) == score_color(-0.3)
    assert tuple(frame[70, 200]) == score_color(0.9)
    assert not frame[140:150, 195:205].any()  # elbow -> missing wrist not drawn
    assert (frame[130, 90:100] == 255).all(axis=1).any()  # white outline beside the bone


@pytest.mark.parametrize("size", [(64, 48), (1920, 1080)])
def test_text_and_legend_fit_any_size(size):
    frame = np.full((size[1], size[0], 3), 128, np.uint8)
    draw_scores(frame, dict.fromkeys(BODY_PARTS, 0.5), 0.5, title="A  1.0s")
    assert (frame != 128).any() and frame.shape == (size[1], size[0], 3)


def test_canvas_transform_fits_the_whole_motion():
    seq_a, _, _ = comparison()
    t = canvas_transform(seq_a, (640, 480))
    pts = t(seq_a.keypoints.reshape(-1, 2))
    assert pts.min() >= 0.05 * 480 - 1 and pts[:, 0].max() <= 640 and pts[:, 1].max() <= 480 * 0.95 + 1
    assert pts[:, 1].max() - pts[:, 1].min() == pytest.approx(480 * 0.84, rel=0.01)  # height-limited
    assert t.blank().shape == (480, 640, 3)


def test_video_backgrounds_follow_both_timelines(tmp_path):
    seq_a, seq_b, result = comparison()
    seq_a, seq_b = to_video_space(seq_a, (320, 240)), to_video_space(seq_b, (320, 240))
    video_a = write_coded_video(tmp_path / "a.mp4", len(seq_a), channel=0)
    video_b = write_coded_video(tmp_path / "b.mp4", len(seq_b), channel=2)
    out = render_feedback_video(seq_a, seq_b, result, tmp_path / "out.mp4", video_a=video_a, video_b=video_b,
                                height=240, progress=False)
    info, frames = decode(out)
    assert (info["width"], info["height"]) == (320 + GAP + 320, 240) and len(frames) == len(seq_a)
    align = frame_alignment(result, len(seq_a), len(seq_b))
    for i in (0, 17, 50, len(seq_a) - 1):
        a_bg = _patch(frames[i], (300, 200))  # right side of each panel: no skeleton, no text
        b_bg = _patch(frames[i], (320 + GAP + 300, 200))
        assert abs(a_bg[0] / 3 - i) <= 1.5, (i, a_bg)
        assert abs(b_bg[2] / 3 - align[i]) <= 1.5, (i, align[i], b_bg)
    assert abs(int(read_frame(video_a, 20)[10, 10, 0]) - 60) <= 4


def test_a_video_above_30_fps_is_shown_by_its_estimated_frames_at_30_fps(tmp_path):
    from motionsim.resample import model_rate_frames

    seq_a, seq_b, result = comparison()
    seq_a, seq_b = to_video_space(seq_a, (320, 240)), to_video_space(seq_b, (320, 240))
    seq_a = PoseSequence(seq_a.keypoints, seq_a.scores, fps=60.0, source="a", meta=seq_a.meta)
    video_a = write_coded_video(tmp_path / "a.mp4", len(seq_a), channel=0)
    backgrounds = {("a", 5): None, ("a", 6): None}  # the report's thumbnails: 6 is shown, 5 is not
    out = render_feedback_video(seq_a, seq_b, result, tmp_path / "out.mp4", video_a=video_a, height=240,
                                progress=False, backgrounds=backgrounds)
    info, frames = decode(out)
    shown = model_rate_frames(len(seq_a), 60.0)
    assert info["rate"] == 30 and len(frames) == len(shown) == len(seq_a) // 2
    for n in (0, 9, len(shown) - 1):  # frame n of the feedback video is A's frame 2n
        assert abs(_patch(frames[n], (300, 200))[0] / 3 - shown[n]) <= 1.5 and shown[n] == 2 * n
    kept_5, kept_6 = backgrounds[("a", 5)].image, backgrounds[("a", 6)].image
    assert abs(float(np.median(kept_5[..., 0])) / 3 - 5) <= 1.5 and abs(float(np.median(kept_6[..., 0])) / 3 - 6) <= 1.5


def test_failed_render_leaves_nothing(tmp_path, monkeypatch):
    seq_a, seq_b, result = comparison()
    with pytest.raises(FileNotFoundError):
        render_feedback_video(seq_a, seq_b, result, tmp_path / "missing" / "out.mp4", progress=False)
    assert list(tmp_path.iterdir()) == []
    out = tmp_path / "out.mp4"
    out.write_bytes(b"previous")
    calls = []

    def broken_legend(frame, threshold):
        calls.append(1)
        if len(calls) == 20:
            raise RuntimeError("injected")
        return frame

    monkeypatch.setattr(video_module, "draw_legend", broken_legend)
    with pytest.raises(RuntimeError, match="injected"):
        render_feedback_video(seq_a, seq_b, result, out, progress=False)
    assert len(calls) == 20
    assert [p.name for p in tmp_path.iterdir()] == ["out.mp4"] and out.read_bytes() == b"previous"


def test_progress_bar_only_when_asked(tmp_path, capsys):
    seq_a, seq_b, result = comparison(fps=None)
    out = render_feedback_video(seq_a, seq_b, result, tmp_path / "quiet.mp4", progress=False)
    assert "feedback video" not in capsys.readouterr().err
    assert decode(out)[0]["rate"] == 30  # unknown fps -> 30
    render_feedback_video(seq_a, seq_b, result, tmp_path / "loud.mp4", progress=True)
    assert "feedback video" in capsys.readouterr().err


def test_missing_pyav_names_the_extra(tmp_path, monkeypatch):
    seq_a, seq_b, result = comparison()
    monkeypatch.setitem(sys.modules, "av", None)
    with pytest.raises(MissingExtraError, match=r"motionsim\[video\]"):
        render_feedback_video(seq_a, seq_b, result, tmp_path / "out.mp4", progress=False)
    assert list(tmp_path.iterdir()) == []
