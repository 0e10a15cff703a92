"""Views and projection: two views of one 3-D motion differ exactly as an orthographic projection predicts."""

import numpy as np
import pytest

from motionsim.synth.camera import VIEW_GRID, View, project, random_views
from motionsim.synth.motions import motion_3d


@pytest.fixture(scope="module")
def joints():
    return motion_3d("throw_overhand", None, "greta")


def test_view_grid_is_the_papers():
    assert len(VIEW_GRID) == 27
    assert {round(v.pitch / (np.pi / 16)) for v in VIEW_GRID} == {-1, 0, 1}
    assert sorted({round(v.yaw / (np.pi / 8)) for v in VIEW_GRID}) == list(range(-4, 5))


def test_frontal_view_shows_left_side_on_image_right_and_y_down(joints):
    p = project(joints, View())
    assert (p[:, 5, 0] > p[:, 6, 0]).all()  # left shoulder right of the right shoulder
    assert (p[:, 0, 1] < p[:, 15, 1]).all()  # nose above the ankle: smaller y


@pytest.mark.parametrize("yaw", [np.pi / 8, np.pi / 3, -np.pi / 4, 2.5])
def test_yaw_mixes_frontal_and_side_views_like_a_rotation(joints, yaw):
    front, side = project(joints, View()), project(joints, View(yaw=np.pi / 2))
    turned = project(joints, View(yaw=yaw))
    assert np.allclose(turned[..., 0], np.cos(yaw) * front[..., 0] + np.sin(yaw) * side[..., 0], atol=1e-4)
    assert np.allclose(turned[..., 1], front[..., 1], atol=1e-5)  # no pitch: heights unchanged


def test_pitch_keeps_horizontal_coordinates_and_foreshortens_heights(joints):
    front, above = project(joints, View()), project(joints, View(pitch=np.pi / 16))
    assert np.allclose(front[..., 0], above[..., 0], atol=1e-5)
    height = lambda p: p[:, 15, 1] - p[:, 0, 1]  # noqa: E731
    assert np.allclose(height(above), height(front), rtol=0.1) and not np.allclose(height(above), height(front))


def test_roll_rotates_the_image(joints):
    front, rolled = project(joints, View()), project(joints, View(roll=0.3))
    assert np.allclose(np.linalg.norm(front, axis=-1), np.linalg.norm(rolled, axis=-1), atol=1e-4)


def test_far_perspective_camera_tends_to_orthographic(joints):
    ortho = project(joints, View(yaw=0.4))
    far, near = project(joints, View(yaw=0.4, distance=1e4)), project(joints, View(yaw=0.4, distance=2.5))
    assert np.abs(far - ortho).max() < 1e-3 < np.abs(near - ortho).max()


def test_random_views_are_seeded_and_in_range():
    a, b = random_views(np.random.default_rng(3), 50, perspective=0.5), random_views(np.random.default_rng(3), 50,
                                                                                      perspective=0.5)
    assert np.array_equal(a, b) and a.shape == (50, 4)
    assert np.abs(a[:, 1]).max() <= np.pi and (a[:, 3] > 0).any() and (a[:, 3] == 0).any()
