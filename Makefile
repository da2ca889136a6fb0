# Two commands matter: `make serve` and `make test`. Everything installs into .venv with pip
# (torch first: the pinned CPU wheel; any other torch pulls gigabytes of CUDA).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: setup serve sync ingest test test-unit test-integration test-server bench lint clean fuzz bench-api soak

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	# Debian's chromium for the browser tests (Playwright must never download its own browser).
	command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || echo 'warning: chromium not installed; browser tests will be skipped'
	touch $(STAMP)

sync: setup
	$(BIN)/tpa sync

ingest: sync
	$(BIN)/tpa ingest

serve: ingest
	$(BIN)/tpa serve

test: setup
	$(BIN)/python -m pytest -q

test-unit: setup
	$(BIN)/python -m pytest -q tests/unit

test-integration: setup
	$(BIN)/python -m pytest -q tests/integration

test-server: setup
	$(BIN)/python -m pytest -q -m server

bench: setup
	$(BIN)/python bench/ingest.py

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy assistant ingest api
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache tests/artifacts

fuzz: setup
	$(BIN)/python -m pytest -q tests/integration/test_fuzz.py

bench-api: setup
	$(BIN)/python bench/api_load.py

soak: setup
	$(BIN)/python bench/soak.py
