"""Compiled forward-kinematics kernel (numba): ~10x faster than stacked 3x3 numpy products on 2 cores.

Only loops live here; `kinematics.forward_kinematics` prepares the inputs and keeps a numpy fallback.
"""

from __future__ import annotations

import numpy as np

try:
    from numba import njit, prange
except ImportError:  # pragma: no cover - numba is a dependency, the numpy path stays as a fallback
    njit = None


def _rodrigues(wx, wy, wz, tw, out):  # exp([w]) @ Ry(tw), written into out (3, 3)
    theta = np.sqrt(wx * wx + wy * wy + wz * wz)
    if theta < 1e-12:
        kx, ky, kz, s, c = 0.0, 0.0, 0.0, 0.0, 1.0
    else:
        kx, ky, kz = wx / theta, wy / theta, wz / theta
        s, c = np.sin(theta), np.cos(theta)
    v = 1.0 - c
    r00, r01, r02 = c + kx * kx * v, kx * ky * v - kz * s, kx * kz * v + ky * s
    r10, r11, r12 = ky * kx * v + kz * s, c + ky * ky * v, ky * kz * v - kx * s
    r20, r21, r22 = kz * kx * v - ky * s, kz * ky * v + kx * s, c + kz * kz * v
    ct, st = np.cos(tw), np.sin(tw)
    out[0, 0], out[0, 1], out[0, 2] = r00 * ct - r02 * st, r01, r00 * st + r02 * ct
    out[1, 0], out[1, 1], out[1, 2] = r10 * ct - r12 * st, r11, r10 * st + r12 * ct
    out[2, 0], out[2, 1], out[2, 2] = r20 * ct - r22 * st, r21, r20 * st + r22 * ct


def _fk(swing, twist, yaw, body, offsets, face, per, parents, hip_a, hip_b, head, out):
    n, nj = swing.shape[0], swing.shape[1]
    nf = face.shape[1]
    for i in prange(n):
        q = i // per  # offsets and face are per sequence of `per` frames
        glob = np.empty((nj, 3, 3))
        loc = np.empty((3, 3))
        tilt = np.empty((3, 3))
        tmp = np.empty((3, 3))
        turn = np.empty((3, 3))
        _rodrigues(swing[i, 0, 0], swing[i, 0, 1], swing[i, 0, 2], 0.0, tilt)
        _rodrigues(body[i, 0], body[i, 1], body[i, 2], 0.0, turn)
        for j in range(nj):
            _rodrigues(swing[i, j, 0], swing[i, j, 1], swing[i, j, 2], twist[i, j], loc)
            if j == 0:  # pelvis: yaw about the vertical, then the body turn, then the tilt
                for r in range(3):
                    for c in range(3):
                        tmp[r, c] = turn[r, 0] * loc[0, c] + turn[r, 1] * loc[1, c] + turn[r, 2] * loc[2, c]
                loc[:, :] = tmp
                cy, sy = np.cos(yaw[i]), np.sin(yaw[i])
                for c in range(3):
                    a0, a2 = loc[0, c], loc[2, c]
                    tmp[0, c], tmp[1, c], tmp[2, c] = cy * a0 + sy * a2, loc[1, c], -sy * a0 + cy * a2
                loc[:, :] = tmp
            elif j == hip_a or j == hip_b:  # legs relative to the untilted pelvis
                for r in range(3):
                    for c in range(3):
                        tmp[r, c] = tilt[0, r] * loc[0, c] + tilt[1, r] * loc[1, c] + tilt[2, r] * loc[2, c]
                loc[:, :] = tmp
            if j == 0:
                glob[0] = loc
                out[i, 0, 0], out[i, 0, 1], out[i, 0, 2] = 0.0, 0.0, 0.0
                continue
            p = parents[j]
            for r in range(3):
                out[i, j, r] = out[i, p, r] + glob[p, r, 0] * offsets[q, j, 0] + glob[p, r, 1] * offsets[q, j, 1] \
                    + glob[p, r, 2] * offsets[q, j, 2]
                for c in range(3):
                    glob[j, r, c] = glob[p, r, 0] * loc[0, c] + glob[p, r, 1] * loc[1, c] + glob[p, r, 2] * loc[2, c]
        for f in range(nf):
            for r in range(3):
                out[i, nj + f, r] = out[i, head, r] + glob[head, r, 0] * face[q, f, 0] \
                    + glob[head, r, 1] * face[q, f, 1] + glob[head, r, 2] * face[q, f, 2]


if njit is not None:
    _rodrigues = njit(cache=True, fastmath=True)(_rodrigues)
    fk_kernel = njit(cache=True, fastmath=True, parallel=True)(_fk)
else:  # pragma: no cover
    fk_kernel = None
