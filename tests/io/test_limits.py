"""The reading limit: every keypoint reader refuses, with one line naming the file, an input that would take more
memory than the limit (a compressed bomb, a header claiming an impossible shape, a too-large text file, a
zip directory of many members, JSON nested too deeply) before allocating it, and stays fast doing so."""

from __future__ import annotations

import io
import json
import time
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest

from motionsim.errors import InputTooLargeError, PoseFormatError
from motionsim.evaluate.toy import make_motion
from motionsim.io import MAX_INPUT_BYTES, READERS, detect_format, load_pose, save_pose

MB = 1024 * 1024


def _npy_header(shape: tuple[int, ...], descr: str = "<f8") -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": False, "shape": shape})
    return buf.getvalue()


def write_bomb(path: Path, frames: int) -> None:
    """A .npz whose keypoints (frames, 17, 3) float64 are zeros: a few hundred KB that expand to frames x 408 B."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("keypoints.npy", "w", force_zip64=True) as m:
        m.write(_npy_header((frames, 17, 3)))
        left, chunk = frames * 17 * 3 * 8, bytes(4 * MB)
        while left:
            m.write(chunk[:min(left, len(chunk))])
            left -= min(left, len(chunk))


def traced_peak_mb(run) -> float:
    """The peak of memory allocated (Python objects and NumPy arrays, all threads) while ``run()`` runs, in MB."""
    tracemalloc.start()
    try:
        run()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak / MB


def test_a_compressed_bomb_is_refused_before_it_expands(tmp_path):
    bomb = tmp_path / "bomb.npz"
    write_bomb(bomb, 250_000)  # 102 MB of float64 from ~100 KB
    assert bomb.stat().st_size < MB
    started = time.perf_counter()

    def read() -> None:
        with pytest.raises(InputTooLargeError, match=r"bomb\.npz: archive would expand to 97.3 MB, more than the "
                                                     r"reading limit of 8 MB"):
            load_pose(bomb, max_bytes=8 * MB)

    assert traced_peak_mb(read) < 2  # nothing was decompressed
    assert time.perf_counter() - started < 2.0
    small = tmp_path / "small.npz"
    save_pose(make_motion(40), small)
    assert len(load_pose(small, max_bytes=8 * MB)) == 40  # under the limit: read as before


def test_an_npz_member_whose_header_claims_more_than_it_holds(tmp_path):
    path = tmp_path / "liar.npz"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("keypoints.npy", _npy_header((10**9, 17, 3)) + bytes(64))
    with pytest.raises(PoseFormatError, match=r"liar\.npz: member 'keypoints.npy' header declares shape "
                                              r"\(1000000000, 17, 3\) \(408,000,000,000 bytes of float64\), "
                                              r"but only 64 bytes of data follow"):
        load_pose(path)


def test_an_npz_with_too_many_members_is_refused_from_its_directory(tmp_path):
    path = tmp_path / "many.npz"
    with zipfile.ZipFile(path, "w") as zf:
        for k in range(100):
            zf.writestr(f"a{k}.npy", b"")
    with pytest.raises(PoseFormatError, match=r"many\.npz: archive lists 100 members; a motion \.npz holds at most"):
        load_pose(path)


def test_an_npy_header_claiming_an_impossible_shape(tmp_path):
    path = tmp_path / "huge.npy"
    path.write_bytes(_npy_header((10**12, 17, 3)) + bytes(100))
    started = time.perf_counter()
    with pytest.raises(PoseFormatError, match=r"huge\.npy: header declares shape \(1000000000000, 17, 3\) "
                                              r"\(408,000,000,000,000 bytes of float64\), but only 100 bytes"):
        load_pose(path)
    assert time.perf_counter() - started < 0.5
    path.write_bytes(_npy_header((4, 17, 3), descr="|O") + bytes(4 * 17 * 3 * 8))
    with pytest.raises(PoseFormatError, match=r"huge\.npy: has dtype object, expected numbers"):
        load_pose(path)
    path.write_bytes(b"\x93NUMPY\x09\x00garbage")
    with pytest.raises(PoseFormatError, match=r"huge\.npy: is not a readable \.npy array"):
        load_pose(path)


def test_an_npy_over_the_limit(tmp_path):
    path = tmp_path / "big.npy"
    np.save(path, np.ones((20_000, 17, 3)))  # 8.2 MB
    with pytest.raises(InputTooLargeError, match=r"big\.npy: array of shape \(20000, 17, 3\) would take 7.78 MB, "
                                                 r"more than the reading limit of 4 MB"):
        READERS["npy"](path, max_bytes=4 * MB)
    assert len(load_pose(path)) == 20_000  # the default limit is far above it
    assert MAX_INPUT_BYTES == 512 * MB


@pytest.mark.parametrize("ext", [".json", ".csv"])
def test_text_files_over_the_limit_are_refused_unread(tmp_path, ext):
    path = save_pose(make_motion(300), tmp_path / f"m{ext}")
    size = path.stat().st_size
    with pytest.raises(InputTooLargeError, match=rf"m\{ext}: is .* MB, more than the reading limit of"):
        load_pose(path, max_bytes=size - 1)
    assert len(load_pose(path, max_bytes=size)) == 300


def test_openpose_folder_over_the_limit(tmp_path):
    for t in range(5):
        (tmp_path / f"c_{t:012d}_keypoints.json").write_text(json.dumps({"people": [
            {"pose_keypoints_2d": [10.0, 20.0, 0.9] * 25}]}))
    with pytest.raises(InputTooLargeError, match=r"holds 5 frame files of .* MB, more than the reading limit"):
        load_pose(tmp_path, max_bytes=1000)
    assert len(load_pose(tmp_path)) == 5


def test_deeply_nested_json_is_one_line(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(PoseFormatError, match=r"deep\.json: JSON nested too deeply to be a pose file"):
        load_pose(path)
    with pytest.raises(PoseFormatError, match="nested too deeply"):
        detect_format(path)


def test_a_csv_field_over_the_csv_module_limit_is_bad_input(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("x0," + "y" * 200_000 + "\n1,2\n")
    with pytest.raises(PoseFormatError, match=r"wide\.csv: cannot be read: Error: field larger than field limit"):
        load_pose(path)


def test_a_frame_number_far_away_is_not_a_gap_to_fill(tmp_path):
    """Missing frame numbers become empty frames; a span of 10^11 frames in a 100-byte file is refused."""
    path = tmp_path / "far.json"
    path.write_text(json.dumps({"annotations": [{"frame_num": 0, "objects": []},
                                                {"frame_num": 99_999_999_999, "objects": []}]}))
    started = time.perf_counter()
    with pytest.raises(InputTooLargeError, match=r"far\.json: frame numbers 0 to 99999999999 would take 1.95e\+07 MB"):
        load_pose(path)
    assert time.perf_counter() - started < 1
