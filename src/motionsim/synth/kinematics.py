"""3-D kinematic skeleton: joint channels -> joint rotations -> COCO-17 joint positions by forward kinematics.

A pose is a vector of named *channels* (`CHANNELS`), in degrees for angles and metres for the root offsets,
with anatomical meaning so motions read like a physiotherapist's notes ("shoulder flexion 90, elbow 20").
World frame: metres, x = the body's initial left, y = up, z = the body's initial forward (right-handed).
Every function is vectorised over any leading batch/time dimensions, because the training sampler pushes
tens of thousands of frames through FK per batch.
"""

from __future__ import annotations

import numpy as np

from ._fk_kernel import fk_kernel

SIDES: tuple[str, str] = ("l", "r")
#: Sign of each side: mirror-symmetric channels rotate the opposite way on the right.
SIDE_SIGN: dict[str, float] = {"l": 1.0, "r": -1.0}

_LIMB_CHANNELS = ("clav_elev", "clav_prot", "sh_flex", "sh_abd", "sh_rot", "elbow", "hip_flex", "hip_abd",
                  "hip_rot", "knee")
#: All pose channels. Angles in degrees; ``lift``, ``travel_x``, ``travel_z`` in metres. ``pitch`` / ``roll``
#: tilt the trunk over the legs (a bow); ``body_pitch`` / ``body_roll`` turn the whole body, legs included,
#: about the pelvis (lying down: body_pitch 90 face down, -90 face up; a cartwheel: body_roll 0 -> 360).
CHANNELS: tuple[str, ...] = (
    "yaw", "pitch", "roll", "lift", "travel_x", "travel_z", "body_pitch", "body_roll",
    "spine_flex", "spine_bend", "spine_twist", "neck_flex", "neck_tilt", "neck_turn",
    *(f"{s}_{c}" for s in SIDES for c in _LIMB_CHANNELS),
)
CH: dict[str, int] = {name: i for i, name in enumerate(CHANNELS)}
N_CHANNELS: int = len(CHANNELS)
LINEAR_CHANNELS: tuple[str, ...] = ("lift", "travel_x", "travel_z")

#: Joint limits (degrees) of a healthy adult, slightly generous. Yaw and the root offsets are unbounded.
_LIMB_LIMITS = {
    "clav_elev": (-10, 35), "clav_prot": (-20, 25), "sh_flex": (-60, 180), "sh_abd": (-45, 180),
    "sh_rot": (-90, 90), "elbow": (0, 150), "hip_flex": (-30, 130), "hip_abd": (-25, 70), "hip_rot": (-40, 45),
    "knee": (0, 150),
}
CHANNEL_LIMITS: dict[str, tuple[float, float]] = {
    "yaw": (-np.inf, np.inf), "pitch": (-30, 100), "roll": (-40, 40), "lift": (0, 2.0),
    "travel_x": (-np.inf, np.inf), "travel_z": (-np.inf, np.inf),
    "body_pitch": (-np.inf, np.inf), "body_roll": (-np.inf, np.inf),
    "spine_flex": (-35, 70), "spine_bend": (-40, 40), "spine_twist": (-60, 60),
    "neck_flex": (-50, 60), "neck_tilt": (-35, 35), "neck_turn": (-75, 75),
    **{f"{s}_{c}": lim for s in SIDES for c, lim in _LIMB_LIMITS.items()},
}
_LO = np.array([CHANNEL_LIMITS[c][0] for c in CHANNELS], dtype=np.float32)
_HI = np.array([CHANNEL_LIMITS[c][1] for c in CHANNELS], dtype=np.float32)
_MAX_SWING = 180.0  # a shoulder or hip cannot swing further than straight up

# ---------------------------------------------------------------- the joint tree
#: FK joints, parents first. Offsets (in the parent's rest frame) come from a `Character`.
JOINTS: tuple[str, ...] = (
    "pelvis", "lumbar", "chest", "neck", "head",
    "l_clav", "l_shoulder", "l_elbow", "l_wrist", "r_clav", "r_shoulder", "r_elbow", "r_wrist",
    "l_hip", "l_knee", "l_ankle", "r_hip", "r_knee", "r_ankle",
)
J: dict[str, int] = {name: i for i, name in enumerate(JOINTS)}
PARENTS: tuple[int, ...] = (-1, 0, 1, 2, 3, 2, 5, 6, 7, 2, 9, 10, 11, 0, 13, 14, 0, 16, 17)
#: Face points (nose, l_eye, r_eye, l_ear, r_ear) are rigid offsets from the head joint.
FACE: tuple[str, ...] = ("nose", "l_eye", "r_eye", "l_ear", "r_ear")
#: COCO-17 order -> (kind, index): kind 0 = FK joint, 1 = face point.
_COCO_SOURCES: tuple[tuple[int, int], ...] = (
    (1, 0), (1, 1), (1, 2), (1, 3), (1, 4),
    (0, J["l_shoulder"]), (0, J["r_shoulder"]), (0, J["l_elbow"]), (0, J["r_elbow"]),
    (0, J["l_wrist"]), (0, J["r_wrist"]), (0, J["l_hip"]), (0, J["r_hip"]),
    (0, J["l_knee"]), (0, J["r_knee"]), (0, J["l_ankle"]), (0, J["r_ankle"]),
)
COCO_FROM_JOINT: tuple[int, ...] = tuple(len(JOINTS) + i if k else i for k, i in _COCO_SOURCES)
L_ANKLE, R_ANKLE = 15, 16  # COCO indices
L_SHOULDER, R_SHOULDER, L_HIP, R_HIP = 5, 6, 11, 12


