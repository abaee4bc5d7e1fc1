# Two commands do all the set-up: `make run` (demo site on http://127.0.0.1:8000) and `make test`.
# `python3.12` resolves through pyenv thanks to .python-version at the root of the repository.

PYTHON ?= python3.12
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
MANAGE := $(BIN)/python manage.py
# Variables from an optional .env file, for the servers only (tests ignore it).
LOAD_ENV := set -a; if [ -f .env ]; then . ./.env; fi; set +a;

.PHONY: setup run test test-postgres bench loadtest lint format serve

setup: $(VENV)/.installed node_modules/.package-lock.json

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The stamp makes a second `make` skip pip until requirements.txt changes.
$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

# The checkers of the accessibility gate (axe-core, the Nu Html Checker), pinned in
# package-lock.json. npm ci writes its own stamp; --ignore-scripts keeps vnu-jar from
# downloading a Java runtime (tests use the system's, apt-get install default-jre-headless).
# Without npm the gate is skipped with a message (and fails under CI).
node_modules/.package-lock.json: package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --no-audit --no-fund --ignore-scripts && touch $@; \
	else \
	  echo "npm is not installed (apt-get install npm): the accessibility gate will be skipped."; \
	fi

# SITE_URL follows PORT, so canonical links, feeds and emails point at this server.
# The task worker (emails, Akismet reports, rechecks, purges) runs beside the server and
# stops with it, Ctrl-C included. It does not reload: restart after changing task code.
run: setup
	@$(LOAD_ENV) export DJANGO_DEBUG=1 SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)}; \
	$(MANAGE) migrate --noinput && \
	$(MANAGE) load_demo && \
	$(MANAGE) load_demo_comments && \
	$(MANAGE) ensure_local_admin --port $(PORT) && \
	{ $(MANAGE) db_worker --no-reload & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	  trap 'exit 130' INT; trap 'exit 143' TERM; \
	  $(MANAGE) runserver 127.0.0.1:$(PORT); }

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The production path: the suite (less the browser tests) on PostgreSQL with the Redis cache.
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/blog
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15
test-postgres: setup
	DATABASE_URL=$(PG_TEST_URL) REDIS_URL=$(REDIS_TEST_URL) \
	$(BIN)/python -m pytest --ignore=tests/browser $(PYTEST_ARGS)

# The load rows need wrk: installed here when running as root with apt-get, else skipped.
bench: setup
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing wrk for the load rows…"; \
	    { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; } || \
	      echo "Could not install wrk: the load rows will be skipped."; \
	  else \
	    echo "wrk is not installed (apt-get install wrk): the load rows will be skipped."; \
	  fi; }
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# Not part of `make test`: 16 clients against gunicorn on 127.0.0.1, on SQLite, then on
# PostgreSQL (database loadtest_blog) when pg_isready answers. About a minute per database.
loadtest: setup
	$(BIN)/python -m loadtest.run $(LOADTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Production-like: DEBUG off, so DJANGO_SECRET_KEY must be set (in the environment or .env).
# It serves plain http on 127.0.0.1, so the HTTPS-only settings are off unless DJANGO_HTTPS
# says otherwise.
serve: setup
	@$(LOAD_ENV) export DJANGO_HTTPS=$${DJANGO_HTTPS:-0}; \
	$(MANAGE) migrate --noinput && \
	$(MANAGE) collectstatic --noinput --verbosity 0 && \
	PORT=$(PORT) exec $(BIN)/gunicorn -c gunicorn.conf.py
