"""Read real motion capture (BVH, ASF/AMC) and turn it into COCO-17 joints in 3-D: metres, y up, 30 fps.

The real-motion validation set (`motionsim.evaluate.real`, built by ``tools/build_real_motion.py``) starts from
the few mocap files that ship inside package source archives. Two small readers with forward kinematics are
enough for them, and keep the package free of a mocap dependency. Both return a `Mocap`: world positions and
world rotations of every joint, End Sites included (BVH) or every bone's end point (ASF/AMC).

COCO-17 needs face points that no skeleton has: nose, eyes and ears are rigid offsets from the head joint,
turned with the head, using the face geometry of the synthetic characters so real and synthetic faces agree.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import MotionsimError

#: Metres per inch; ASF lengths are inches times the file's ``:units length`` factor (CMU: 0.45).
_INCH = 0.0254
TARGET_FPS = 30.0


class MocapFormatError(MotionsimError):
    """A mocap file that cannot be read (one line saying where and why)."""


@dataclass
class Mocap:
    """One capture after forward kinematics.

    names : joint names (BVH End Sites are ``<parent>_end``; ASF joints are bone end points, plus ``root``)
    positions : (T, J, 3) world positions in the file's units
    rotations : (T, J, 3, 3) world rotation of each joint's frame (an End Site has its parent's)
    fps : frames per second of the file
    """

    names: list[str]
    positions: np.ndarray
    rotations: np.ndarray
    fps: float


def _axis_rotation(axis: str, degrees: np.ndarray) -> np.ndarray:
    """Rotation matrices (..., 3, 3) about x, y or z by ``degrees`` (right-handed)."""
    a = np.deg2rad(np.asarray(degrees, dtype=np.float64))
    c, s = np.cos(a), np.sin(a)
    one, zero = np.ones_like(a), np.zeros_like(a)
    rows = {"x": ((one, zero, zero), (zero, c, -s), (zero, s, c)),
            "y": ((c, zero, s), (zero, one, zero), (-s, zero, c)),
            "z": ((c, -s, zero), (s, c, zero), (zero, zero, one))}[axis.lower()]
    return np.stack([np.stack(r, axis=-1) for r in rows], axis=-2)


def euler_matrix(axes: str, degrees: np.ndarray) -> np.ndarray:
    """R = R_axes[0] @ R_axes[1] @ ... for angles (..., len(axes)): BVH's channel order, read left to right."""
    degrees = np.asarray(degrees, dtype=np.float64)
    out = np.broadcast_to(np.eye(3), degrees.shape[:-1] + (3, 3)).copy()
    for k, axis in enumerate(axes):
        out = out @ _axis_rotation(axis, degrees[..., k])
    return out


# ---------------------------------------------------------------------------------------------------- BVH
@dataclass
class _BvhJoint:
    name: str
    parent: int
    offset: np.ndarray
    channels: list[str]


def _bvh_hierarchy(tokens: list[str], path: Path) -> tuple[list[_BvhJoint], int]:
    """Parse HIERARCHY tokens into joints (parents first); returns the joints and the index of MOTION."""
    joints: list[_BvhJoint] = []
    stack: list[int] = []
    i = 0
    pending: str | None = None
    while i < len(tokens):
        tok = tokens[i]
        if tok in ("ROOT", "JOINT"):
            pending, i = tokens[i + 1], i + 2
        elif tok == "End":  # "End Site"
            parent = stack[-1]
            pending, i = f"{joints[parent].name}_end", i + 2
        elif tok == "{":
            if pending is None:
                raise MocapFormatError(f"{path}: '{{' without a joint name")
            joints.append(_BvhJoint(pending, stack[-1] if stack else -1, np.zeros(3), []))
            stack.append(len(joints) - 1)
            pending, i = None, i + 1
        elif tok == "}":
            stack.pop()
            i += 1
        elif tok == "OFFSET":
            joints[stack[-1]].offset = np.array([float(t) for t in tokens[i + 1:i + 4]])
            i += 4
        elif tok == "CHANNELS":
            n = int(tokens[i + 1])
            joints[stack[-1]].channels = tokens[i + 2:i + 2 + n]
            i += 2 + n
        elif tok == "MOTION":
            return joints, i
        else:
            i += 1
    raise MocapFormatError(f"{path}: no MOTION section")


