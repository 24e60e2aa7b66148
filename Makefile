# PortControl: `make demo` runs the workbench with demo data; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test test-sqlite test-postgres test-browser install messages bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/portcontrol init
	$(BIN)/portcontrol demo
	@echo "PortControl demo on http://$(HOST):$(PORT)/  (Ctrl-C to stop; task worker log: var/worker.log)"
	@$(BIN)/portcontrol db_worker > var/worker.log 2>&1 & worker=$$!; \
		trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(BIN)/portcontrol runserver $(HOST):$(PORT)

# SQLite always; PostgreSQL and the browser when CI=true or when they are present.
test: $(STAMP)
	$(BIN)/python -m pytest -m "not browser"
	@$(MAKE) --no-print-directory test-postgres
	@$(MAKE) --no-print-directory test-browser

test-postgres: $(STAMP)
	@if $(BIN)/python tools/pg_ready.py "$(PG_URL)"; then \
		echo "== PostgreSQL suite ($(PG_URL))"; \
		DATABASE_URL="$(PG_URL)" $(BIN)/python -m pytest -m "not browser"; \
	elif [ "$$CI" = "true" ]; then \
		echo "CI=true but PostgreSQL at $(PG_URL) is not reachable" >&2; exit 1; \
	else \
		echo "SKIPPED: PostgreSQL suite: no server at $(PG_URL) (set PG_URL, or run with CI=true on a machine with PostgreSQL)"; \
	fi

test-browser: $(STAMP)
	@if [ -x /usr/bin/chromium ]; then \
		echo "== Browser suite (/usr/bin/chromium)"; \
		$(BIN)/python -m pytest -m browser; \
	elif [ "$$CI" = "true" ]; then \
		echo "CI=true but /usr/bin/chromium is missing (.ci/run installs it)" >&2; exit 1; \
	else \
		echo "SKIPPED: browser suite: /usr/bin/chromium not installed (apt-get install chromium)"; \
	fi

messages: $(STAMP)
	cd portcontrol && ../$(BIN)/portcontrol makemessages -l ru --no-obsolete --add-location file --ignore "generator/*" --ignore "testing/*" --ignore "*/tests/*"
	$(BIN)/python tools/compile_messages.py

bench: $(STAMP)
	$(BIN)/python benchmarks/generate_bench.py --containers 1000000

clean:
	rm -rf $(VENV) var .pytest_cache
