# Two commands do all the set-up: `make run` (demo site on http://127.0.0.1:8000) and `make test`.
# `python3.12` resolves through pyenv thanks to .python-version at the root of the repository.

PYTHON ?= python3.12
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
MANAGE := $(BIN)/python manage.py
# Variables from an optional .env file, for the servers only (tests ignore it).
LOAD_ENV := set -a; if [ -f .env ]; then . ./.env; fi; set +a;

.PHONY: setup run test test-postgres bench lint format serve

setup: $(VENV)/.installed

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The stamp makes a second `make` skip pip until requirements.txt changes.
$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

run: setup
	@$(LOAD_ENV) export DJANGO_DEBUG=1; \
	$(MANAGE) migrate --noinput && \
	$(MANAGE) load_demo && \
	$(MANAGE) load_demo_comments && \
	$(MANAGE) ensure_local_admin --port $(PORT) && \
	exec $(MANAGE) runserver 127.0.0.1:$(PORT)

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The production path: the suite (less the browser tests) on PostgreSQL with the Redis cache.
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/blog
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15
test-postgres: setup
	DATABASE_URL=$(PG_TEST_URL) REDIS_URL=$(REDIS_TEST_URL) \
	$(BIN)/python -m pytest --ignore=tests/browser $(PYTEST_ARGS)

bench: setup
	$(BIN)/python bench/run.py

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Production-like: DEBUG off, so DJANGO_SECRET_KEY must be set (in the environment or .env).
serve: setup
	@$(LOAD_ENV) \
	$(MANAGE) migrate --noinput && \
	$(MANAGE) collectstatic --noinput --verbosity 0 && \
	exec $(BIN)/gunicorn config.wsgi --bind 127.0.0.1:$(PORT) --workers 2 --access-logfile -