def read_bvh(path: str | Path) -> Mocap:
    """Read a BVH file and run forward kinematics.

    Conventions (those of the common exporters): a joint's rotation channels compose in the listed order
    (``Zrotation Yrotation Xrotation`` is Rz @ Ry @ Rx), and position channels, where a joint has them,
    replace its OFFSET as the translation from its parent.
    """
    path = Path(path)
    tokens = path.read_text(encoding="utf-8", errors="replace").split()
    if not tokens or tokens[0] != "HIERARCHY":
        raise MocapFormatError(f"{path}: not a BVH file (no HIERARCHY)")
    joints, i = _bvh_hierarchy(tokens, path)
    try:
        n_frames = int(tokens[i + 2])
        frame_time = float(tokens[i + 5])
    except (IndexError, ValueError):
        raise MocapFormatError(f"{path}: bad 'Frames:' / 'Frame Time:' lines") from None
    n_channels = sum(len(j.channels) for j in joints)
    values = np.array(tokens[i + 6:i + 6 + n_frames * n_channels], dtype=np.float64)
    if n_frames < 1 or frame_time <= 0 or values.size != n_frames * n_channels:
        raise MocapFormatError(f"{path}: expected {n_frames} frames of {n_channels} channels, got {values.size} "
                               f"numbers")
    values = values.reshape(n_frames, n_channels)
    pos = np.zeros((n_frames, len(joints), 3))
    rot = np.zeros((n_frames, len(joints), 3, 3))
    col = 0
    for k, j in enumerate(joints):
        data = values[:, col:col + len(j.channels)]
        col += len(j.channels)
        rot_axes = "".join(c[0] for c in j.channels if c.lower().endswith("rotation"))
        rot_cols = [n for n, c in enumerate(j.channels) if c.lower().endswith("rotation")]
        local = euler_matrix(rot_axes, data[:, rot_cols]) if rot_axes else np.broadcast_to(np.eye(3), (n_frames, 3, 3))
        trans = np.broadcast_to(j.offset, (n_frames, 3)).copy()
        for n, c in enumerate(j.channels):
            if c.lower().endswith("position"):
                trans[:, "xyz".index(c[0].lower())] = data[:, n]
        if j.parent < 0:
            pos[:, k], rot[:, k] = trans, local
        else:
            pos[:, k] = pos[:, j.parent] + np.einsum("tij,tj->ti", rot[:, j.parent], trans)
            rot[:, k] = rot[:, j.parent] @ local
    return Mocap([j.name for j in joints], pos, rot, 1.0 / frame_time)


# ------------------------------------------------------------------------------------------------ ASF/AMC
@dataclass
class _AsfBone:
    name: str
    direction: np.ndarray
    length: float
    axis: np.ndarray  # C: the bone's local frame in world coordinates at rest
    dof: list[str]


def _asf_sections(text: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = ""
    for raw in text.splitlines():
        line = raw.split("#")[0].strip()
        if not line:
            continue
        if line.startswith(":"):
            head, _, rest = line[1:].partition(" ")
            current = head.lower()
            sections[current] = [rest.strip()] if rest.strip() else []
        elif current:
            sections[current].append(line)
    return sections


def _asf_axis(values: list[str]) -> np.ndarray:
    """``axis a b c XYZ``: the local frame C = Rz(c) @ Ry(b) @ Rx(a) for order XYZ (x applied first)."""
    angles, order = [float(v) for v in values[:3]], values[3].lower()
    return euler_matrix(order[::-1], np.array([angles["xyz".index(a)] for a in order[::-1]]))


def read_asf(path: str | Path) -> tuple[dict[str, _AsfBone], dict[str, list[str]], float, list[str]]:
    """Bones, hierarchy (parent -> children), metres per length unit and the root's channel order."""
    path = Path(path)
    sec = _asf_sections(path.read_text(encoding="utf-8", errors="replace"))
    if "bonedata" not in sec or "hierarchy" not in sec:
        raise MocapFormatError(f"{path}: not an ASF file (no :bonedata / :hierarchy)")
    units = dict(line.split()[:2] for line in sec.get("units", []) if len(line.split()) >= 2)
    if units.get("angle", "deg").lower().startswith("rad"):
        raise MocapFormatError(f"{path}: radians are not supported")
    metres = _INCH / float(units.get("length", 1.0))
    root_order = next((ln.split()[1:] for ln in sec.get("root", []) if ln.lower().startswith("order")),
                      ["TX", "TY", "TZ", "RX", "RY", "RZ"])
    bones: dict[str, _AsfBone] = {}
    fields: dict[str, list[str]] = {}
    for line in sec["bonedata"]:
        key, *rest = line.split()
        if key == "begin":
            fields = {}
        elif key == "end":
            name = fields["name"][0]
            bones[name] = _AsfBone(name, np.array([float(v) for v in fields["direction"]]),
                                   float(fields["length"][0]), _asf_axis(fields["axis"]),
                                   [d.lower() for d in fields.get("dof", [])])
        else:
            fields[key] = rest
    tree: dict[str, list[str]] = {}
    for line in sec["hierarchy"]:
        parent, *children = line.split()
        if parent not in ("begin", "end"):
            tree[parent] = children
    return bones, tree, metres, root_order


def read_asf_amc(asf: str | Path, amc: str | Path, fps: float = 120.0) -> Mocap:
    """Read a skeleton (ASF) and its motion (AMC) and run forward kinematics (CMU's convention: a bone's world
    rotation is parent @ C @ R(dof) @ C^-1, and its end point is the parent's plus length x rotated direction).

    Positions are in metres already (``Mocap.positions``); AMC files carry no frame rate: CMU's is 120 fps.
    """
    bones, tree, metres, root_order = read_asf(asf)
    frames: list[dict[str, list[float]]] = []
    for raw in Path(amc).read_text(encoding="utf-8", errors="replace").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ":")):
            continue
        if re.fullmatch(r"\d+", line):
            frames.append({})
        elif frames:
            name, *vals = line.split()
            frames[-1][name] = [float(v) for v in vals]
    if not frames or "root" not in frames[0]:
        raise MocapFormatError(f"{amc}: no frames with a root line")
    n = len(frames)
    root = np.array([f["root"] for f in frames])
    t_cols = [root_order.index(c) for c in ("TX", "TY", "TZ")]
    r_order = [c for c in root_order if c.startswith("R")]
    names, pos, rot = ["root"], [root[:, t_cols] * metres], [_dof_rotation(r_order, root[:, [root_order.index(c)
                                                                                                for c in r_order]])]
    order = [("root", c) for c in tree.get("root", [])]
    while order:
        parent, name = order.pop(0)
        bone = bones[name]
        values = np.array([f.get(name, [0.0] * len(bone.dof)) for f in frames]).reshape(n, len(bone.dof))
        local = bone.axis @ _dof_rotation(bone.dof, values) @ bone.axis.T
        p = names.index(parent)
        rot.append(rot[p] @ local)
        pos.append(pos[p] + bone.length * metres * np.einsum("tij,j->ti", rot[-1], bone.direction))
        names.append(name)
        order += [(name, c) for c in tree.get(name, [])]
    return Mocap(names, np.stack(pos, axis=1), np.stack(rot, axis=1), fps)


