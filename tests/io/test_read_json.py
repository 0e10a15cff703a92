"""read_json parses with orjson where it can and falls back to Python's parser for what orjson refuses: the
objects (and the errors) are those of `json.loads` either way."""

import json
import math

import pytest

from motionsim.errors import PoseFormatError
from motionsim.io._common import _fast_loads, read_json


def test_standard_json_parses_to_the_same_objects(tmp_path):
    doc = {"data": [{"frame_index": 1, "skeleton": [{"pose": [0.1, 1e-7, 12345678901.5, -0.0], "score": [1]}]}],
           "label": "é", "big": 2**63 - 1, "small": -(2**63)}
    text = json.dumps(doc)
    (tmp_path / "a.json").write_text(text, encoding="utf-8")
    assert _fast_loads(text) == json.loads(text)  # the fast path takes it
    assert read_json(tmp_path / "a.json") == json.loads(text)


@pytest.mark.parametrize("text", ['{"x": NaN}', '{"x": Infinity}', '{"x": -Infinity}', '{"x": 1e400}'])
def test_what_orjson_refuses_is_read_as_python_reads_it(tmp_path, text):
    with pytest.raises(ValueError):
        _fast_loads(text)
    (tmp_path / "a.json").write_text(text, encoding="utf-8")
    got, expected = read_json(tmp_path / "a.json")["x"], json.loads(text)["x"]
    assert got == expected or (math.isnan(got) and math.isnan(expected))


def test_broken_json_names_the_file_and_the_place(tmp_path):
    (tmp_path / "a.json").write_text('{"x": [1, 2,}', encoding="utf-8")
    with pytest.raises(PoseFormatError, match=r"a.json.*invalid JSON: .* at line 1 column"):
        read_json(tmp_path / "a.json")
