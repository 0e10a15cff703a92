"""COCO-17 arrays: .npy / .npz / .csv forms, and save -> load round trips in every writable format."""

from __future__ import annotations

import numpy as np
import pytest
from pose_fixtures import person

from motionsim.errors import PoseFormatError
from motionsim.io import WRITERS, as_pose_sequence, load_pose, save_pose
from motionsim.pose import PoseSequence
from motionsim.skeleton import COCO17_JOINTS


def _motion(n: int = 6) -> np.ndarray:
    """(n, 17, 3) x, y, score with varied scores and one missing joint."""
    pts = np.stack([person(300 + 5 * t, 400, 250, t) for t in range(n)])
    scores = np.linspace(0.3, 1.0, n * 17).reshape(n, 17)
    scores[2, 4] = 0.0
    return np.concatenate([pts, scores[..., None]], axis=2).astype(np.float32)


@pytest.mark.parametrize("ext", [".json", ".npy", ".npz", ".csv"])
def test_round_trip(tmp_path, ext) -> None:
    arr = _motion()
    seq = PoseSequence(arr[..., :2], arr[..., 2], fps=25.0)
    back = load_pose(save_pose(seq, tmp_path / f"m{ext}"))
    np.testing.assert_allclose(back.keypoints, seq.keypoints, atol=1e-3)
    np.testing.assert_allclose(back.scores, seq.scores, atol=1e-4)
    if ext in (".json", ".npz"):
        assert back.fps == seq.fps


def test_every_writer_is_covered_by_the_round_trip() -> None:
    assert set(WRITERS) == {"coco", "npy", "npz", "csv"}


def test_npy_two_channels_marks_zero_points_missing(tmp_path) -> None:
    arr = _motion()[..., :2].copy()
    arr[1, 3] = 0.0
    np.save(tmp_path / "a.npy", arr)
    seq = load_pose(tmp_path / "a.npy")
    assert seq.scores[1, 3] == 0 and seq.scores[0, 3] == 1


@pytest.mark.parametrize("key", ["keypoints", "poses"])
def test_npz_keypoints_key_or_single_array(tmp_path, key) -> None:
    arr = _motion()
    np.savez(tmp_path / "a.npz", **{key: arr})
    seq = load_pose(tmp_path / "a.npz")
    np.testing.assert_allclose(seq.scores, arr[..., 2])
    assert seq.fps is None


def test_npz_scores_override_third_channel(tmp_path) -> None:
    arr = _motion()
    scores = np.full(arr.shape[:2], 0.25)
    np.savez(tmp_path / "a.npz", keypoints=arr, scores=scores, fps=30)
    seq = load_pose(tmp_path / "a.npz")
    np.testing.assert_allclose(seq.scores, scores)
    assert seq.fps == 30


@pytest.mark.parametrize("naming", ["indexed", "named"])
@pytest.mark.parametrize("with_scores", [True, False])
def test_csv_forms(tmp_path, naming, with_scores) -> None:
    arr = _motion(3)
    cols = []
    for j, name in enumerate(COCO17_JOINTS):
        xyz = [f"x{j}", f"y{j}", f"s{j}"] if naming == "indexed" else [f"{name}_x", f"{name}_y", f"{name}_score"]
        cols.append(xyz if with_scores else xyz[:2])
    header = ["time"] + [c for trio in cols[::-1] for c in trio]  # reversed joint order: order must not matter
    rows = [[f"t{t}"] + [str(v) for j in range(16, -1, -1) for v in arr[t, j, : len(cols[0])]] for t in range(3)]
    path = tmp_path / "a.csv"
    path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n")
    seq = load_pose(path)
    np.testing.assert_allclose(seq.keypoints, arr[..., :2], rtol=1e-6)
    expected = arr[..., 2] if with_scores else np.ones(arr.shape[:2])
    np.testing.assert_allclose(seq.scores, expected, rtol=1e-6)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: np.save(p / "a.npy", np.ones((4, 18, 3))), r"shape \(4, 18, 3\), expected \(T, 17, 2\)"),
        (lambda p: np.save(p / "a.npy", np.ones((4, 34))), r"shape \(4, 34\)"),
        (lambda p: np.save(p / "a.npy", np.array(["a", "b"])), r"dtype <U1, expected numbers"),
        (lambda p: (p / "a.npy").write_bytes(b"not numpy at all"), r"is not a readable .npy array"),
        (lambda p: (p / "a.npz").write_bytes(b"PK garbage"), r"is not a readable .npz archive"),
        (lambda p: np.savez(p / "a.npz", x=np.ones((2, 17, 3)), y=np.ones(2)), r"expected one named 'keypoints'"),
        (lambda p: np.savez(p / "a.npz", keypoints=np.ones((2, 17, 2)), scores=np.ones((3, 17))),
         r"scores have shape \(3, 17\)"),
        (lambda p: (p / "a.csv").write_text("x0,y0\n1,2\n"), r"CSV header lacks columns x1,y1"),
        (lambda p: (p / "a.csv").write_text(",".join(f"x{j},y{j}" for j in range(17)) + "\n"), r"zero frames"),
        (lambda p: (p / "a.csv").write_text(",".join(f"x{j},y{j}" for j in range(17)) + "\n1,2\n"),
         r"row 2 has 2 cells, the header has 34"),
    ],
)
def test_bad_arrays(tmp_path, make, message) -> None:
    make(tmp_path)
    path = next(tmp_path.iterdir())
    with pytest.raises(PoseFormatError, match=message) as info:
        load_pose(path)
    assert str(info.value).startswith(str(path)) and "\n" not in str(info.value)


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_in_memory_arrays_become_contiguous_float32(order, dtype) -> None:
    """An array (T, 17, 3) gives its x, y and scores as C-contiguous float32 (later steps are several times
    slower on the strided view ``arr[..., :2]``), with the same values; so does a PoseSequence made from views."""
    rng = np.random.default_rng(0)
    arr = np.asarray(rng.normal(size=(9, 17, 3)), dtype=dtype, order=order)
    seq = as_pose_sequence(arr)
    assert seq.keypoints.flags.c_contiguous and seq.scores.flags.c_contiguous
    assert seq.keypoints.dtype == seq.scores.dtype == np.float32
    np.testing.assert_array_equal(seq.keypoints, arr[..., :2].astype(np.float32))
    np.testing.assert_array_equal(seq.scores, arr[..., 2].astype(np.float32))
    direct = PoseSequence(arr[..., :2], arr[..., 2])
    assert direct.keypoints.flags.c_contiguous and direct.scores.flags.c_contiguous
    assert as_pose_sequence(np.zeros((0, 17, 3))).keypoints.shape == (0, 17, 2)
