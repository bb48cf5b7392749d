# Dateline: every target bootstraps .venv from the pinned requirements first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format e2e check-pages clean bench bench-peer messages cluster cluster-stop

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# The page checkers (Nu HTML Checker, axe-core) come from npm, pinned by package-lock.json.
# Without npm (a newcomer's machine) the page checks are skipped with a hint; CI installs npm and requires them.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund && touch $@; \
	elif [ -n "$$CI" ]; then echo "npm is required in CI for the page checks" >&2; exit 1; \
	else echo "npm not found: the HTML and accessibility page checks will be skipped"; fi

run: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py ensure_demo_accounts --base-url http://$(HOST):$(PORT)
	$(PY) manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed node_modules/.installed
	$(PY) -m pytest $(PYTEST_ARGS)

e2e: $(VENV)/.installed
	$(PY) -m pytest -m e2e $(PYTEST_ARGS)

# HTML validity and accessibility of every public page; also part of `make test`.
check-pages: $(VENV)/.installed node_modules/.installed
	$(PY) -m pytest tests/pages $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Interface words: collect new strings into locale/fr/LC_MESSAGES/django.po, translate them there, then compile
# (needs GNU gettext: apt-get install gettext). The compiled django.mo is committed, so running the site does not.
messages: $(VENV)/.installed
	$(PY) manage.py makemessages -l fr --no-location --no-obsolete -i ".venv/*" -i "node_modules/*" -i "tests/*" \
		-i "bench/*" -i "templates/admin/*" -i "static/*" -i "media/*" -i "deploy/*"
	$(PY) manage.py compilemessages -l fr

# Load benchmark against a separate PostgreSQL database (dateline_bench): BENCH_SIZE=small (default), medium or full;
# BENCH_MODE=cold runs only the cold reads, BENCH_MODE=peer the side-by-side with Wagtail (bench/peer.py).
bench: $(VENV)/.installed
	$(PY) bench/$(if $(filter peer,$(BENCH_MODE)),peer,run).py

bench-peer: $(VENV)/.installed
	$(PY) bench/peer.py

# Several machines on this one (deploy/cluster/cluster.py): PostgreSQL primary and replica, Redis, S3,
# two application servers and Varnish, on 127.0.0.1. Needs Debian's varnish and varnish-modules.
cluster: $(VENV)/.installed
	$(PY) deploy/cluster/cluster.py start

cluster-stop:
	$(PY) deploy/cluster/cluster.py stop

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
