# neuralnets101: `make lab` opens the course, `make test` checks and runs it,
# `make test-colab` runs it again in an environment with Google Colab's package versions (colab/constraints.txt).
VENV   ?= .venv
PYTHON ?= python3
PY      = $(VENV)/bin/python
STAMP   = $(VENV)/.installed-stamp
LAB_DIR ?= nbs
ROOT_FLAG = $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: install lab test test-colab colab-pins stamp readme outputs outputs-maintainer quiet-offline bench-course bench-final bench-final-busy bench-offline clean-nbs

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# JupyterLab on $(LAB_DIR) with more options from LAB_ARGS; tools/lab/ holds the server settings that let the lessons
# open unmodified and save unchanged (see CONTRIBUTING.md, "Notebook metadata")
lab: $(STAMP)
	JUPYTER_CONFIG_PATH="$(CURDIR)/tools/lab$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}" \
	$(VENV)/bin/jupyter lab --notebook-dir=$(LAB_DIR) $(ROOT_FLAG) $(LAB_ARGS)

test: $(STAMP)
	$(PY) tools/run_tests.py

# builds .venv-colab with Colab's pins, installs the course as the setup cell does (from this checkout's HEAD),
# runs the lessons there and drives their sliders in the classic Notebook 6.5.7; needs only $(PYTHON) and git
test-colab:
	$(PYTHON) tools/test_colab.py

# Regenerate colab/constraints.txt from Colab's package list (colab/colab-pip-freeze.txt) and the installed closure
# of the Colab test environment (.venv-colab, built by make test-colab; else this project's .venv)
colab-pins: $(STAMP)
	$(PY) tools/colab_pins.py

# After committing a change to the package: write its commit into every notebook's setup cell, then commit the notebooks
stamp: $(STAMP)
	$(PY) tools/stamp_colab.py

# README.md from nbs/index.ipynb, after writing the index's results section from bench/results.json
readme: $(STAMP)
	$(PY) tools/make_readme.py

# Run the lessons on full MNIST and save them with their outputs (needs NEURALNETS101_MNIST=/path/to/mnist_png.tgz;
# uses a throw-away FASTAI_HOME unless one is set). Commit the notebooks it writes.
outputs: $(STAMP)
	$(PY) tools/make_outputs.py

# Run the maintainer notebooks (tools/course.py's MAINTAINER_OUTPUTS) on the offline subset and save them with their outputs,
# so that each function's output shows next to it. Commit the notebooks it writes.
outputs-maintainer: $(STAMP)
	NEURALNETS101_OFFLINE=1 $(PY) tools/make_outputs.py --maintainer

# Run the lessons on the offline subset without saving them; fail on any warning beyond one offline notice each.
quiet-offline: $(STAMP)
	$(PY) tools/make_outputs.py --offline

# The benchmarks print one JSON line; with SAVE=1 they also write it into bench/results.json (then: make readme, make test).
# On full MNIST: NEURALNETS101_MNIST=/path/to/mnist_png.tgz make bench-final SAVE=1
BENCH_SAVE = $(if $(SAVE),--save,)
bench-course: $(STAMP)
	$(PY) -m neuralnets101.bench course $(BENCH_SAVE)

bench-final: $(STAMP)
	$(PY) -m neuralnets101.bench final $(BENCH_SAVE)

bench-final-busy: $(STAMP)
	$(PY) -m neuralnets101.bench final --busy 1 $(BENCH_SAVE)

# Both benchmarks on the offline subset, whatever this machine has: a throw-away fastai data folder, no network
bench-offline: $(STAMP)
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	for name in course final; do env -u NEURALNETS101_MNIST FASTAI_HOME="$$tmp" NEURALNETS101_OFFLINE=1 $(PY) -m neuralnets101.bench $$name $(BENCH_SAVE) || exit 1; done

clean-nbs: $(STAMP)
	$(VENV)/bin/nbdev-clean
	$(VENV)/bin/nbdev-export
