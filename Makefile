# tutorgrad set-up for a fresh Debian/Ubuntu machine with Python 3.11+.
# The two commands a person needs: `make lab` (the lessons) and `make test` (the tests).
# Everything lands in .venv with the exact versions of constraints.txt.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
PYTEST_ARGS ?=
VENV := .venv
PY := $(VENV)/bin/python
# Stamp files: newer than pyproject.toml and constraints.txt means the install is current.
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench
NOTEBOOKS := $(wildcard notebooks/*.ipynb)
WELCOME := $(wildcard notebooks/01-welcome.ipynb)
PAGE_CONFIG := $(VENV)/etc/jupyter/labconfig/page_config.json
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
export DEBIAN_FRONTEND := noninteractive

.PHONY: help test test-kernels lab lessons bench clean check-python dot chromium

help: ## list the targets
	@awk -F':.*## ' '/^[a-z-]+:.*## /{printf "  make %-13s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

test: check-python dot chromium $(STAMP) ## set everything up, then run the tests (PYTEST_ARGS=... passes options)
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" MPLBACKEND=Agg $(PY) -m pytest $(PYTEST_ARGS)

test-kernels: check-python dot $(STAMP) ## the lessons' tests under other CPUs' kernels (slow: about 12 runs of a minute)
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" MPLBACKEND=Agg $(PY) tests/kernel_matrix.py $(if $(PYTEST_ARGS),-- $(PYTEST_ARGS))

lab: check-python dot $(STAMP) $(PAGE_CONFIG) ## set everything up, then open the lessons in JupyterLab
	$(if $(NOTEBOOKS),$(VENV)/bin/jupyter trust $(NOTEBOOKS))
	$(VENV)/bin/jupyter lab $(ALLOW_ROOT) $(if $(WELCOME),--LabApp.default_url=/lab/tree/$(WELCOME))

# LESSONS=notebooks/06-autograd.ipynb re-runs just that one. tools/run_lessons.py: fresh kernels, plots inline, the
# files left untrusted (as a fresh clone has them), no timing metadata, widget ids in a fixed order (a re-run
# changes nothing that did not change).
LESSONS ?= $(NOTEBOOKS)
lessons: check-python dot $(STAMP) ## re-run lessons top to bottom in fresh kernels and store their outputs (LESSONS=...)
	$(PY) tools/run_lessons.py $(LESSONS)

bench: check-python dot $(BENCH_STAMP) ## also install mygrad and micrograd, then run the benchmarks
	MPLBACKEND=Agg $(PY) benchmarks/run.py

clean: ## remove .venv, caches and build artifacts
	rm -rf $(VENV) .pytest_cache .hypothesis build dist *.egg-info test-artifacts
	find . \( -name __pycache__ -o -name .ipynb_checkpoints \) -type d -prune -exec rm -rf {} +

# --- helpers -------------------------------------------------------------------------------

# Python 3.11 or newer, or a clear message.
check-python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "tutorgrad needs Python >= 3.11, but '$(PYTHON)' is: $$(command -v $(PYTHON) >/dev/null && $(PYTHON) -V 2>&1 || echo 'not found')." >&2; \
	  echo "Install python3.11 (or newer) and run e.g. 'make PYTHON=python3.11 $(MAKECMDGOALS)'." >&2; exit 1; }

# The venv. Without python3-venv, `python -m venv` leaves a venv with no pip: remove it, install, retry.
$(VENV)/bin/pip: | check-python
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	  pkg=python$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')-venv; \
	  if [ "$$(id -u)" != 0 ]; then echo "Cannot create $(VENV): run 'sudo apt-get install $$pkg', then make again." >&2; exit 1; fi; \
	  apt-get update && apt-get install -y $$pkg && $(PYTHON) -m venv $(VENV); }

# The package and its extras at the pinned versions; redone only when pyproject.toml or constraints.txt change.
$(STAMP): pyproject.toml constraints.txt | $(VENV)/bin/pip
	$(PY) -m pip install -c constraints.txt -e '.[viz,lab,test]'
	touch $@

$(BENCH_STAMP): $(STAMP)
	$(PY) -m pip install -c constraints.txt -e '.[viz,lab,test,bench]'
	touch $@

# No JupyterLab news pop-up: what `jupyter labextension disable @jupyterlab/apputils-extension:announcements`
# writes (binder/postBuild runs that command; it takes about 20 s, so `make lab` writes the file once).
$(PAGE_CONFIG): | $(STAMP)
	mkdir -p $(@D)
	echo '{"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": true}}' > $@

# Graphviz's `dot` draws the computation graphs: required.
dot:
	@command -v dot >/dev/null && exit 0; \
	if [ "$$(id -u)" != 0 ]; then echo "Graphviz's 'dot' is missing: run 'sudo apt-get install graphviz', then make again." >&2; exit 1; fi; \
	apt-get update && apt-get install -y graphviz

# Chromium for the browser test: optional, that test skips itself without it.
chromium:
	@[ -x /usr/bin/chromium ] && exit 0; \
	if [ "$$(id -u)" != 0 ]; then echo "Note: no /usr/bin/chromium, the browser test will skip. To run it: sudo apt-get install chromium" >&2; exit 0; fi; \
	apt-get update && apt-get install -y chromium || echo "Note: could not install chromium, the browser test will skip." >&2
