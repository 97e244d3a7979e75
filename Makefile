# The two commands of the README: `make serve` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: serve test test-sqlite test-postgres install lint openapi bench-lists bench-matching bench-matching-http bench-matching-workers bench-documents bench-pages bench-participation bench-webhooks bench-sheets eval-matching clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## make serve — migrate the embedded SQLite database, load the demo district if empty, serve on :8000
serve: $(STAMP)
	$(BIN)/exchange db upgrade
	$(BIN)/exchange demo
	$(BIN)/exchange serve --host 127.0.0.1 --port 8000

## make test — the whole suite on SQLite, then on a throwaway PostgreSQL started from the machine's binaries
test: $(STAMP)
	scripts/ensure-browser.sh
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite: $(STAMP)
	env -u EXCHANGE_TEST_DATABASE_URL $(BIN)/python -m pytest

test-postgres: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" scripts/with-postgres.sh $(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench migrations

openapi: $(STAMP)
	$(BIN)/exchange export-openapi openapi/openapi.json

bench-lists: $(STAMP)
	scripts/with-postgres.sh $(BIN)/python bench/list_offers.py

bench-pages: $(STAMP)
	scripts/with-postgres.sh $(BIN)/python bench/list_page.py

bench-matching: $(STAMP)
	$(BIN)/python bench/matching_engine.py

eval-matching: $(STAMP)
	$(BIN)/python bench/matching_eval.py

clean:
	rm -rf $(VENV) exchange.db exchange.db-wal exchange.db-shm

bench-sheets: $(STAMP)
	$(BIN)/python bench/sheets_offers.py --rows $${ROWS:-100000}

bench-matching-http: $(STAMP)
	scripts/with-postgres.sh $(BIN)/python bench/matching_http.py

bench-matching-workers: $(STAMP)
	scripts/with-postgres.sh $(BIN)/python bench/matching_workers.py

bench-documents: $(STAMP)
	$(BIN)/python bench/documents_throughput.py

bench-participation: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" scripts/with-postgres.sh $(BIN)/python bench/participation.py

bench-webhooks: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" scripts/with-postgres.sh $(BIN)/python bench/webhook_delivery.py
