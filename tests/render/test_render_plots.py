import subprocess
import sys

import numpy as np
import pytest
from render_helpers import N_A, comparison

from motionsim.render.plots import embedding_map_figure, figure_svg, save_figure, timeline_figure


def test_timeline_figure_shows_every_part_threshold_and_overall():
    _, _, result = comparison()
    fig = timeline_figure(result, threshold=0.4)
    (ax,) = fig.axes
    labels = [line.get_label() for line in ax.get_lines()]
    assert {"right arm", "left arm", "right leg", "left leg", "torso", "overall", "threshold 0.4"} <= set(labels)
    assert len(ax.get_lines()[0].get_xdata()) == N_A
    assert f"{result['similarity']:.2f}" in ax.get_title()
    result["fps"] = {"a": 30.0, "b": 30.0}
    assert "(s)" in timeline_figure(result).axes[0].get_xlabel()


def test_save_png_and_svg(tmp_path):
    _, _, result = comparison()
    fig = timeline_figure(result)
    assert save_figure(fig, tmp_path / "t.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in save_figure(fig, tmp_path / "t.svg").read_bytes()[:500]
    with pytest.raises(ValueError):
        save_figure(fig, tmp_path / "t.pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.png", "t.svg"]
    svg = figure_svg(fig)
    assert svg.startswith("<svg") and "<metadata>" not in svg


def test_embedding_map_one_colour_per_label():
    points = np.random.default_rng(0).normal(size=(30, 2))
    fig = embedding_map_figure(points, ["walk", "run", "jump"] * 10, "motions")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["walk", "run", "jump"]
    colours = {tuple(c.get_facecolor()[0]) for c in ax.collections}
    assert len(ax.collections) == 3 and len(colours) == 3
    with pytest.raises(ValueError):
        embedding_map_figure(points, ["a"] * 29)


def test_plots_never_import_pyplot(tmp_path):
    code = ("import sys; import numpy as np; from motionsim.render import plots; "
            "plots.save_figure(plots.embedding_map_figure(np.zeros((2, 2)), [1, 2]), sys.argv[1]); "
            "assert 'matplotlib.pyplot' not in sys.modules")
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "map.png")], check=True)
    assert (tmp_path / "map.png").stat().st_size > 0
