# coopcreds workbench — needs only Python 3.10+ and make.
# Every target creates .venv and installs the project on first use.

PYTHON ?= python3
VENV = .venv
BIN = $(VENV)/bin
STAMP = $(VENV)/.installed

# Extra arguments, e.g. `make test PYTEST_ARGS="-k did -x"`.
PYTEST_ARGS ?=
LAB_ARGS ?=
# e.g. `make workshop WORKSHOP_ARGS="--share --port 8900 --data my-workshop"`.
WORKSHOP_ARGS ?=

# Notebook output sanitizers, only if the file exists.
NBVAL_SANITIZE = $(if $(wildcard tests/nbval_sanitize.cfg),--nbval-sanitize-with tests/nbval_sanitize.cfg)
# --nbval: run notebooks/*.ipynb strictly (outputs must match);
# --nbval-current-env: kernel from this venv, not a user-wide "python3" kernelspec.
NBVAL = --nbval --nbval-current-env $(NBVAL_SANITIZE)

# JupyterLab offline: no news feed, no update check, no PyPI extension manager.
LAB_OFFLINE = --LabApp.news_url=None \
	--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
	--LabApp.extension_manager=readonly
# Jupyter refuses to start as root without --allow-root.
LAB_ROOT = $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root)

export JUPYTER_PLATFORM_DIRS = 1

.DEFAULT_GOAL := help
.PHONY: help install lab workshop test demo lint wheel-smoke bench bench-node-install clean distclean

help:
	@echo "make lab        open JupyterLab on notebooks/ (main job)"
	@echo "make workshop   serve the workshop app for a room of phones (this computer only;"
	@echo "                WORKSHOP_ARGS=--share opens it to the room behind a join code)"
	@echo "make test       run the test suite, notebooks included (pytest --nbval)"
	@echo "make demo       run the headless demo (coopcreds demo)"
	@echo "make lint       ruff check, the import contract (lint-imports: layers, no heavy core)"
	@echo "                and the type check (mypy, no error in the package)"
	@echo "make wheel-smoke  build the wheel, install it in a fresh venv outside the checkout"
	@echo "                 and run coopcreds demo and import every package from it"
	@echo "make bench      run the benchmarks (benchmarks/)"
	@echo "make bench-node-install  install Digital Bazaar's VC libraries (npm, pinned) for"
	@echo "                 bench_core's comparison with them (optional: skipped without them)"
	@echo "make install    only create $(VENV) and install the project"
	@echo "make clean      remove build artefacts and caches"
	@echo "make distclean  clean, and remove $(VENV)"
	@echo "Variables: PYTHON=$(PYTHON)  PYTEST_ARGS=...  LAB_ARGS=...  WORKSHOP_ARGS=..."

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 3)'; rc=$$?; \
	if [ $$rc -eq 3 ]; then echo "error: $(PYTHON) is older than Python 3.10 (use make PYTHON=python3.X)" >&2; exit 1; \
	elif [ $$rc -ne 0 ]; then echo "error: cannot run '$(PYTHON)' (use make PYTHON=/path/to/python3.10+)" >&2; exit 1; fi
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || \
		{ echo "error: '$(PYTHON) -m venv' failed (Debian/Ubuntu: apt-get install python3-venv)" >&2; \
		  rm -rf $(VENV); exit 1; }
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e '.[test]'
	touch $@

install: $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab $(LAB_OFFLINE) $(LAB_ROOT) $(LAB_ARGS) notebooks/

workshop: $(STAMP)
	$(BIN)/coopcreds workshop serve $(WORKSHOP_ARGS)

# testpaths = ["tests", "notebooks"] in pyproject.toml: .py tests run as usual,
# .ipynb files are collected as nbval items.
test: $(STAMP)
	$(BIN)/python -m pytest $(NBVAL) $(PYTEST_ARGS)

demo: $(STAMP)
	$(BIN)/coopcreds demo

# ruff, then the import rule of pyproject.toml's [tool.importlinter] (also
# checked by tests/test_architecture.py), then mypy with [tool.mypy] (also run
# by tests/test_types.py): `make test` and CI keep both too.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

# Needs no .venv: the script makes its own venv (in a temporary directory).
wheel-smoke:
	PYTHON=$(PYTHON) .ci/wheel-smoke

# Every benchmark runs, whatever the one before it found; the target fails at
# the end, naming each benchmark that missed a target.
BENCHMARKS = core ecosystem hostile lifecycle service startup trust workshop
bench: $(STAMP)
	@missed=""; for b in $(BENCHMARKS); do \
		$(BIN)/python benchmarks/bench_$$b.py || missed="$$missed $$b"; echo; done; \
	if [ -n "$$missed" ]; then echo "bench: targets missed in:$$missed" >&2; exit 1; fi

# Optional: needs Node.js >= 18 and npm with access to the npm registry; the
# versions are pinned in benchmarks/node/package.json and package-lock.json.
bench-node-install:
	cd benchmarks/node && npm ci --no-audit --no-fund --loglevel=error

clean:
	rm -rf build dist *.egg-info .pytest_cache .hypothesis .ruff_cache .mypy_cache test-artifacts
	find . -path ./$(VENV) -prune -o \
		\( -name __pycache__ -o -name .ipynb_checkpoints \) -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
