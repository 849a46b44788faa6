# Sokket: the first two targets are the README's first two commands.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# Debian packages the portal and its tests need (PDF, fonts, browser tests).
DEB_PACKAGES := python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
	fonts-liberation2 poppler-utils chromium nodejs npm postgresql-client

.PHONY: run test setup system venv npm migrate demo bench lint backup restore clean

run: setup migrate demo  ## set up, load the demo data and serve on http://127.0.0.1:8000
	$(PY) manage.py runserver $(HOST):$(PORT)

test: setup  ## set up and run every test (browser tests included)
	$(PY) -m pytest $(PYTEST_ARGS)

setup: system venv npm
	$(PY) manage.py collectstatic --noinput -v0

system:
	@bash scripts/ensure-debian-packages.sh $(DEB_PACKAGES)

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
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
