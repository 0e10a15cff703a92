"""SARA layout: write, read back the same arrays, and sample training items from it."""

import numpy as np
import pytest

from motionsim.errors import PoseFormatError
from motionsim.synth.characters import TRAIN_CHARACTERS, VAL_CHARACTERS
from motionsim.synth.motions import motion_3d
from motionsim.synth.sara import (
    SaraSampler,
    load_clip,
    parse_variation_dirname,
    read_sara,
    variation_dirname,
    window_starts,
    write_sara,
)


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("sara")
    n = write_sara(root, {"train": ["clap", "squat"], "test": ["hook"]},
                   {"train": TRAIN_CHARACTERS[:2], "test": VAL_CHARACTERS[:2]}, n_variations=3, random_state=0)
    return root, n


def test_round_trip_returns_the_written_arrays(tree):
    root, n = tree
    clips = read_sara(root, "train") + read_sara(root, "test")
    assert len(clips) == n == (2 * 2 + 1 * 2) * 3
    for clip in clips:
        expected = motion_3d(clip.motion, dict(zip(clip.variables, clip.values)), clip.character)
        got = load_clip(clip)
        assert np.array_equal(got, expected)
        assert int(clip.n_frames) == len(got)
        raw = np.load(clip.path)
        assert raw.shape == (17, 3, len(got))


def test_windows_follow_saras_split(tree):
    root, _ = tree
    clip = read_sara(root, "train")[0]
    arr = np.load(clip.path)
    starts = window_starts(arr.shape[-1])
    files = sorted((clip.path.parent / "motions").glob("*.npy"), key=lambda p: int(p.stem))
    assert [int(p.stem) for p in files] == list(range(1, len(starts) + 1))
    for f, s in zip(files, starts):
        assert np.array_equal(np.load(f), arr[:, :, s:s + 32])


def test_variation_names_round_trip():
    name = variation_dirname(("Energy", "Height"), (0.5, -1.0))
    assert name == "Energy_0.5|Height_-1"
    assert parse_variation_dirname(name) == (("Energy", "Height"), (0.5, -1.0))
    with pytest.raises(PoseFormatError):
        parse_variation_dirname("Energy")


def test_sara_sampler_gives_training_items(tree):
    root, _ = tree
    b = SaraSampler(root, "train").sample_batch(5, np.random.default_rng(0))
    assert b.renderings.shape == (5, 3, 2, 2, 32, 17, 2)
    assert all(m[0] == m[1] != m[2] for m in b.motions)
    assert ((b.variation > 0) & (b.variation <= 1)).all()


def test_missing_tree_is_a_clear_error(tmp_path):
    with pytest.raises(PoseFormatError, match="not a folder"):
        read_sara(tmp_path, "train")