def _dof_rotation(dof: list[str], values: np.ndarray) -> np.ndarray:
    """Rotation of an ASF bone's dofs (rx, ry, rz in any subset), x applied first: Rz @ Ry @ Rx."""
    axes = [d[-1].lower() for d in dof if d.lower().startswith("r")]
    cols = [k for k, d in enumerate(dof) if d.lower().startswith("r")]
    angles = {a: values[:, c] for a, c in zip(axes, cols)}
    present = [a for a in "zyx" if a in angles]
    if not present:
        return np.broadcast_to(np.eye(3), (len(values), 3, 3)).copy()
    return euler_matrix("".join(present), np.stack([angles[a] for a in present], axis=-1))


# ------------------------------------------------------------------------------------------ COCO-17 in 3-D
#: COCO-17 body joints (indices 5..16) in order, then the two joints that place and turn the face.
_BODY = ("l_shoulder", "r_shoulder", "l_elbow", "r_elbow", "l_wrist", "r_wrist", "l_hip", "r_hip", "l_knee",
         "r_knee", "l_ankle", "r_ankle")

#: Skeleton name -> joint names of the COCO body joints, ``neck`` and ``head`` (the face hangs from the head
#: joint and turns with it). Names are compared without a namespace prefix (``mixamorig:Head`` -> ``Head``).
RIGS: Mapping[str, Mapping[str, str]] = {
    # LaFAN1, Mixamo and most BVH exports
    "biped": dict(zip(_BODY, ("LeftArm", "RightArm", "LeftForeArm", "RightForeArm", "LeftHand", "RightHand",
                              "LeftUpLeg", "RightUpLeg", "LeftLeg", "RightLeg", "LeftFoot", "RightFoot")),
                  neck="Neck", head="Head"),
    # MocapBank / classic Biovision names
    "biovision": dict(zip(_BODY, ("LeftShoulder", "RightShoulder", "LeftElbow", "RightElbow", "LeftWrist",
                                  "RightWrist", "LeftHip", "RightHip", "LeftKnee", "RightKnee", "LeftAnkle",
                                  "RightAnkle")), neck="Neck", head="Head"),
    # Blender rigify-style metarig (bones named by their start; a bone's End Site is where it ends)
    "rigify": dict(zip(_BODY, ("upper_arm.L", "upper_arm.R", "forearm.L", "forearm.R", "forearm.L_end",
                               "forearm.R_end", "thigh.L", "thigh.R", "shin.L", "shin.R", "foot.L", "foot.R")),
                   neck="neck", head="face"),
    # CMU ASF/AMC (a joint is the end point of the bone named)
    "cmu": dict(zip(_BODY, ("lclavicle", "rclavicle", "lhumerus", "rhumerus", "lradius", "rradius", "lhipjoint",
                            "rhipjoint", "lfemur", "rfemur", "ltibia", "rtibia")), neck="lowerneck",
                head="upperneck", head_rotation="head"),
}
_UNITS = (1.0, 0.01, 0.0254, 0.001)  # metres, centimetres, inches, millimetres
_LEG = 0.85  # an adult's hip-to-ankle length in metres, to tell the units


