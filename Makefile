# Nastavnik: two commands on a fresh machine — `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/nastavnik

.PHONY: demo test lint test-sqlite test-postgres test-browser bench bench-quick clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

## Set up, generate realistic demo data on SQLite and serve it at http://127.0.0.1:8000
demo: $(STAMP)
	$(BIN)/nastavnik demo

## Lint, the suite on SQLite, the database tests on PostgreSQL, the browser tests
test: lint test-sqlite test-postgres test-browser

lint: $(STAMP)
	$(BIN)/ruff check nastavnik tests benchmarks scripts
	$(BIN)/ruff format --check nastavnik tests benchmarks scripts
	$(BIN)/lint-imports

test-sqlite: $(STAMP)
	$(BIN)/pytest -m "not browser" -q

test-postgres: $(STAMP)
	@if $(BIN)/python scripts/service_check.py postgres "$(PG_URL)"; then \
		DATABASE_URL="$(PG_URL)" $(BIN)/pytest -m "not browser" -q --ignore=tests/engine --ignore=tests/demodata; \
	elif [ "$$NASTAVNIK_REQUIRE_POSTGRES" = "1" ]; then \
		echo "PostgreSQL at $(PG_URL) is required but not reachable"; exit 1; \
	else \
		echo "SKIPPED: PostgreSQL tests (no server at $(PG_URL))"; \
	fi

test-browser: $(STAMP)
	@if [ -x /usr/bin/chromium ]; then \
		$(BIN)/pytest -m browser -q; \
	elif [ "$$NASTAVNIK_REQUIRE_BROWSER" = "1" ]; then \
		echo "Chromium (/usr/bin/chromium) is required but missing"; exit 1; \
	else \
		echo "SKIPPED: browser tests (no /usr/bin/chromium; apt-get install chromium)"; \
	fi

## Benchmarks (figures for docs/benchmarks.md)
bench: $(STAMP)
	$(BIN)/python benchmarks/import_throughput.py --sizes 100000 1000000
	$(BIN)/python benchmarks/autoqa_throughput.py --sizes 100000 1000000

bench-quick: $(STAMP)
	$(BIN)/python benchmarks/import_throughput.py --sizes 20000 --no-postgres
	$(BIN)/python benchmarks/autoqa_throughput.py --sizes 20000

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
