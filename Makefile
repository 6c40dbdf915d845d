# Portico: `make run` serves the portal with demo data, `make test` installs and runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: install run serve test lint bench bench-compare load side-by-side wrk

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 12) and "Portico needs Python 3.12 or newer" or 0)'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet '.[dev]'
	touch $@

install: $(VENV)/.installed

run: install
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo --site http://127.0.0.1:$(PORT)
	DEBUG=1 PORTICO_SITE_URL=$${PORTICO_SITE_URL:-http://127.0.0.1:$(PORT)} \
		$(PY) manage.py runserver 127.0.0.1:$(PORT)

# Production: DEBUG off, gunicorn (gunicorn.conf.py) on PostgreSQL and Redis from DATABASE_URL
# and REDIS_URL. It refuses to start, one line per missing secret or key (portal/preflight.py).
serve: install
	@$(PY) -m portal.preflight
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(VENV)/bin/gunicorn -c gunicorn.conf.py

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

# Browser tests drive Debian's Chromium; install it on a fresh machine (as .ci/run does).
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# The multi-process and fault evidence (tests/ops) starts its own PostgreSQL cluster and
# redis-server on other ports: it needs Debian's postgresql and redis-server packages.
INITDB := $(firstword $(wildcard /usr/lib/postgresql/*/bin/initdb))

test: lint wrk
	@[ -x $(CHROMIUM) ] || { echo "Installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@{ [ -n "$(INITDB)" ] && command -v redis-server >/dev/null; } || { \
	  echo "Installing Debian's postgresql and redis-server for the multi-process tests"; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql redis-server \
	    >/dev/null; }
	$(PY) -m pytest

bench: install
	$(PY) bench/verify_bearer.py
	$(PY) bench/platform_api.py
	$(PY) bench/oauth_tokens.py

# make bench's benches for REF (checked out in a temporary git worktree) and for the working tree,
# alternating, RUNS times each, on SQLite and on PostgreSQL + Redis (127.0.0.1: a disposable
# database per run, Redis database 14 flushed); every figure for both and the change. Exits 1
# when a figure is more than 10 % worse. bench/compare.py --help for the other options.
RUNS ?= 3
ifneq ($(filter bench-compare,$(MAKECMDGOALS)),)
ifeq ($(strip $(REF)),)
$(error Name the commit to compare the working tree with: make bench-compare REF=<commit> [RUNS=3])
endif
endif

bench-compare: install
	$(PY) bench/compare.py --ref '$(REF)' --runs $(RUNS)

# Load test (bench, not a test): wrk against make serve's gunicorn (4 workers) on the PostgreSQL
# server of DATABASE_URL (a disposable database is made and dropped) and the Redis database of
# REDIS_URL (flushed: give it one of its own). LOAD_SECONDS per scenario.
LOAD_SECONDS ?= 20
WORKERS ?= 4

wrk:
	@command -v wrk >/dev/null || { echo "Installing Debian's wrk (the load generator)"; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

load: install wrk
	$(PY) bench/load.py --seconds $(LOAD_SECONDS) --workers $(WORKERS)

# django-oauth-toolkit and Portico in the same run, same workers, database server and wrk.
side-by-side: install wrk
	$(PY) bench/side_by_side_dot.py --seconds $(LOAD_SECONDS) --workers $(WORKERS)
