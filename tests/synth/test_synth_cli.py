"""`motionsim synth ...` through `motionsim.cli.main`, exactly as the console script runs it."""

from helpers import run_cli as _run


def test_preview_writes_a_small_png(tmp_path, capsys):
    out = tmp_path / "p.png"
    code, text, err = _run(["synth", "preview", "--out", str(out), "--motions", "clap", "jump"], capsys)
    assert code == 0, err
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) < 300_000
    assert str(out) in text


def test_write_sara_and_list(tmp_path, capsys):
    code, text, err = _run(["synth", "write-sara", str(tmp_path), "--n-motions", "1", "--n-variations", "2"], capsys)
    assert code == 0, err
    assert len(list(tmp_path.glob("train/*/*/*/*/motion.npy"))) == 12 * 2
    assert "motion.npy" in text
    code, text, _ = _run(["synth", "list"], capsys)
    assert code == 0 and "wave_right" in text


def test_unknown_motion_is_a_user_error(tmp_path, capsys):
    code, _, err = _run(["synth", "preview", "--out", str(tmp_path / "x.png"), "--motions", "moonwalk"], capsys)
    assert code == 2 and "unknown motion" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x.png").exists()


def test_counts_must_be_positive(tmp_path, capsys):
    for flag in ("--n-motions", "--n-variations"):
        code, _, err = _run(["synth", "write-sara", str(tmp_path), flag, "0"], capsys)
        assert code == 2 and "positive integer" in err
