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
	$(BIN)/epicommand seed-control --seed $(DEMO_SEED) --if-empty
	$(BIN)/epicommand seed-quarantine --if-empty
	$(BIN)/epicommand seed-testing --if-empty
	$(BIN)/epicommand seed-supplies --seed $(DEMO_SEED) --if-empty
	$(BIN)/epicommand seed-outbreak --seed $(DEMO_SEED) --if-empty
	$(BIN)/epicommand seed-inbound --seed $(DEMO_SEED) --if-empty
	$(BIN)/epicommand seed-information --if-empty
	$(BIN)/epicommand draft-bulletin --schedule
	$(BIN)/epicommand check-inbound-loop --schedule
	$(BIN)/epicommand recompute-codes --schedule
	$(BIN)/epicommand deliver-referrals --schedule
	$(BIN)/epicommand seed-chain
	$(BIN)/epicommand seed-tasks
	$(BIN)/epicommand seed-coldchain --seed $(DEMO_SEED) --if-empty
	$(BIN)/epicommand purge-coldchain-records --schedule
	$(BIN)/epicommand seed-gatherings --seed $(DEMO_SEED) --if-empty
	$(BIN)/epicommand review-tourist-sites --schedule
	$(BIN)/epicommand seed-prevention --seed $(DEMO_SEED) --if-empty
	$(BIN)/epicommand prevention-rounds --schedule
	$(BIN)/epicommand seed-vaccination --seed $(DEMO_SEED) --if-empty
	$(BIN)/epicommand daily-summary
	@# The worker runs the follow-ups of what users do (contacts of a case, codes of a risk
	@# area) and the queued rounds; it stops with the server.
	$(BIN)/epicommand worker & trap 'kill $$!' EXIT INT TERM; $(BIN)/epicommand serve 127.0.0.1:8000

# Both cores: one worker per core, each test file kept on one worker.
test: venv browser
	$(BIN)/python -m pytest -q -n auto --dist loadfile $(PYTEST_ARGS)

# The browser tests drive Debian's Chromium; install it (and CJK fonts) when missing.
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk; \
	  else echo "Chromium is missing: sudo apt-get install chromium fonts-noto-cjk"; exit 1; fi; }

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/epicommand makemigrations --check --dry-run
	$(BIN)/lint-imports --no-cache

bench: venv
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var
