"""The real-motion validation set without any download: mocap readers on hand-written files, the COCO-17
mapping, the pair labels and `evaluate_real` on a tiny cache built here."""

from __future__ import annotations

import json

import numpy as np
import pytest

from motionsim.errors import MotionsimError
from motionsim.evaluate import BPEMethod, JointDistance
from motionsim.evaluate.real import (
    MANIFEST,
    MANIFEST_VERSION,
    OTHER,
    RELATED,
    SAME,
    best_spearman,
    evaluate_real,
    format_real_table,
    load_real_set,
    pair_labels,
)
from motionsim.evaluate.real_mocap import (
    Mocap,
    MocapFormatError,
    detect_rig,
    read_asf_amc,
    read_bvh,
    resample_joints,
    to_coco3d,
)
from motionsim.io import save_pose
from motionsim.skeleton import BODY_PARTS
from motionsim.synth import View
from motionsim.synth.sampler import render

# Root with 6 channels, a "Knee" one unit below it (Z, X, Y rotations), an End Site one unit below the knee.
BVH = """HIERARCHY
ROOT Hips
{
  OFFSET 0 0 0
  CHANNELS 6 Xposition Yposition Zposition Zrotation Yrotation Xrotation
  JOINT Knee
  {
    OFFSET 0 -1 0
    CHANNELS 3 Zrotation Xrotation Yrotation
    End Site
    {
      OFFSET 0 -1 0
    }
  }
}
MOTION
Frames: 3
Frame Time: 0.04
0 0 0 0 0 0 0 0 0
1 2 3 90 0 0 0 90 0
0 0 0 0 0 0 90 90 0
"""


def test_bvh_forward_kinematics_by_hand(tmp_path):
    path = tmp_path / "leg.bvh"
    path.write_text(BVH)
    m = read_bvh(path)
    assert m.names == ["Hips", "Knee", "Knee_end"]
    assert m.fps == pytest.approx(25.0)
    # rest: straight down
    np.testing.assert_allclose(m.positions[0], [[0, 0, 0], [0, -1, 0], [0, -2, 0]], atol=1e-9)
    # root at (1,2,3) turned 90 deg about z: the knee offset (0,-1,0) becomes (1,0,0); the knee's 90 deg
    # about x turns the shin (0,-1,0) to (0,0,-1), which the root's z turn leaves alone
    np.testing.assert_allclose(m.positions[1], [[1, 2, 3], [2, 2, 3], [2, 2, 2]], atol=1e-9)
    # channel order: Zrotation then Xrotation is Rz(90) @ Rx(90): (0,-1,0) -> (0,0,-1); the other order
    # would give (1,0,0)
    np.testing.assert_allclose(m.positions[2], [[0, 0, 0], [0, -1, 0], [0, -1, -1]], atol=1e-9)


def test_bvh_rejects_other_files(tmp_path):
    bad = tmp_path / "x.bvh"
    bad.write_text("hello")
    with pytest.raises(MocapFormatError, match="not a BVH"):
        read_bvh(bad)
    short = tmp_path / "short.bvh"
    short.write_text(BVH.replace("Frames: 3", "Frames: 4"))
    with pytest.raises(MocapFormatError, match="expected 4 frames"):
        read_bvh(short)


ASF = """:version 1.10
:units
  mass 1.0
  length 0.0254
  angle deg
:root
   order TX TY TZ RX RY RZ
   axis XYZ
   position 0 0 0
   orientation 0 0 0
:bonedata
  begin
     id 1
     name a
     direction 0 1 0
     length 1
     axis 0 0 0 XYZ
    dof rx ry rz
  end
  begin
     id 2
     name b
     direction 1 0 0
     length 2
     axis 0 0 90 XYZ
    dof rx
  end
:hierarchy
  begin
    root a
    a b
  end
"""
AMC = """:FULLY-SPECIFIED
:DEGREES
1
root 0 0 0 0 0 0
a 0 0 0
b 0
2
root 0.5 0 0 0 0 0
a 0 0 90
b 30
"""


