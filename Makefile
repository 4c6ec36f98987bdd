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

## make test: set everything up and run the whole test suite, on SQLite and on PostgreSQL.
## The PostgreSQL pass runs when the server answers, and must run when CIVIQUE_REQUIRE_SERVICES=1.
## Both passes run side by side (the suite waits on servers and subprocesses as much as it computes);
## the PostgreSQL pass's output is printed after SQLite's. TEST_SIDE_BY_SIDE=0 runs them in turn.
TEST_POSTGRES_URL ?= postgres://postgres:postgres@127.0.0.1:5432/postgres
TEST_SIDE_BY_SIDE ?= 1
POSTGRES_PASS = DATABASE_URL=$(TEST_POSTGRES_URL) CIVIQUE_TEST_DB_SUFFIX=make$$$$ $(BIN)/pytest -m "not browser" \
	--ignore=tests/ingest/test_worker_crash.py --ignore=tests/ingest/test_reply_pairs.py \
	--ignore=tests/ingest/test_intake_while_busy.py --ignore=tests/ingest/test_ingest_crash.py \
	--ignore=tests/ingest/test_rq_backend.py $(PYTEST_ARGS)
test: setup
	@mkdir -p var; status=0; pg=""; \
	if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || [ "$$CIVIQUE_REQUIRE_SERVICES" = 1 ]; then \
	  if [ "$(TEST_SIDE_BY_SIDE)" = 1 ]; then \
	    echo "--- PostgreSQL pass started beside the SQLite pass (var/test-postgres.log) ---"; \
	    ( $(POSTGRES_PASS) > var/test-postgres.log 2>&1; echo $$? > var/test-postgres.rc ) & pg=$$!; \
	  fi; \
	else echo "PostgreSQL injoignable : passe PostgreSQL sautée (CIVIQUE_REQUIRE_SERVICES=1 l'exige)."; fi; \
	echo "--- SQLite pass ---"; \
	$(BIN)/pytest $(PYTEST_ARGS) || status=1; \
	if [ -n "$$pg" ]; then \
	  wait $$pg; echo "--- PostgreSQL pass ---"; cat var/test-postgres.log; \
	  [ "$$(cat var/test-postgres.rc)" = 0 ] || status=1; \
	elif [ "$(TEST_SIDE_BY_SIDE)" != 1 ] && { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || [ "$$CIVIQUE_REQUIRE_SERVICES" = 1 ]; }; then \
	  echo "--- PostgreSQL pass ---"; $(POSTGRES_PASS) || status=1; \
	fi; \
	exit $$status

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
