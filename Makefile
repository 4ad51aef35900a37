# EpiCommand: `make demo` runs the platform with a demo city, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_PEOPLE ?= 100000
DEMO_SEED ?= 2021

.PHONY: demo test lint bench venv browser clean

$(BIN)/epicommand: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

venv: $(BIN)/epicommand

demo: venv
	$(BIN)/epicommand migrate --no-input
	$(BIN)/epicommand seed-city --people $(DEMO_PEOPLE) --seed $(DEMO_SEED) --if-empty
	$(BIN)/epicommand demo-accounts
	$(BIN)/epicommand serve 127.0.0.1:8000

test: venv
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/epicommand makemigrations --check --dry-run

bench: venv
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var
