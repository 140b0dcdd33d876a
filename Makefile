# Crisis Care. Two commands on a fresh machine:
#   make run    set up and serve http://127.0.0.1:8000 with demo data (SQLite)
#   make test   set up and run every check and test (SQLite; PostgreSQL when DATABASE_URL is set)
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV_VERSION := 0.13.8
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
PY := .venv/bin/python
CHROMIUM := /usr/bin/chromium
export DJANGO_SETTINGS_MODULE ?= crisis_care.config.settings.local

.PHONY: help install system-deps run test pytest lint format bench chromium migrate demo clean

help:
	@echo "make run    - set up and serve Crisis Care with demo data at http://127.0.0.1:8000"
	@echo "make test   - set up and run lint, type checks and all tests (incl. browser journeys)"
	@echo "make lint   - ruff, mypy, djlint, migrations check, views check"
	@echo "make bench  - run the benchmarks (figures go in docs/benchmarks.md)"

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

# The virtual environment comes from the committed lock file, exactly.
.venv/.synced: uv.lock pyproject.toml | $(if $(filter .tools/bin/uv,$(UV)),.tools/bin/uv)
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# The NHS.UK CSS, compiled without the remote font (see crisis_care/frontend/nhsuk.scss).
CSS := crisis_care/static_build/css/nhsuk.css
$(CSS): crisis_care/frontend/nhsuk.scss node_modules/.installed
	@mkdir -p $(dir $@)
	npx sass --load-path=node_modules --style=compressed --no-source-map $< $@

# WeasyPrint (letters and plans as PDF) needs Pango from the system.
system-deps:
	@if ! ldconfig -p | grep -q libpangoft2-1.0; then \
	  echo "Installing Pango and fonts for PDF letters (WeasyPrint)"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null; \
	fi

install: system-deps .venv/.synced node_modules/.installed $(CSS)

migrate: install
	$(PY) manage.py migrate --no-input

demo: migrate
	$(PY) manage.py demo_data

run: demo
	@echo "Crisis Care is starting at http://127.0.0.1:8000 (Ctrl+C to stop)"
	@# The background worker (exports, the visit planner) runs beside the server and stops with it.
	$(PY) manage.py db_worker --interval 1 & WORKER=$$!; \
	trap "kill $$WORKER 2>/dev/null" EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:8000

# Browser journeys drive Debian's Chromium; install it if this machine lacks it.
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "Installing Debian's chromium for the browser journeys"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy crisis_care scripts
	.venv/bin/djlint crisis_care --lint
	DJANGO_SETTINGS_MODULE=crisis_care.config.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(PY) scripts/check_views_no_orm.py

pytest: install chromium
	DJANGO_SETTINGS_MODULE=crisis_care.config.settings.test .venv/bin/pytest $(PYTEST_ARGS)

test: lint pytest

format: install
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

bench: install bench-hhcrsp
	DJANGO_SETTINGS_MODULE=crisis_care.config.settings.test $(PY) scripts/bench_pages.py
	DJANGO_SETTINGS_MODULE=crisis_care.config.settings.test $(PY) scripts/bench_queue.py
	DJANGO_SETTINGS_MODULE=crisis_care.config.settings.test $(PY) scripts/bench_caseload.py
	DJANGO_SETTINGS_MODULE=crisis_care.config.settings.test $(PY) scripts/bench_mdt.py
	DJANGO_SETTINGS_MODULE=crisis_care.config.settings.test $(PY) scripts/bench_planner.py

# The reports read whatever data the local database holds (make the five-year demo first:
# `manage.py demo_data --referral-days 1826 --visit-days 1826`); not part of `make bench`.
.PHONY: bench-reports
bench-reports: install
	$(PY) scripts/bench_dashboard.py
	$(PY) scripts/bench_fidelity.py

# The visit planner's solver on the published HHCRSP instances (../shared/data/hhcrsp): ~13 minutes.
.PHONY: bench-hhcrsp
bench-hhcrsp: install
	$(PY) scripts/bench_hhcrsp.py $(BENCH_HHCRSP_ARGS)

clean:
	rm -rf .venv .tools node_modules var .pytest_cache .mypy_cache .ruff_cache