def test_asf_amc_forward_kinematics_by_hand(tmp_path):
    (tmp_path / "s.asf").write_text(ASF)
    (tmp_path / "s.amc").write_text(AMC)
    m = read_asf_amc(tmp_path / "s.asf", tmp_path / "s.amc", fps=60)
    assert m.names == ["root", "a", "b"] and m.fps == 60
    np.testing.assert_allclose(m.positions[0], [[0, 0, 0], [0, 1, 0], [2, 1, 0]], atol=1e-9)  # length unit = 1 m
    # frame 2: a turns 90 deg about z: (0,1,0) -> (-1,0,0); b's local x axis is the world's y (axis 0 0 90), so
    # rx 30 turns (1,0,0) about y to (cos30, 0, -sin30), then a's turn gives (0, cos30, -sin30)
    c, s = np.cos(np.pi / 6), np.sin(np.pi / 6)
    np.testing.assert_allclose(m.positions[1], [[0.5, 0, 0], [-0.5, 0, 0], [-0.5, 2 * c, -2 * s]], atol=1e-9)


def _standing(names: dict[str, str], unit: float = 100.0) -> Mocap:
    """A person standing, facing +z (left at +x), in centimetres, identity rotations, 60 fps, 11 frames."""
    body = {"l_shoulder": (0.18, 1.45, 0), "r_shoulder": (-0.18, 1.45, 0), "l_elbow": (0.2, 1.15, 0),
            "r_elbow": (-0.2, 1.15, 0), "l_wrist": (0.2, 0.9, 0), "r_wrist": (-0.2, 0.9, 0),
            "l_hip": (0.1, 0.95, 0), "r_hip": (-0.1, 0.95, 0), "l_knee": (0.1, 0.52, 0), "r_knee": (-0.1, 0.52, 0),
            "l_ankle": (0.1, 0.08, 0), "r_ankle": (-0.1, 0.08, 0), "neck": (0, 1.5, 0), "head": (0, 1.6, 0)}
    order = list(body)
    pos = np.array([body[k] for k in order]) * unit
    pos = np.repeat(pos[None], 11, axis=0)
    pos[:, :, 2] += np.linspace(0, 50, 11)[:, None]  # walks forward 0.5 m
    rot = np.broadcast_to(np.eye(3), (11, len(order), 3, 3)).copy()
    return Mocap([names.get(k, k) for k in order], pos, rot, 60.0)


def test_coco_mapping_units_face_and_resampling():
    from motionsim.evaluate.real_mocap import RIGS

    names = {k: "mixamorig:" + v for k, v in RIGS["biped"].items()}
    m = _standing(names)
    assert detect_rig(m.names) == "biped"
    coco = to_coco3d(m)
    assert coco.shape == (6, 17, 3)  # 11 frames at 60 fps = 1/6 s -> 6 frames at 30 fps
    np.testing.assert_allclose(coco[0, 13], [0.1, 0.44, 0.0], atol=1e-5)  # left knee, metres, floor at the ankles
    np.testing.assert_allclose(coco[-1, 15, 2] - coco[0, 15, 2], 0.5, atol=1e-5)  # 0.5 m forward
    nose, l_eye, r_eye, l_ear, r_ear = coco[0, :5]
    head = np.array([0, 1.6 - 0.08, 0])
    assert nose[2] > head[2] + 0.05 and nose[2] > l_ear[2]  # the face looks forward (+z)
    assert l_eye[0] > 0 > r_eye[0] and l_ear[0] > l_eye[0]  # left is +x
    assert l_eye[1] > nose[1]


def test_rig_detection_and_resampling():
    with pytest.raises(MocapFormatError, match="unknown skeleton"):
        detect_rig(["a", "b"])
    x = np.arange(5, dtype=float)[:, None, None] * np.ones((1, 2, 3))
    np.testing.assert_allclose(resample_joints(x, 60, 30)[:, 0, 0], [0, 2, 4])
    np.testing.assert_allclose(resample_joints(x, 20, 30)[:, 0, 0], [0, 2 / 3, 4 / 3, 2, 8 / 3, 10 / 3, 4])


