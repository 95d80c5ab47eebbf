# Bursar: `make run` starts everything on the embedded defaults; `make test` runs the suite.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed-$(shell cat requirements/*.txt | sha256sum | cut -c1-16)

.DEFAULT_GOAL := help
.PHONY: help run test install migrate seed lint format messages schemathesis ci clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP):
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/dev.txt
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP) ## Create .venv and install the pinned requirements

migrate: install ## Apply migrations and sync the beat schedule
	$(PY) manage.py migrate --noinput
	$(PY) manage.py schedule_sync

seed: migrate ## Load the idempotent demo data
	$(PY) manage.py seed_demo

# honcho gives each process its own PORT (web $(PORT), worker +100, beat +200): every process gets
# the web's address as SITE_URL, so links in the emails the worker sends point at the web server.
# A SITE_URL set in the environment or in .env wins.
RUN_ENV = PATH="$(CURDIR)/$(VENV)/bin:$$PATH" PORT=$(PORT) SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}"

run: seed ## Set up and run web, worker and beat on SQLite + filesystem broker
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@echo ""
	@echo "  Bursar is starting:"
	@echo "    portal    http://127.0.0.1:$(PORT)/"
	@echo "    admin     http://127.0.0.1:$(PORT)/admin/"
	@echo "    API docs  http://127.0.0.1:$(PORT)/api/docs/"
	@$(PY) manage.py seed_demo --logins
	@echo "  Staff sign in with a password and an authenticator code. The demo staff's current code:"
	@echo "    $(PY) manage.py totp_code admin@bursar.local   (or finance@bursar.local)"
	@echo "  Stop with Ctrl-C."
	@echo ""
	$(RUN_ENV) $(VENV)/bin/honcho start web worker beat

test: install ## Set up and run the whole test suite (embedded defaults unless DATABASE_URL is set)
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install ## ruff lint + format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install ## ruff fix + format
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: install ## Extract and compile translations (Arabic)
	$(PY) manage.py makemessages -l ar --ignore=.venv --ignore=var
	$(PY) manage.py compilemessages --ignore=.venv

schemathesis: install ## Fuzz the API against its schema on a live server (anonymous, investor, staff)
	PY=$(PY) scripts/schemathesis.sh

ci: ## What CI runs: both backends
	bash .ci/run

clean: ## Remove the virtualenv and local data (var/)
	rm -rf $(VENV) var
