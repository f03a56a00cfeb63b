# The two commands of the README: `make run` and `make test`. Each installs what it needs
# into .venv first, from the lock files requirements.txt and requirements-test.txt (exact
# versions with their hashes), so a fresh clone gets what was tested; needs only Python 3.11+.
# uv installs them (the tool `make lock` writes the lock files with, pinned here): it checks
# the same hashes as pip in a few seconds where pip took some forty.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
JS     := tests/js
UV     := uv==0.13.9
LOCK_OPTIONS := --generate-hashes --universal --python-version 3.11 --quiet

# The tests come in tiers, fastest first (tests/README.md says what belongs where); each
# tier is its own run, so its time shows. The tiers that wait on servers run in parallel
# worker processes (they spend their time waiting, not computing), and runs that would leave
# the two cores idle run side by side, each one's output printed whole when it ends (make's
# --output-sync). The calendar is checked by running again the tests that read the date from
# the machine (each tier notes them in .date-readers) as if it were mid-2031 or early 2024,
# before two-level local government — each reader on one of the two days, in turn, so every
# module is checked on both (tests/support/time_travel.py) — so that no test depends on the
# day it runs. Two lanes run side by side from the start, each travelling as soon as its
# tiers end: the platform tier, then its readers; the checks, the unit, service and
# contract tiers, the browser tier, then their readers. (With barriers between them, the
# cores idled through each run's tail.)
PYTEST  := $(BIN)/python -m pytest
# Where PYTHONDONTWRITEBYTECODE is set (as on this machine), every test process compiled
# the project's modules and pytest rewrote every test module's asserts again: some hundred
# processes a run, a second of CPU each. The caches go to __pycache__ (ignored by git).
unexport PYTHONDONTWRITEBYTECODE
WORKERS ?= 4
READERS := .date-readers
NOTE    := --record-date-readers=$(READERS)
# Each long run names its slowest tests: where to look first when make test grows.
SLOWEST := --durations=12
SIDE_BY_SIDE := $(MAKE) --no-print-directory -j3 --output-sync=target
TRAVELS := travel-early travel-platform

.PHONY: run test fast lint types bench lock messages clean browser walkthrough-tools resolver-suite-tools \
	postgres-tools \
	tier-checks tier-fast tier-contract tier-platform tier-browser lane-platform lane-others \
	$(TRAVELS)

run: $(VENV)/.installed
	$(BIN)/ocop run

test: $(VENV)/.installed-test browser walkthrough-tools resolver-suite-tools postgres-tools \
	  $(JS)/node_modules/.installed
	rm -f $(READERS)
	$(SIDE_BY_SIDE) lane-platform lane-others
	@echo "$$(sort -u $(READERS) | wc -l) tests read the date: each ran again, in mid-2031 or in early 2024 (the two in turn)"

tier-checks:
	$(BIN)/ruff check .
	$(BIN)/mypy
	bash deploy/validate.sh
tier-fast:
	$(PYTEST) tests/unit tests/service $(NOTE)
tier-contract:
	$(PYTEST) -n $(WORKERS) tests/contract $(NOTE)
tier-platform:
	$(PYTEST) -n $(WORKERS) tests/platform $(NOTE) $(SLOWEST)
tier-browser:
	$(PYTEST) -n $(WORKERS) tests/browser $(NOTE) $(SLOWEST)
lane-platform:
	$(MAKE) --no-print-directory tier-platform
	$(MAKE) --no-print-directory travel-platform
lane-others:
	$(SIDE_BY_SIDE) tier-checks tier-fast tier-contract
	$(MAKE) --no-print-directory tier-browser
	$(MAKE) --no-print-directory travel-early
$(TRAVELS): travel-%:
	$(PYTEST) -q -p no:cacheprovider -n $(WORKERS) --only-date-readers=$(READERS) \
	  --travel-to=$(TRAVEL_DAYS) $(SLOWEST) $(TRAVEL_$*)
TRAVEL_DAYS     := 2031-06-15,2024-02-10
TRAVEL_early    := tests/unit tests/service tests/contract tests/browser
TRAVEL_platform := tests/platform

# The inner loop: the rules and the handlers, no servers (well under a minute).
fast: $(VENV)/.installed-test
	$(PYTEST) -q tests/unit tests/service

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