def test_pair_labels():
    segments = [{"id": "a", "label": "walk", "family": "walk"}, {"id": "b", "label": "run", "family": "walk"},
                {"id": "c", "label": "jump", "family": "jump"}, {"id": "d", "label": "spin", "family": "spin"},
                {"id": "e", "label": "idle", "family": "idle"}]
    pairs = pair_labels(["a", "a", "b", "c", "d", "e"], segments, [("spin", "jump")])
    got = {(int(i), int(j)): float(t) for i, j, t in zip(pairs.i, pairs.j, pairs.target)}
    assert got[(0, 1)] == SAME
    assert got[(0, 2)] == got[(1, 2)] == RELATED  # same family
    assert got[(3, 4)] == RELATED  # a related label pair, given in the other order
    assert got[(0, 3)] == got[(4, 5)] == OTHER
    assert pairs.counts() == {"same": 1, "related": 3, "other": 11, "total": 15}
    assert pairs.kind[0] == "walk~walk" and "jump~spin" in set(pairs.kind)
    assert 0 < best_spearman(pairs.target) < 1
    with pytest.raises(MotionsimError, match="unknown segments"):
        pair_labels(["zz"], segments)


def _tiny_cache(root):
    """3 segments (two related walks, one squat) x 3 renderings (character + camera) of synthetic motions."""
    segments, renderings = [], []
    setups = [("mateo", View(yaw=0.3)), ("nora", View(yaw=-0.5, pitch=0.1)), ("omar", View(yaw=1.0))]
    for seg_id, motion, values, family in (("walk_1", "walk", None, "walk"), ("run_1", "run", None, "walk"),
                                           ("squat_1", "squat", None, "crouch")):
        segments.append({"id": seg_id, "label": seg_id[:-2], "family": family})
        for r, (character, view) in enumerate(setups):
            xy = render(motion, values, character, view) * 300 + 500
            path = save_pose(np.asarray(xy[:60], dtype=np.float32), root / "renderings" / f"{seg_id}__r{r}.npz")
            renderings.append({"id": f"{seg_id}__r{r}", "segment": seg_id, "path": str(path.relative_to(root))})
    (root / MANIFEST).write_text(json.dumps({"version": MANIFEST_VERSION, "segments": segments,
                                             "renderings": renderings, "related_labels": []}))


def test_evaluate_real_on_a_tiny_cache(tmp_path):
    (tmp_path / "renderings").mkdir()
    _tiny_cache(tmp_path)
    assert len(load_real_set(tmp_path).renderings) == 9
    ev = evaluate_real([JointDistance(), BPEMethod(stride=4)], tmp_path)
    assert ev.sizes == {"segments": 3, "renderings": 9, "same": 9, "related": 9, "other": 18, "total": 36}
    jd, bpe = ev.results
    assert not jd.parts and set(bpe.parts) == {*BODY_PARTS, "min_over_parts"}
    assert bpe.scores.same_auc > 0.9 and bpe.scores.spearman > 0.3
    for row in (jd.scores, bpe.scores, *bpe.parts.values()):
        assert -1 <= row.spearman <= 1 and 0 <= row.related_auc <= 1 and 0 < row.retrieval_map <= 1
    assert set(bpe.related_by_kind) == {"run~walk"}
    table = format_real_table(ev)
    assert "min_over_parts" in table and "36 pairs (9 same, 9 related, 18 other)" in table
    assert json.loads(json.dumps(ev.to_dict()))["methods"]["bpe"]["parts"]["torso"]["spearman"] is not None


def test_missing_cache_says_how_to_build_it(tmp_path):
    with pytest.raises(MotionsimError, match=r"tools/build_real_motion.py --cache"):
        evaluate_real([JointDistance()], tmp_path / "nowhere")
    (tmp_path / MANIFEST).write_text(json.dumps({"version": 0}))
    with pytest.raises(MotionsimError, match="rebuild"):
        load_real_set(tmp_path)


def _builder():
    """tools/build_real_motion.py as a module (tools/ is not a package)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "tools" / "build_real_motion.py"
    spec = importlib.util.spec_from_file_location("build_real_motion", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _angle(u, v):
    cos = (u * v).sum(-1) / (np.linalg.norm(u, axis=-1) * np.linalg.norm(v, axis=-1))
    return np.degrees(np.arccos(np.clip(cos, -1, 1)))


def _turned_by(u, v, angle):
    """A turn by ``angle`` moves a segment by that angle, less where it lies partly along the turn's axis."""
    got = _angle(u, v)
    return bool(np.all(got <= angle + 0.01) and np.median(got) > 0.95 * angle)


