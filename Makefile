# dealradar: two commands for a newcomer: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
RUN_STAMP := $(VENV)/.installed

LOCK_VENV := $(VENV)-lock
# pip-compile's options for both lock files (hashes; setuptools and wheel pinned too, so the
# project itself builds from the lock without build isolation)
PIP_COMPILE := $(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe \
	--strip-extras --no-emit-index-url --no-emit-find-links \
	--build-deps-for editable --build-deps-for wheel

.PHONY: run test check lint format typecheck contracts pytest bench clean lock feedparser-tests

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "dealradar needs Python 3.11+ (set PYTHON=python3.12 or similar)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Dependencies come from the lock files (exact versions, hashes checked), then dealradar itself
# without its dependencies. `make lock` rewrites the lock files from pyproject.toml.
$(RUN_STAMP): requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@

$(STAMP): requirements-dev.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@ $(RUN_STAMP)

## lock: rewrite requirements.lock and requirements-dev.lock after a change to pyproject.toml,
## keeping the pins that still fit (LOCK_FLAGS=--upgrade: the newest versions allowed)
LOCK_FLAGS ?=
lock:
	@test -x $(LOCK_VENV)/bin/pip-compile || { $(PYTHON) -m venv $(LOCK_VENV) && $(LOCK_VENV)/bin/python -m pip install --quiet pip-tools; }
	CUSTOM_COMPILE_COMMAND="make lock" $(PIP_COMPILE) $(LOCK_FLAGS) --output-file requirements.lock pyproject.toml
	CUSTOM_COMPILE_COMMAND="make lock" $(PIP_COMPILE) $(LOCK_FLAGS) --extra dev --output-file requirements-dev.lock pyproject.toml

## run: create .venv, install, and run the bot (SQLite + console alerts; Ctrl-C stops)
run: $(RUN_STAMP)
	$(BIN)/dealradar run

## feedparser-tests: fetch feedparser's own test documents (the sdist of the version pinned in
## requirements-dev.lock, sha256 checked by pip against the lock) into .cache/ for
## tests/sources/test_fastxml_fidelity.py, which skips without them (tests stay offline)
FEEDPARSER_VERSION := $(shell sed -n 's/^feedparser==\([^ ]*\) .*/\1/p' requirements-dev.lock)
FEEDPARSER_TESTS := .cache/feedparser-$(FEEDPARSER_VERSION)/tests/.complete
$(FEEDPARSER_TESTS): requirements-dev.lock | $(STAMP)
	$(BIN)/python -m tests.sources.feedparser_suite

feedparser-tests: $(FEEDPARSER_TESTS)

## test: the one check command: format check, lint, types, import contracts, tests
test: $(STAMP) $(FEEDPARSER_TESTS)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest -q $(PYTEST_ARGS)

check: test

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## bench: run every benchmark script (prints figures; see docs/benchmarks.md)
bench: $(STAMP)
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) $(LOCK_VENV) .mypy_cache .ruff_cache .pytest_cache .cache *.egg-info
