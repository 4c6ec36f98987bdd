# Civique — the two commands: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: run test lint format setup clean messages

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 est requis ($(PYTHON) introuvable)."; exit 1; }
	test -x $(BIN)/pip || $(PYTHON) -m venv --clear $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-* && touch $(STAMP)

setup: $(STAMP)

## make run: set everything up (venv, database, demo data) and start the product on 127.0.0.1:8000.
run: setup
	$(BIN)/civique setup
	$(BIN)/civique run --mail-sink 2525

## make test: set everything up and run the whole test suite, on SQLite then on PostgreSQL.
## The PostgreSQL pass runs when the server answers, and must run when CIVIQUE_REQUIRE_SERVICES=1.
TEST_POSTGRES_URL ?= postgres://postgres:postgres@127.0.0.1:5432/postgres
test: setup
	$(BIN)/pytest $(PYTEST_ARGS)
	@if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || [ "$$CIVIQUE_REQUIRE_SERVICES" = 1 ]; then \
	  echo "--- Same suite on PostgreSQL ---"; \
	  DATABASE_URL=$(TEST_POSTGRES_URL) CIVIQUE_TEST_DB_SUFFIX=make$$$$ $(BIN)/pytest -m "not browser" \
	    --ignore=tests/ingest/test_worker_crash.py --ignore=tests/ingest/test_reply_pairs.py \
	    --ignore=tests/ingest/test_intake_while_busy.py --ignore=tests/ingest/test_ingest_crash.py \
	    --ignore=tests/ingest/test_rq_backend.py $(PYTEST_ARGS); \
	else echo "PostgreSQL injoignable : passe PostgreSQL sautée (CIVIQUE_REQUIRE_SERVICES=1 l'exige)."; fi

lint: setup
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: setup
	cd src/civique && ../../$(BIN)/civique makemessages -l en -l fr --ignore '*/migrations/*' && ../../$(BIN)/civique compilemessages

clean:
	rm -rf $(VENV) var