def clip_to_limits(channels: np.ndarray) -> np.ndarray:
    """Clip a channel array (..., N_CHANNELS) to the joint limits, swing magnitudes included.

    Motions may overshoot when variations stack; clipping keeps every rendered pose anatomically possible.
    """
    out = np.clip(channels, _LO, _HI)
    for s in SIDES:
        for a, b in (("sh_flex", "sh_abd"), ("hip_flex", "hip_abd")):
            ia, ib = CH[f"{s}_{a}"], CH[f"{s}_{b}"]
            mag = np.hypot(out[..., ia], out[..., ib])
            scale = np.minimum(1.0, _MAX_SWING / np.maximum(mag, 1e-6))
            out[..., ia] *= scale
            out[..., ib] *= scale
    return out


def axis_angle_to_matrix(rotvec: np.ndarray) -> np.ndarray:
    """Rotation matrices (..., 3, 3) from rotation vectors (..., 3) in radians (Rodrigues' formula)."""
    theta = np.linalg.norm(rotvec, axis=-1, keepdims=True)
    k = rotvec / np.maximum(theta, 1e-12)
    kx, ky, kz = k[..., 0], k[..., 1], k[..., 2]
    s, c = np.sin(theta[..., 0]), np.cos(theta[..., 0])
    v = 1.0 - c
    out = np.empty(rotvec.shape[:-1] + (3, 3), dtype=rotvec.dtype)
    out[..., 0, 0] = c + kx * kx * v
    out[..., 0, 1] = kx * ky * v - kz * s
    out[..., 0, 2] = kx * kz * v + ky * s
    out[..., 1, 0] = ky * kx * v + kz * s
    out[..., 1, 1] = c + ky * ky * v
    out[..., 1, 2] = ky * kz * v - kx * s
    out[..., 2, 0] = kz * kx * v - ky * s
    out[..., 2, 1] = kz * ky * v + kx * s
    out[..., 2, 2] = c + kz * kz * v
    return out


def rot_y(angle: np.ndarray) -> np.ndarray:
    """Rotation matrices (..., 3, 3) about the vertical axis (positive turns forward toward the left)."""
    c, s = np.cos(angle), np.sin(angle)
    out = np.zeros(np.shape(angle) + (3, 3), dtype=np.result_type(angle, np.float32))
    out[..., 0, 0] = c
    out[..., 0, 2] = s
    out[..., 1, 1] = 1.0
    out[..., 2, 0] = -s
    out[..., 2, 2] = c
    return out


