# Two commands do all set-up on a fresh machine (each creates or reuses .venv):
#   make demo   -> installs motionsim (no PyTorch) and compares the bundled example motions
#   make test   -> installs motionsim[train,dev,video,plot,web] (+ the Sports2D and Pose2Sim demo videos, Debian
#                  chromium, a second torch-free environment) and runs the tests
PYTHON ?= python3
VENV := .venv
LIGHT := .venv-light
BIN := $(VENV)/bin

.PHONY: demo test lint bench clean onnx

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# The core install (make demo) has no PyTorch: the bundled model runs on onnxruntime.
$(VENV)/.core: $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e .
	touch $@

# Tests need the train extra. torch is pinned here (a CPU build); an unpinned torch would pull several GB of
# CUDA wheels. sports2d and pose2sim are installed without dependencies only for the real videos inside their
# wheels (Sports2D/Demo/demo.mp4; Pose2Sim/Demo_MultiPerson and Demo_SinglePerson: 51 MB, ~3 s to install).
# Browser tests drive Debian's chromium through Playwright (Playwright's own browser download cannot work here).
$(VENV)/.test: $(VENV)/.core $(LIGHT)/.light
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e ".[train,dev,video,plot,web]"
	$(BIN)/pip install -q --no-deps sports2d==0.8.34
	$(BIN)/pip install -q --no-deps pose2sim==0.10.49
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)
	touch $@

# A second environment with only the core install (no PyTorch), built from the source tree as a user's
# `pip install motionsim` would be: tests/test_light_install.py runs the demo and compare in it.
$(LIGHT)/.light: pyproject.toml $(shell find src/motionsim -type f -not -path '*/__pycache__/*')
	$(PYTHON) -m venv $(LIGHT)
	$(LIGHT)/bin/pip install -q --upgrade pip
	$(LIGHT)/bin/pip install -q .
	touch $@

# Regenerate the bundled ONNX model from the bundled weights (a test fails while they disagree).
onnx: $(VENV)/.test
	$(BIN)/motionsim export-onnx src/motionsim/weights/bpe_default.safetensors -o src/motionsim/weights/bpe_default.onnx

demo: $(VENV)/.core
	$(BIN)/motionsim demo

test: $(VENV)/.test
	$(BIN)/python -m pytest

lint: $(VENV)/.test
	$(BIN)/ruff check src tests benchmarks

bench: $(VENV)/.test
	$(BIN)/python benchmarks/bench_compare.py
	$(BIN)/python benchmarks/bench_score_pairs.py
	$(BIN)/python benchmarks/bench_dtw.py
	$(BIN)/python benchmarks/bench_web.py

clean:
	rm -rf $(VENV) $(LIGHT) build *.egg-info src/*.egg-info
