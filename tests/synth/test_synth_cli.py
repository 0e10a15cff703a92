"""`motionsim synth ...` through a tiny argparse parser (the main CLI calls the same `register`)."""

import argparse

import pytest

from motionsim.errors import MotionsimError
from motionsim.synth.cli import register


def _run(argv):
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.func(args)


def test_preview_writes_a_small_png(tmp_path):
    out = tmp_path / "p.png"
    assert _run(["synth", "preview", "--out", str(out), "--motions", "clap", "jump"]) == 0
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) < 300_000


def test_write_sara_and_list(tmp_path, capsys):
    assert _run(["synth", "write-sara", str(tmp_path), "--n-motions", "1", "--n-variations", "2"]) == 0
    assert len(list(tmp_path.glob("train/*/*/*/*/motion.npy"))) == 12 * 2
    assert _run(["synth", "list"]) == 0
    assert "wave_right" in capsys.readouterr().out


def test_unknown_motion_is_a_user_error(tmp_path):
    with pytest.raises(MotionsimError, match="unknown motion"):
        _run(["synth", "preview", "--out", str(tmp_path / "x.png"), "--motions", "moonwalk"])
