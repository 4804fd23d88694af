# The README's two commands: `make serve` and `make test`. Each sets itself up on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: serve test lint types unit fuzz system-deps bench bench-full clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

serve: $(STAMP)
	$(BIN)/kg serve --host $(HOST) --port $(PORT)

test: $(STAMP) system-deps lint types unit

system-deps:
	bash scripts/system-deps.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(STAMP)
	$(BIN)/mypy kg

unit: $(STAMP)
	$(BIN)/pytest

# The protocol fuzzers at ten times their CI size (200,000 requests instead of 20,000).
fuzz: $(STAMP)
	FUZZ_SCALE=10 $(BIN)/pytest -p no:cacheprovider tests/test_fuzz_http.py tests/test_fuzz_wire.py

# The side-by-side benchmark (bench/README.md): quick is 100k triples in under 3 minutes; full is
# 100k and 1M triples, two rounds, medians. wrk is installed with the test's system packages.
bench: $(STAMP)
	command -v wrk >/dev/null || $(MAKE) system-deps
	$(BIN)/python -m bench quick

bench-full: $(STAMP)
	command -v wrk >/dev/null || $(MAKE) system-deps
	$(BIN)/python -m bench full

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache test-artifacts
