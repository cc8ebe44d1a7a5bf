# casework — `make run` and `make test` set everything up from a fresh Debian machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DEMO_PASSWORD ?= casework-demo
ZH_PO := casework/locale/zh_Hans/LC_MESSAGES/django.po
# Debian packages: WeasyPrint's libraries and a CJK font (ENGINEERING.md), gettext for the
# translation catalogues, venv support for Debian's own python3.
DEB_RUN := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk fontconfig gettext python3-venv
DEB_TEST := $(DEB_RUN) poppler-utils chromium
REQ_STAMP := $(VENV)/.stamp-run-$(shell cat requirements.txt | sha1sum | cut -c1-12)
DEV_STAMP := $(VENV)/.stamp-dev-$(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)

.PHONY: help run test check lint typecheck integration bench ci system-run system-test setup setup-dev \
        messages makemessages migrate seed clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

run: system-run setup migrate seed  ## set up, migrate, load demo data, run web + worker + beat
	$(PY) manage.py runstack --demo-password "$(DEMO_PASSWORD)"

test: system-test setup-dev  ## set up, then run the whole default test suite
	$(PY) -m pytest

check: setup-dev lint typecheck  ## what CI runs: lint, types, migrations, tests
	$(PY) manage.py makemigrations --check --dry-run
	$(MAKE) test

lint: setup-dev  ## ruff lint + format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: setup-dev  ## mypy with django-stubs
	$(VENV)/bin/mypy casework config

BENCH_SCALE ?= 1.0
bench: setup-dev  ## every performance target beside its baseline, one table (needs DATABASE_URL=postgres://…)
	DJANGO_SETTINGS_MODULE=config.settings.local $(PY) manage.py bench --scale $(BENCH_SCALE)

integration: setup-dev  ## PostgreSQL + Redis + a real Celery worker (see .ci/run)
	$(PY) -m pytest -m integration tests/integration

system-run:  ## install the Debian packages the product needs (as root)
	@$(call deb_install,$(DEB_RUN))

system-test:
	@$(call deb_install,$(DEB_TEST))

define deb_install
missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
if [ -z "$$missing" ]; then exit 0; fi; \
if [ "$$(id -u)" != 0 ]; then \
  echo "Missing Debian packages:" $$missing; echo "Install them: sudo apt-get install" $$missing; exit 1; \
fi; \
echo "Installing Debian packages:" $$missing; \
apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing
endef

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip

$(REQ_STAMP): requirements.txt | $(VENV)/bin/python
	$(VENV)/bin/pip install -q -r requirements.txt
	@rm -f $(VENV)/.stamp-run-*; touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(VENV)/bin/pip install -q -r requirements-dev.txt
	@rm -f $(VENV)/.stamp-dev-*; touch $@

setup: $(REQ_STAMP) messages
setup-dev: $(DEV_STAMP) messages

messages:  ## compile the translation catalogues
	@$(PY) manage.py compilemessages --ignore=$(VENV) -v 0

makemessages:  ## refresh the catalogues after changing strings (then translate en)
	$(PY) manage.py makemessages -l zh_Hans -l en --no-location --ignore=$(VENV) --ignore=var --ignore=tests
	@# zh_Hans mirrors the (Chinese) source strings: reset what msgmerge guessed, then copy.
	msgattrib --no-wrap --clear-fuzzy --clear-previous --empty -o $(ZH_PO) $(ZH_PO)
	msgen --no-wrap -o $(ZH_PO) $(ZH_PO)
	@# msgen leaves plural entries empty; zh_Hans has one form, the msgid itself.
	$(PY) -c "import polib; po = polib.pofile('$(ZH_PO)', wrapwidth=0); [e.msgstr_plural.update({0: e.msgid}) for e in po if e.msgid_plural and not e.msgstr_plural.get(0)]; po.save()"

migrate: setup
	$(PY) manage.py migrate --no-input -v 0

seed: migrate  ## the rule library and the demo stations and users (idempotent)
	$(PY) manage.py load_rules
	$(PY) manage.py seed_demo --password "$(DEMO_PASSWORD)"

clean:  ## remove the virtualenv and local data
	rm -rf $(VENV) var

.PHONY: loadtest
loadtest: setup-dev  ## load test on 127.0.0.1: gunicorn + worker, PostgreSQL + Redis (USERS=20 DURATION=60s)
	USERS="$(or $(USERS),20)" DURATION="$(or $(DURATION),60s)" bash .ci/loadtest