@pytest.mark.parametrize("axis", ["across", "forward"])
def test_rotate_part_turns_one_part_by_the_angle(axis):
    from motionsim.synth.motions import motion_3d

    build = _builder()
    joints = motion_3d("walk", None, "ada")
    arm = build.rotate_part(joints, "right_arm", 60, axis)
    assert _turned_by(arm[:, 8] - arm[:, 6], joints[:, 8] - joints[:, 6], 60)
    assert np.allclose(np.delete(arm, [8, 10], axis=1), np.delete(joints, [8, 10], axis=1))
    leg = build.rotate_part(joints, "left_leg", 30, axis)
    assert _turned_by(leg[:, 15] - leg[:, 11], joints[:, 15] - joints[:, 11], 30)
    trunk = build.rotate_part(joints, "torso", 45, axis)
    mid_hip = joints[:, 11:13].mean(axis=1)
    assert _turned_by(trunk[:, 5:7].mean(axis=1) - mid_hip, joints[:, 5:7].mean(axis=1) - mid_hip, 45)
    assert np.allclose(trunk[:, 9] - trunk[:, 5], joints[:, 9] - joints[:, 5], atol=1e-5)  # arms ride along
    assert np.allclose(trunk[:, 11:], joints[:, 11:])


def test_score_part_changes_counts_names_and_angle_ranking():
    from motionsim.evaluate.real_parts import score_part_changes

    rng = np.random.default_rng(0)
    trials, drops = [], []
    for seg in ("a", "b"):
        trials.append({"segment": seg, "part": None, "angle": 0})
        drops.append(np.zeros(5))
        for k, part in enumerate(BODY_PARTS):
            for angle in (15, 30, 45, 60, 75, 90):
                d = rng.normal(0, 0.01, 5)
                d[k] += angle / 100  # the changed part drops most, more for larger angles
                trials.append({"segment": seg, "part": part, "angle": angle})
                drops.append(d)
    good = score_part_changes(np.array(drops), trials)
    assert good.trials == 60 and good.names_part == 1.0 and good.drop_vs_angle > 0.95
    assert set(good.by_part) == set(BODY_PARTS)
    shuffled = np.array(drops)[:, ::-1]  # the drop lands on another part (torso <-> right arm, ...)
    bad = score_part_changes(shuffled, trials)
    assert bad.names_part < 0.3 and bad.drop_vs_angle < 0.5


def test_evaluate_real_scores_part_changes(tmp_path):
    from motionsim.evaluate import JointAngles
    from motionsim.synth.camera import project
    from motionsim.synth.motions import motion_3d

    build = _builder()
    (tmp_path / "renderings").mkdir()
    (tmp_path / "part_changes").mkdir()
    _tiny_cache(tmp_path)
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    joints = motion_3d("walk", None, "nora")[:60]
    changes = []
    for part, angle in [(None, 0)] + [(p, a) for p in BODY_PARTS for a in (20, 50, 80)]:
        moved = joints if part is None else build.rotate_part(joints, part, angle, "across")
        xy = project(moved, View(yaw=-0.8)) * 300 + 500
        cid = f"walk_1__{part}_{angle}"
        path = save_pose(np.asarray(xy, np.float32), tmp_path / "part_changes" / f"{cid}.npz")
        changes.append({"id": cid, "segment": "walk_1", "reference": "walk_1__r0", "part": part, "angle": angle,
                        "axis": "across", "path": str(path.relative_to(tmp_path))})
    manifest["part_changes"] = changes
    (tmp_path / MANIFEST).write_text(json.dumps(manifest))
    ev = evaluate_real([JointAngles(), BPEMethod(stride=4)], tmp_path, flip=False)
    for row in ev.results:
        pc = row.part_change
        assert pc is not None and pc.trials == 15
        assert pc.names_part >= 0.6 and pc.drop_vs_angle > 0.5, (row.name, pc)
    assert "Part changes" in format_real_table(ev)
    assert json.loads(json.dumps(ev.to_dict()))["methods"]["bpe"]["part_change"]["trials"] == 15
