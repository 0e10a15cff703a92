"""The pose cache: entries round-trip (one person and everyone), a broken entry is a miss (estimated again, never
an error), and a cache that cannot be written costs a warning only."""

import numpy as np

from motionsim.pose import PoseSequence
from motionsim.video import cache


def _seq(n=6, seed=0, **meta):
    rng = np.random.default_rng(seed)
    return PoseSequence(rng.random((n, 17, 2), dtype=np.float32), rng.random((n, 17), dtype=np.float32),
                        fps=30.0, source="v.mp4", meta=meta)


def test_entries_round_trip(tmp_path, monkeypatch):
    monkeypatch.setenv("MOTIONSIM_CACHE_DIR", str(tmp_path))
    one = _seq(person="auto", cache="miss")
    assert cache.save("k1", one) == tmp_path / "poses" / "k1.npz"
    got = cache.load("k1", "other name")
    assert np.array_equal(got.keypoints, one.keypoints) and np.array_equal(got.scores, one.scores)
    assert got.fps == 30.0 and got.source == "other name" and got.meta == {"person": "auto", "cache": "hit"}
    people = {3: _seq(seed=1, person=3), 7: _seq(seed=2, person=7)}
    cache.save_people("k2", people)
    back = cache.load_people("k2", "v.mp4")
    assert list(back) == [3, 7] and all(np.array_equal(back[i].keypoints, people[i].keypoints) for i in people)
    assert back[7].meta == {"person": 7, "cache": "hit"}
    assert cache.load_people("k1", "v.mp4") is None  # one person's entry is not everyone's


def test_a_broken_entry_is_a_miss(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("MOTIONSIM_CACHE_DIR", str(tmp_path))
    (tmp_path / "poses").mkdir()
    (tmp_path / "poses" / "bad.npz").write_bytes(b"PK\x03\x04 truncated")
    assert cache.load("bad", "v.mp4") is None and cache.load_people("bad", "v.mp4") is None
    assert "ignoring broken cache entry" in caplog.text
    assert cache.load("absent", "v.mp4") is None


def test_an_unwritable_cache_only_warns(tmp_path, monkeypatch, caplog):
    (tmp_path / "file").write_text("not a folder")
    monkeypatch.setenv("MOTIONSIM_CACHE_DIR", str(tmp_path / "file"))
    assert cache.save("k", _seq()) is None
    assert "could not write the pose cache" in caplog.text
