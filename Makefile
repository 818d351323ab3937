# gwsim: `make demo` and `make test` each set everything up (idempotently) and then run.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.gwsim-installed
EXES   := $(VENV)/share/gwsim/bin/manifest.json

.PHONY: setup demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m gwsim.tracking.warm
	touch $(STAMP)

$(EXES): $(STAMP)
	$(BIN)/gwsim install-exes

setup: $(STAMP) $(EXES)

demo: setup
	$(BIN)/gwsim run scenarios/chajia_protection.toml --out out/demo

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: setup lint
	$(BIN)/python -m pytest -m "not slow"

# Benchmarks: the tests marked slow, then the scripts in benchmarks/. The tracking benchmark
# compares with MODFLOW 6 PRT only when given a PRT-capable mf6 (GWSIM_MF6_PRT=/path/to/mf6).
bench: setup
	$(BIN)/python -m pytest -m slow
	@for script in benchmarks/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf out .pytest_cache .ruff_cache