types: $(VENV)/.installed-test
	$(BIN)/mypy

bench: $(VENV)/.installed-test
	$(BIN)/python bench/bus.py
	$(BIN)/python bench/flow.py
	$(BIN)/python bench/labels.py

# Compiled to bytecode as pip does (uv does not by default): where PYTHONDONTWRITEBYTECODE
# is set, as on this machine, every process would otherwise compile each module it imports
# (the tests start hundreds: worker processes, servers, schemathesis), a quarter of the time.
INSTALL = $(PYTHON) -m venv $(VENV) && $(BIN)/python -m pip install --quiet $(UV) && \
	  $(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python

$(VENV)/.installed: requirements.txt pyproject.toml
	$(INSTALL) --require-hashes -r requirements.txt
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

$(VENV)/.installed-test: requirements-test.txt pyproject.toml
	$(INSTALL) --require-hashes -r requirements-test.txt
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(VENV)/.installed $@

# After changing the dependencies in pyproject.toml (or to take newer releases: add
# --upgrade), write the lock files again, then run `make test` before committing them.
# The browser tests drive Debian's Chromium (Playwright's own browser download is not used).
browser:
	@command -v chromium >/dev/null || { echo "installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null; }

# A test pastes the README's walk-through into bash (tests/platform/test_readme_walkthrough.py):
# it needs curl and jq, as a reader does.
walkthrough-tools:
	@command -v jq >/dev/null && command -v curl >/dev/null || { echo "installing Debian's jq and curl for the README walk-through test"; \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends jq curl >/dev/null; }

# GS1's resolver conformance suite (../shared/standards/gs1-resolver-testsuite, run by
# tests/platform/test_gs1_resolver_suite.py) makes its requests through a PHP helper with curl.
resolver-suite-tools:
	@command -v php >/dev/null && php -r 'exit(function_exists("curl_init") ? 0 : 1);' || { echo "installing Debian's php-cli and php-curl for GS1's resolver test suite"; \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends php-cli php-curl >/dev/null; }

# The document store's contract tier runs on a real PostgreSQL (tests/support/postgres.py): a
# throwaway cluster from Debian's server binaries (the cluster the package may make is not used).
postgres-tools:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { echo "installing Debian's postgresql for the document store's contract tests"; \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql >/dev/null; }

# GS1's digital-link.js checks the codes the platform prints, independently of our own
# parser; installed from its lock file (tests/js/package-lock.json) with Debian's Node.
$(JS)/node_modules/.installed: $(JS)/package-lock.json
	@command -v npm >/dev/null || { echo "installing Debian's nodejs and npm for the GS1 Digital Link check"; \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null; }
	npm ci --prefix $(JS) --no-audit --no-fund --loglevel=error
	touch $@

# The message catalogs (shared/i18n/locale, shared/i18n/__init__.py) brought up to date with the code and
# templates in one command: new messages added (a translator then gives their Vietnamese; the
# English says its id), reworded ones marked fuzzy for a translator to confirm, removed ones
# dropped. tests/unit/test_messages.py fails until every message is translated.
LOCALE := shared/i18n/locale
POT    := $(LOCALE)/ocop.pot

messages: $(VENV)/.installed-test
	$(BIN)/pybabel -q extract -F babel.cfg --add-location=file --no-wrap \
	  --add-comments=TRANSLATORS: -o $(POT) services shared
	$(BIN)/pybabel -q update -i $(POT) -d $(LOCALE) -D ocop --ignore-obsolete --no-wrap \
	  --ignore-pot-creation-date
	$(BIN)/python -m shared.i18n $(LOCALE)/en/LC_MESSAGES/ocop.po
	rm $(POT)

lock:
	$(PYTHON) -m pip install --quiet $(UV)
	$(PYTHON) -m uv pip compile pyproject.toml --extra test $(LOCK_OPTIONS) -o requirements-test.txt
	@# the running platform gets the very versions the tests ran with
	$(PYTHON) -m uv pip compile pyproject.toml -c requirements-test.txt $(LOCK_OPTIONS) -o requirements.txt

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache $(READERS) $(JS)/node_modules