def _bare(name: str) -> str:
    return name.rsplit(":", 1)[-1]


def detect_rig(names: list[str]) -> str:
    """The `RIGS` entry whose joints the skeleton has all of."""
    have = {_bare(n) for n in names}
    for rig, joints in RIGS.items():
        if all(j in have for j in joints.values()):
            return rig
    raise MocapFormatError(f"unknown skeleton: none of {', '.join(RIGS)} fits joints {', '.join(sorted(have))}")


def _face_offsets() -> np.ndarray:
    """Nose, eyes, ears relative to the head joint (x left, y up, z forward) of a 1.70 m synthetic character."""
    from ..synth.characters import Character, skeleton_arrays

    return skeleton_arrays([Character("reference", 1.70)])[1][0].astype(np.float64)


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-12)


def to_coco3d(mocap: Mocap, rig: str | None = None, fps: float = TARGET_FPS) -> np.ndarray:
    """COCO-17 joints (T', 17, 3) in metres, y up, resampled to ``fps``, floor (lowest ankles) at y = 0.

    Units are told from the leg length (metres, cm, inches or mm). The face is the synthetic characters'
    face, scaled by leg length, hung from the head joint and turned with it: its "forward" in the head's own
    frame is the body's mean facing direction (from shoulders and hips) seen from the head.
    """
    joints = RIGS[rig or detect_rig(mocap.names)]
    bare = [_bare(n) for n in mocap.names]
    idx = {k: bare.index(v) for k, v in joints.items()}
    pos = mocap.positions
    body = pos[:, [idx[k] for k in _BODY]]
    leg = np.median(np.linalg.norm(body[:, 6] - body[:, 8], axis=-1) + np.linalg.norm(body[:, 8] - body[:, 10],
                                                                                         axis=-1))
    scale = min(_UNITS, key=lambda u: abs(np.log(max(leg * u, 1e-9) / _LEG)))
    body = body * scale
    neck, head = pos[:, idx["neck"]] * scale, pos[:, idx["head"]] * scale
    rot = mocap.rotations[:, idx.get("head_rotation", idx["head"])]
    across = body[:, 0] - body[:, 1] + body[:, 6] - body[:, 7]  # towards the body's left
    forward = _unit(np.cross(across * [1, 0, 1], [0.0, 1.0, 0.0]))
    up_local = _unit(np.einsum("tji,tj->i", rot, _unit(head - neck)))
    fwd_local = np.einsum("tji,tj->i", rot, forward)
    fwd_local = _unit(fwd_local - up_local * (fwd_local @ up_local))
    frame = np.stack([np.cross(up_local, fwd_local), up_local, fwd_local], axis=-1)  # columns: left, up, forward
    face = _face_offsets() * (leg * scale / (0.491 * 1.70))
    face_world = head[:, None] + np.einsum("tij,jk,fk->tfi", rot, frame, face)
    coco = np.concatenate([face_world, body], axis=1)
    coco[..., 1] -= np.percentile(coco[:, 15:17, 1], 2)
    return resample_joints(coco, mocap.fps, fps)


def resample_joints(joints: np.ndarray, fps: float, target: float = TARGET_FPS) -> np.ndarray:
    """Linear interpolation of (T, J, 3) from ``fps`` to ``target`` frames per second (same duration)."""
    if abs(fps - target) < 1e-6:
        return joints.astype(np.float32)
    n = len(joints)
    t_new = np.arange(0.0, (n - 1) / fps + 1e-9, 1.0 / target)
    src = t_new * fps
    lo = np.clip(np.floor(src).astype(int), 0, n - 1)
    hi = np.clip(lo + 1, 0, n - 1)
    w = (src - lo)[:, None, None]
    return ((1 - w) * joints[lo] + w * joints[hi]).astype(np.float32)


def load_mocap(path: str | Path, amc: str | Path | None = None) -> np.ndarray:
    """A BVH file, or an ASF skeleton with its AMC motion, as COCO-17 (T, 17, 3): metres, y up, 30 fps."""
    path = Path(path)
    mocap = read_asf_amc(path, amc) if path.suffix.lower() == ".asf" else read_bvh(path)
    return to_coco3d(mocap)
