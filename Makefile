# The two commands of the README: `make run` and `make test`. Both work on a fresh machine
# with only Python 3.11+ and make: they create .venv, install, compile the catalogues.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
PO     := $(wildcard locales/*/LC_MESSAGES/messages.po)
MO     := $(PO:.po=.mo)

.PHONY: run test test-fast install install-test lint check extract update compile clean browser

run: $(STAMP) compile
	$(BIN)/confbot run $(ARGS)

# Everything on SQLite and, at the same time, on PostgreSQL what uses the suite's database
# (marker `db`, set in tests/conftest.py): the rest does not depend on the engine.
test: $(TEST_STAMP) compile browser
	$(BIN)/ruff check .
	$(BIN)/mypy
	HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-ci} scripts/test_both_databases.sh $(BIN)/pytest $(PYTEST_ARGS)

# The inner loop: no processes, no servers (marker `slow`), SQLite.
test-fast: $(TEST_STAMP) compile
	HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-ci} $(BIN)/pytest -m "not slow" $(PYTEST_ARGS)

check: $(STAMP) compile
	$(BIN)/confbot check

# `run` needs only what running needs; the test extras (Synapse, mypy, …) come with `make test`
install: $(STAMP)

# the console's browser tests drive Debian's headless Chromium through Selenium: install it when
# missing (as root, or with sudo); if it cannot be installed the tests fail and say so
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
		SUDO=$$(test "$$(id -u)" = 0 || echo sudo); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium chromium-driver || \
		echo "make browser: could not install chromium and chromium-driver;" \
		     "the browser tests will fail" >&2; }

install-test: $(TEST_STAMP)

$(STAMP): pyproject.toml setup.py
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(STAMP)

$(TEST_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(TEST_STAMP)

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

# --- translations: extract -> update (pl, uk by hand; en filled from the source) -> compile ---
extract: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location --sort-output \
		--project=confbot -o locales/messages.pot .
	sed -i '/^#, fuzzy$$/d' locales/messages.pot  # a template's header is not a translation

update: extract
	$(BIN)/pybabel update -i locales/messages.pot -d locales -D messages \
		--no-fuzzy-matching --ignore-obsolete
	$(BIN)/python scripts/fill_english_catalogue.py

compile: $(MO)

locales/%/LC_MESSAGES/messages.mo: locales/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile -i $< -o $@

clean:
	rm -rf $(VENV) $(MO) .pytest_cache .ruff_cache .hypothesis