def _matmul33(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.einsum("...ij,...jk->...ik", a, b)


def _swing_twist_reference(channels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-joint swing rotation vectors (..., J, 3), twists (..., J), pelvis yaw (...) and body turn (..., 3).

    Each joint rotates as exp(swing) @ Ry(twist): a swing about a horizontal axis followed by a twist about
    the bone. The pelvis swing is its tilt (pitch, roll); the body turn (body_pitch, body_roll, a rotation
    vector) and then the yaw are applied on top of it.
    """
    rad = np.deg2rad(channels)
    c = {name: rad[..., i] for name, i in CH.items()}
    zero = np.zeros_like(c["pitch"])
    nj = len(JOINTS)
    swing = np.zeros(rad.shape[:-1] + (nj, 3), dtype=rad.dtype)
    twist = np.zeros(rad.shape[:-1] + (nj,), dtype=rad.dtype)
    swing[..., J["pelvis"], :] = np.stack([c["pitch"], zero, -c["roll"]], axis=-1)
    for joint in ("lumbar", "chest"):  # the spine bends over two joints
        swing[..., J[joint], :] = np.stack([c["spine_flex"], zero, -c["spine_bend"]], axis=-1) / 2
        twist[..., J[joint]] = c["spine_twist"] / 2
    for joint in ("neck", "head"):
        swing[..., J[joint], :] = np.stack([c["neck_flex"], zero, -c["neck_tilt"]], axis=-1) / 2
        twist[..., J[joint]] = c["neck_turn"] / 2
    for s in SIDES:
        sg = SIDE_SIGN[s]
        swing[..., J[f"{s}_clav"], :] = np.stack([zero, -sg * c[f"{s}_clav_prot"], sg * c[f"{s}_clav_elev"]], -1)
        swing[..., J[f"{s}_shoulder"], :] = np.stack([-c[f"{s}_sh_flex"], zero, sg * c[f"{s}_sh_abd"]], -1)
        twist[..., J[f"{s}_shoulder"]] = -sg * c[f"{s}_sh_rot"]
        swing[..., J[f"{s}_elbow"], 0] = -c[f"{s}_elbow"]
        swing[..., J[f"{s}_hip"], :] = np.stack([-c[f"{s}_hip_flex"], zero, sg * c[f"{s}_hip_abd"]], -1)
        twist[..., J[f"{s}_hip"]] = -sg * c[f"{s}_hip_rot"]
        swing[..., J[f"{s}_knee"], 0] = c[f"{s}_knee"]
    body = np.stack([c["body_pitch"], zero, -c["body_roll"]], axis=-1)
    return swing, twist, c["yaw"], body


def _linear_map() -> np.ndarray:
    """(N_CHANNELS, J*3 + J + 1 + 3) matrix: swing, twist, yaw and body turn are linear in the channels."""
    sw, tw, yaw, body = _swing_twist_reference(np.eye(N_CHANNELS))
    return np.concatenate([sw.reshape(N_CHANNELS, -1), tw, yaw[:, None], body], axis=1).astype(np.float32)


_SWING_TWIST = _linear_map()
_SWING_TWIST.setflags(write=False)


def swing_twist(channels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-joint swing rotation vectors (..., J, 3), twists (..., J), pelvis yaw (...), body turn (..., 3).

    One matrix product (the mapping is linear); `_swing_twist_reference` spells the mapping out.
    """
    nj = len(JOINTS)
    flat = np.asarray(channels, dtype=np.float32) @ _SWING_TWIST
    lead = flat.shape[:-1]
    return (flat[..., : 3 * nj].reshape(lead + (nj, 3)), flat[..., 3 * nj: 4 * nj], flat[..., 4 * nj],
            flat[..., 4 * nj + 1:])


def local_rotations(channels: np.ndarray) -> np.ndarray:
    """Per-joint local rotation matrices (..., len(JOINTS), 3, 3) from channels (..., N_CHANNELS) in degrees.

    Legs are expressed relative to the untilted pelvis, so a bow (pitch) keeps the legs vertical.
    """
    swing, twist, yaw, body = swing_twist(channels)
    rots = _matmul33(axis_angle_to_matrix(swing), rot_y(twist))
    turn = _matmul33(rot_y(yaw), axis_angle_to_matrix(body))
    rots[..., J["pelvis"], :, :] = _matmul33(turn, rots[..., J["pelvis"], :, :])
    untilt = np.swapaxes(axis_angle_to_matrix(swing[..., J["pelvis"], :]), -1, -2)
    for s in SIDES:
        rots[..., J[f"{s}_hip"], :, :] = _matmul33(untilt, rots[..., J[f"{s}_hip"], :, :])
    return rots


def forward_kinematics(channels: np.ndarray, offsets: np.ndarray, face: np.ndarray,
                       use_kernel: bool = True) -> np.ndarray:
    """COCO-17 joint positions (..., 17, 3) of a skeleton whose pelvis sits at the origin.

    Parameters
    ----------
    channels : array, shape=(..., N_CHANNELS), degrees (root offsets ignored here; see `place_on_ground`)
    offsets : array, shape=(..., len(JOINTS), 3), each joint's offset from its parent in the rest pose
        (broadcast against the channels' leading dimensions, e.g. (B, 1, J, 3) for (B, T, C) channels)
    face : array, shape=(..., 5, 3), nose/eyes/ears offsets from the head joint
    use_kernel : use the compiled numba kernel when available (the numpy path gives the same numbers)
    """
    lead = channels.shape[:-1]
    if fk_kernel is not None and use_kernel:
        swing, twist, yaw, body = swing_twist(np.asarray(channels, dtype=np.float32))
        n = int(np.prod(lead))
        # one body per sequence when the body arrays have a time axis of 1: no per-frame copies
        per_seq = len(lead) >= 1 and offsets.ndim >= 3 and offsets.shape[-3] == 1 and face.shape[-3] == 1
        per = lead[-1] if per_seq else 1
        shape = (lead[:-1] + (1,)) if per_seq else lead
        off = np.ascontiguousarray(np.broadcast_to(offsets, shape + offsets.shape[-2:]), dtype=np.float32)
        fac = np.ascontiguousarray(np.broadcast_to(face, shape + face.shape[-2:]), dtype=np.float32)
        pos = np.empty((n, len(JOINTS) + len(FACE), 3), dtype=np.float32)
        fk_kernel(swing.reshape(n, len(JOINTS), 3), twist.reshape(n, len(JOINTS)), yaw.reshape(n),
                  np.ascontiguousarray(body.reshape(n, 3)),
                  off.reshape(-1, len(JOINTS), 3), fac.reshape(-1, len(FACE), 3), max(per, 1),
                  np.array(PARENTS, dtype=np.int64), J["l_hip"], J["r_hip"], J["head"], pos)
        return pos.reshape(lead + pos.shape[-2:])[..., COCO_FROM_JOINT, :]
    rots = local_rotations(channels)
    glob = np.empty_like(rots)
    pos = np.zeros(lead + (len(JOINTS) + len(FACE), 3), dtype=rots.dtype)
    glob[..., 0, :, :] = rots[..., 0, :, :]
    off = np.broadcast_to(offsets, lead + offsets.shape[-2:])
    for j in range(1, len(JOINTS)):
        p = PARENTS[j]
        pos[..., j, :] = pos[..., p, :] + np.einsum("...ij,...j->...i", glob[..., p, :, :], off[..., j, :])
        glob[..., j, :, :] = _matmul33(glob[..., p, :, :], rots[..., j, :, :])
    head = J["head"]
    face_b = np.broadcast_to(face, lead + face.shape[-2:])
    pos[..., len(JOINTS):, :] = pos[..., head, None, :] + np.einsum("...ij,...fj->...fi", glob[..., head, :, :],
                                                                    face_b)
    return pos[..., COCO_FROM_JOINT, :]


#: Height above the floor (m) of each COCO-17 joint when it is the body's lowest point: the face, shoulders,
#: hips, knees, elbows and wrists of a body lying, kneeling, crawling or upside down rest on flesh and bone.
#: The ankles use the character's ankle height instead (NaN here).
FLOOR_CLEARANCE: np.ndarray = np.array([0.09, 0.1, 0.1, 0.08, 0.08, 0.06, 0.06, 0.04, 0.04, 0.03, 0.03,
                                        0.08, 0.08, 0.05, 0.05, np.nan, np.nan], dtype=np.float32)


def place_on_ground(joints: np.ndarray, channels: np.ndarray, ankle_height: np.ndarray | float,
                    contact_softness: float = 0.015) -> np.ndarray:
    """Move pelvis-centred joints (..., T, 17, 3) into the world: the body on the floor, contacts not sliding.

    ``ankle_height`` broadcasts against (..., T). The body's lowest point (an ankle for a standing body; a
    knee, hand, hip or the head for a kneeling, crawling, lying or inverted one, see `FLOOR_CLEARANCE`) is put
    on the floor, plus the ``lift`` channel (jumps). The horizontal root motion is integrated so that the
    joints in contact (a soft-min over heights) stay put: walking, stepping, pivoting, crawling and rolling
    come out of the limb motion itself, as on a real body. ``travel_x/z`` add an explicit displacement.
    """
    ankle = np.asarray(ankle_height, dtype=np.float32)[..., None]
    clearance = np.where(np.isnan(FLOOR_CLEARANCE), ankle, FLOOR_CLEARANCE)  # (..., T, 17)
    heights = joints[..., 1] - clearance
    low = heights.min(axis=-1)
    lift = channels[..., CH["lift"]]
    dy = lift - low
    w = np.exp(-(heights - low[..., None]) / contact_softness)
    w /= w.sum(axis=-1, keepdims=True)
    step = np.diff(joints[..., (0, 2)], axis=-3)  # (..., T-1, 17, 2)
    w_mid = 0.5 * (w[..., 1:, :] + w[..., :-1, :])
    drift = -(w_mid[..., None] * step).sum(axis=-2)  # (..., T-1, 2)
    root_xz = np.concatenate([np.zeros(drift.shape[:-2] + (1, 2), drift.dtype), np.cumsum(drift, axis=-2)], axis=-2)
    root_xz = root_xz + channels[..., (CH["travel_x"], CH["travel_z"])]
    shift = np.stack([root_xz[..., 0], dy, root_xz[..., 1]], axis=-1)
    return joints + shift[..., None, :]
