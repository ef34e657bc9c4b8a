# Two commands do all the set-up: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint format serve bench bench-delivery bench-ack bench-funnel clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstalled whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/smarketing demo

serve: $(VENV)/.installed
	$(BIN)/smarketing serve

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Two pytest workers: many tests wait on servers, Slack's pace or a lease, and overlap well.
# `make test PYTEST_ARGS=-n0` runs them in this process, one after another.
PYTEST_ARGS ?= -n 2

# pytest exits 5 when it collected no tests; that is not a failure of the code.
test: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; if [ $$rc -eq 5 ]; then rc=0; fi; exit $$rc

# Throughput of POST /leads against a no-op route of the same server (see scripts/).
bench: $(VENV)/.installed
	$(BIN)/python scripts/bench_intake.py $(BENCH_ARGS)

# Pace of the delivery worker: 60 leads into one channel against the fake Slack's
# one-message-a-second limit (about a minute; see scripts/).
bench-delivery: $(VENV)/.installed
	$(BIN)/python scripts/bench_delivery.py $(BENCH_ARGS)

# Time to acknowledge a Claim click through POST /slack/events, 20 at once and one at a
# time, against a no-op Bolt listener of the same server (see scripts/).
bench-ack: $(VENV)/.installed
	$(BIN)/python scripts/bench_ack.py $(BENCH_ARGS)

# The funnel report's queries over 1,000,000 generated leads (a cached SQLite file; the
# first run generates it) against one hand-written SELECT over the same leads (see scripts/).
bench-funnel: $(VENV)/.installed
	$(BIN)/python scripts/bench_funnel.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info smarketing-demo.db*
