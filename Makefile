# Haven: `make run` serves it, `make test` checks everything.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HAVEN_BIND ?= 127.0.0.1:8000
export HAVEN_BASE_URL ?= http://$(HAVEN_BIND)
PYTEST_WORKERS ?= 2
export HAVEN_VAR_DIR ?= $(CURDIR)/var
STATIC_MANIFEST := $(HAVEN_VAR_DIR)/static/staticfiles.json

.PHONY: run test check lint typecheck migrations-check test-sqlite test-postgres test-browser \
        test-production bench bench-quick load chaos fuzz messages demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.run-deps: requirements/base.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements/base.lock
	touch $@

$(VENV)/.dev-deps: requirements/dev.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements/dev.lock
	touch $@ $(VENV)/.run-deps

## run: install, migrate, make keys if needed, and serve at http://$(HAVEN_BIND) with a jobs worker
run: $(VENV)/.run-deps $(STATIC_MANIFEST)
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py createcachetable -v0
	$(BIN)/python manage.py optimize_db
	$(BIN)/python manage.py setup_link
	@# A warning only: without the Noto fonts the language card prints boxes (see README).
	-@$(BIN)/python manage.py check_fonts
	@echo "Serving Haven at $(HAVEN_BASE_URL) (Ctrl+C stops it)"
	# gunicorn and one jobs worker (manage.py jobs_worker), which runs exports
	# and reports from the queue; Ctrl+C stops both (scripts/serve).
	HAVEN_VENV_BIN=$(BIN) scripts/serve $(HAVEN_BIND)

# Static files are collected (and compressed) only when something changed.
$(STATIC_MANIFEST): $(VENV)/.run-deps $(shell find static templates -type f 2>/dev/null)
	$(BIN)/python manage.py collectstatic --noinput -v0

## demo: the demo agencies and staff (never in production)
demo: $(VENV)/.run-deps
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py seed_demo

## test: everything CI runs
test: $(VENV)/.dev-deps lint typecheck migrations-check test-sqlite test-postgres test-browser \
      test-production

check: test

lint: $(VENV)/.dev-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	PYTHONPATH=. $(BIN)/lint-imports --no-cache
	scripts/check-rules

typecheck: $(VENV)/.dev-deps
	HAVEN_ENV=test $(BIN)/mypy haven

migrations-check: $(VENV)/.dev-deps
	HAVEN_ENV=test $(BIN)/python manage.py makemigrations --check --dry-run

test-sqlite: $(VENV)/.dev-deps
	HAVEN_ENV=test $(BIN)/pytest -m "not browser" -n $(PYTEST_WORKERS) -q

test-postgres: $(VENV)/.dev-deps
	HAVEN_ENV=test scripts/with-postgres $(BIN)/pytest -m "not browser" -n $(PYTEST_WORKERS) -q

test-browser: $(VENV)/.dev-deps
	HAVEN_ENV=test $(BIN)/pytest -m browser -n $(PYTEST_WORKERS) -q

## test-production: PostgreSQL, gunicorn, a worker and nginx with TLS, set up as
## docs/operations.md says, then checked over HTTPS (scripts/production-check)
test-production: $(VENV)/.dev-deps
	scripts/production-check

## bench: server time of every page and API operation at 100,000 people, and reports (not a test; see docs/benchmarks.md)
bench: $(VENV)/.dev-deps
	HAVEN_VAR_DIR=$(CURDIR)/var/bench $(BIN)/python bench/build.py
	HAVEN_VAR_DIR=$(CURDIR)/var/bench $(BIN)/python bench/pages.py
	HAVEN_VAR_DIR=$(CURDIR)/var/bench $(BIN)/python bench/people.py
	$(BIN)/python bench/reports.py

## load: fifty bench staff against gunicorn on the bench's database for 2 minutes: requests/s, p50/p95/p99, errors, memory per worker, audit chains (LOAD_DB=postgres for PostgreSQL; see docs/benchmarks.md)
load: $(VENV)/.dev-deps
	HAVEN_VAR_DIR=$(CURDIR)/var/bench HAVEN_VENV_BIN=$(BIN) scripts/load

## bench-quick: the same pages at 10,000 people, fewer samples, in under 3 minutes (before each submission)
bench-quick: $(VENV)/.dev-deps
	@# Without the full integrity check after the build (minutes on its own): make bench runs it.
	HAVEN_VAR_DIR=$(CURDIR)/var/bench-quick HAVEN_BENCH_PEOPLE=10000 HAVEN_BENCH_CHECK=false \
	  $(BIN)/python bench/build.py
	HAVEN_VAR_DIR=$(CURDIR)/var/bench-quick HAVEN_BENCH_PEOPLE=10000 HAVEN_BENCH_SAMPLES=5 \
	  HAVEN_BENCH_ROUNDS=3 $(BIN)/python bench/pages.py

## fuzz: a million inputs to each parser of outside files (atheris), then the long stateful run of the API as every role: executions, crashes, server errors and leaks (FUZZ_RUNS, FUZZ_API_EXAMPLES, FUZZ_API_STEPS; see docs/security/fuzzing.md)
FUZZ_RUNS ?= 1000000
FUZZ_API_EXAMPLES ?= 300
FUZZ_API_STEPS ?= 15
fuzz: $(VENV)/.dev-deps
	nice -n 10 $(BIN)/python -m fuzz.run --runs $(FUZZ_RUNS)
	rm -f var/fuzz/api-report.json
	HAVEN_ENV=test HAVEN_FUZZ_API_EXAMPLES=$(FUZZ_API_EXAMPLES) HAVEN_FUZZ_API_STEPS=$(FUZZ_API_STEPS) \
	  HAVEN_FUZZ_API_REPORT=$(CURDIR)/var/fuzz/api-report.json \
	  nice -n 10 $(BIN)/pytest tests/fuzz/test_api_stateful.py -q -p no:randomly -k no_server_error

## chaos: SIGKILL the server 200 times while it writes: nothing acknowledged lost (CHAOS_CYCLES=5 for fewer; see "Crashes and a full disk" in docs/operations.md)
chaos: $(VENV)/.run-deps
	$(BIN)/python scripts/chaos

## messages: refresh and compile the translation catalogues
messages: $(VENV)/.dev-deps
	$(BIN)/python manage.py makemessages -l es --no-obsolete --ignore=.venv --ignore=var --ignore=tests
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV)
