# gwsim: `make demo` and `make test` each set everything up (idempotently) and then run.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.gwsim-installed
EXES   := $(VENV)/share/gwsim/bin/manifest.json

.PHONY: setup browser demo test lint bench clean

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

# The page tests (tests/test_portal.py) open report.html in Debian's chromium through Playwright
# (pip; its own browser download needs the internet). chromium and a CJK font come from apt only
# when we are root and apt-get exists; otherwise those tests are skipped, saying why.
BROWSER_STAMP := $(VENV)/.gwsim-browser
$(BROWSER_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,browser]"
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get install -y -q chromium fonts-noto-cjk || \
		{ apt-get update -q && apt-get install -y -q chromium fonts-noto-cjk; } || \
		echo "make browser: apt-get could not install chromium: the browser tests will be skipped"; \
	else echo "make browser: not root or no apt-get: the browser tests will be skipped"; fi
	touch $(BROWSER_STAMP)

browser: $(BROWSER_STAMP)

demo: setup
	$(BIN)/gwsim run scenarios/chajia_protection.toml --out out/demo

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: setup browser lint
	$(BIN)/python -m pytest -m "not slow"

# Benchmarks: the tests marked slow, then the scripts in benchmarks/ (the files with a main;
# the others are modules they share). The tracking benchmark
# compares with MODFLOW 6 PRT only when given a PRT-capable mf6 (GWSIM_MF6_PRT=/path/to/mf6).
bench: setup
	$(BIN)/python -m pytest -m slow
	@for script in $$(grep -l '__name__ == "__main__"' benchmarks/*.py); do \
		echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf out .pytest_cache .ruff_cache
