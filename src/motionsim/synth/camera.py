"""Camera views and 3-D -> 2-D projection (orthographic by default, perspective optional).

A view is relative to the body, as in the paper: the camera frame is built from the body's facing direction
(mean over the frames of the hips' and shoulders' left-right axis), then turned by ``yaw`` about the vertical
(positive: the camera moves round to the body's left), raised by ``pitch`` (positive: seen from above) and
rolled by ``roll`` about the viewing axis. ``View()`` is the frontal view: the body's left shoulder appears on
the image's right, as in a photograph of a person facing the camera. Image y points down.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .kinematics import L_HIP, L_SHOULDER, R_HIP, R_SHOULDER


@dataclass(frozen=True)
class View:
    """A camera direction relative to the body (radians); ``distance`` (m) > 0 selects a perspective camera."""

    pitch: float = 0.0
    yaw: float = 0.0
    roll: float = 0.0
    distance: float = 0.0

    def as_array(self) -> np.ndarray:
        return np.array([self.pitch, self.yaw, self.roll, self.distance], dtype=np.float32)


#: The paper's 27 training views: pitch in {-pi/16, 0, pi/16} x yaw from -pi/2 to pi/2 in steps of pi/8.
VIEW_GRID: tuple[View, ...] = tuple(View(pitch=float(p), yaw=float(y))
                                    for p in np.pi * np.array([-1, 0, 1]) / 16
                                    for y in np.pi * np.arange(-4, 5) / 8)


def random_views(random_state: np.random.Generator, n: int, max_yaw: float = np.pi, max_pitch: float = np.pi / 6,
                 max_roll: float = np.pi / 18, perspective: float = 0.0,
                 distance_range: tuple[float, float] = (2.5, 6.0)) -> np.ndarray:
    """Draw ``n`` random views as an array (n, 4) of (pitch, yaw, roll, distance).

    ``perspective`` is the probability of a perspective camera at a distance drawn from ``distance_range``;
    otherwise distance is 0 (orthographic). Real footage has camera roll, elevation and perspective that the
    paper's grid lacks.
    """
    rng = random_state
    out = np.zeros((n, 4), dtype=np.float32)
    out[:, 0] = rng.uniform(-max_pitch, max_pitch, n)
    out[:, 1] = rng.uniform(-max_yaw, max_yaw, n)
    out[:, 2] = rng.uniform(-max_roll, max_roll, n)
    persp = rng.random(n) < perspective
    out[:, 3] = np.where(persp, rng.uniform(*distance_range, n), 0.0)
    return out


def as_view_array(views: View | np.ndarray | tuple | list) -> np.ndarray:
    """Views as an array (..., 4); a `View`, a list of Views, or (pitch, yaw[, roll[, distance]]) numbers."""
    if isinstance(views, View):
        return views.as_array()
    if isinstance(views, (list, tuple)) and views and isinstance(views[0], View):
        return np.stack([v.as_array() for v in views])
    arr = np.asarray(views, dtype=np.float32)
    if arr.shape[-1] not in (2, 3, 4):
        raise ValueError(f"a view is (pitch, yaw[, roll[, distance]]), got an array of shape {arr.shape}")
    pad = np.zeros(arr.shape[:-1] + (4 - arr.shape[-1],), dtype=np.float32)
    return np.concatenate([arr, pad], axis=-1)


def camera_axes(joints: np.ndarray, views: np.ndarray) -> np.ndarray:
    """Camera axes (..., 3, 3): rows = image right, image up (world), towards the camera.

    joints : (..., T, 17, 3) world positions; views : (..., 4) broadcastable to the leading dims.
    """
    across = (joints[..., R_SHOULDER, :] - joints[..., L_SHOULDER, :]
              + joints[..., R_HIP, :] - joints[..., L_HIP, :]).mean(axis=-2)  # body's right, (..., 3)
    across[..., 1] = 0.0
    norm = np.linalg.norm(across, axis=-1, keepdims=True)
    # a cartwheel or a spin can average the body's right out to nothing: keep the world x axis then
    across = np.where(norm > 1e-3, across / np.maximum(norm, 1e-9), np.array([1.0, 0.0, 0.0], across.dtype))
    up = np.zeros_like(across)
    up[..., 1] = 1.0
    left = -across
    fwd = np.cross(left, up)  # body's facing direction (towards a frontal camera)
    pitch, yaw, roll = views[..., 0:1], views[..., 1:2], views[..., 2:3]
    cy, sy = np.cos(yaw), np.sin(yaw)
    ez = cy * fwd + sy * left
    ex = cy * left - sy * fwd
    cp, sp = np.cos(pitch), np.sin(pitch)
    ey = cp * up - sp * ez
    ez = cp * ez + sp * up
    cr, sr = np.cos(roll), np.sin(roll)
    ex, ey = cr * ex + sr * ey, cr * ey - sr * ex
    return np.stack([ex, ey, ez], axis=-2)


def project(joints: np.ndarray, views: View | np.ndarray) -> np.ndarray:
    """Project world joints (..., T, 17, 3) to image coordinates (..., T, 17, 2), y down, metre-like units.

    Orthographic where a view's distance is 0; otherwise a pinhole camera that far from the mean hip centre,
    scaled so that the hip centre's depth keeps unit scale. Root translation is kept (it is a model input).
    """
    v = as_view_array(views)
    v = np.broadcast_to(v, joints.shape[:-3] + (4,))
    axes = camera_axes(joints, v)  # (..., 3, 3)
    cam = np.matmul(joints, np.swapaxes(axes, -1, -2)[..., None, :, :])  # (..., T, 17, 3): right, up, to camera
    dist = v[..., 3]
    out = cam[..., :2].copy()
    if np.any(dist > 0):
        pivot = cam[..., :, (L_HIP, R_HIP), :].mean(axis=(-3, -2))  # (..., 3)
        d = np.where(dist > 0, dist, 1.0)[..., None, None]
        depth = d - (cam[..., 2] - pivot[..., None, None, 2])
        scale = d / np.maximum(depth, 0.05 * d)
        persp = pivot[..., None, None, :2] + (cam[..., :2] - pivot[..., None, None, :2]) * scale[..., None]
        out = np.where((dist > 0)[..., None, None, None], persp, out)
    out[..., 1] *= -1.0
    return out.astype(np.float32)

#: The frontal view (the body faces the camera).
FRONT: View = View()
