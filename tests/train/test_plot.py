"""The loss curve: drawn without pyplot (the caller's backend is left alone); without matplotlib, a warning."""

import logging
import sys

import pytest

from motionsim.train.plot import plot_losses

ROWS = [{"step": 1, "train_total": 2.0}, {"step": 2, "train_total": 1.5, "val_total": 1.7}]


def test_writes_a_png_without_touching_pyplot_or_the_backend(tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    before = matplotlib.get_backend()
    assert plot_losses(ROWS, tmp_path / "c.png")
    assert (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"
    assert matplotlib.get_backend() == before


def test_without_matplotlib_it_warns_and_writes_nothing(tmp_path, monkeypatch, caplog):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import fails as if not installed
    with caplog.at_level(logging.WARNING, logger="motionsim.train.plot"):
        assert not plot_losses(ROWS, tmp_path / "c.png")
    assert not (tmp_path / "c.png").exists()
    assert "matplotlib is not installed" in caplog.text and "motionsim[plot]" in caplog.text
