# Sokket: the first two targets are the README's first two commands.
SHELL := /bin/bash
# Debian's own Python when there is one (Python 3.11.2 to 3.13 are supported), even if
# another python3 (pyenv, say) comes first on PATH: CI runs what a newcomer runs.
PYTHON ?= $(shell test -x /usr/bin/python3 && echo /usr/bin/python3 || echo python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist workers for `make test` and `make test-fast` (the machine's two cores).
PYTEST_WORKERS ?= 2
# Debian packages the portal and its tests need (PDF, fonts, browser tests;
# libatomic1 for the Node that Playwright bundles to drive Chromium).
DEB_PACKAGES := python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
	fonts-liberation2 poppler-utils chromium libatomic1 nodejs npm postgresql-client \
	libreoffice-calc libreoffice-writer
# An interpreter's base prefix and version. A venv made by another Python than
# $(PYTHON) (or whose Python is gone) is made again from scratch.
PYTHON_ID := -c 'import sys; print(sys.base_prefix, sys.version.split()[0])'
ifneq ($(shell $(PYTHON) $(PYTHON_ID) 2>/dev/null),$(shell $(PY) $(PYTHON_ID) 2>/dev/null))
VENV_CLEAR := --clear
$(VENV)/.installed: FORCE
endif

.PHONY: run test test-fast setup system venv npm migrate demo bench lint backup restore clean FORCE

run: setup migrate demo  ## set up, load the demo data and serve on http://127.0.0.1:8000
	$(PY) manage.py runserver $(HOST):$(PORT)

test: setup  ## set up and run every test (browser tests included)
	$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test-fast: setup  ## every test but the browser tests
	$(PY) -m pytest -n $(PYTEST_WORKERS) -m "not browser" $(PYTEST_ARGS)

setup: system venv npm
	$(PY) manage.py collectstatic --noinput -v0

system:
	@PYTHON=$(PYTHON) bash scripts/ensure-debian-packages.sh $(DEB_PACKAGES)

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV_CLEAR) $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

npm: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

migrate:
	$(PY) manage.py migrate --noinput

demo:
	$(PY) manage.py seed_demo

bench: setup
	$(PY) bench/run

backup: venv  ## back up the database and uploaded files to backups/sokket-<time>.tar.gz
	$(PY) manage.py backup

restore: venv  ## restore BACKUP=backups/sokket-….tar.gz into an empty database (FORCE=1 overwrites)
	@test -n "$(BACKUP)" || { echo "Usage: make restore BACKUP=backups/sokket-….tar.gz [FORCE=1]"; exit 2; }
	$(PY) manage.py restore "$(BACKUP)" $(if $(FORCE),--force,)

lint: venv
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) node_modules staticfiles

FORCE:
