# The two commands of the README: `make run` and `make test`. Both work on a fresh machine
# with only Python 3.11+ and make: they create .venv, install, compile the catalogues.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PO     := $(wildcard locales/*/LC_MESSAGES/messages.po)
MO     := $(PO:.po=.mo)

.PHONY: run test test-fast install lint check extract update compile clean

run: $(STAMP) compile
	$(BIN)/confbot run $(ARGS)

# Everything on SQLite, then again on PostgreSQL what uses the suite's database (marker `db`,
# set in tests/conftest.py): the rest does not depend on the engine.
test: $(STAMP) compile
	$(BIN)/ruff check .
	$(BIN)/mypy
	HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-ci} $(BIN)/pytest $(PYTEST_ARGS)
	HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-ci} CONFBOT_TEST_DB=postgresql $(BIN)/pytest -m db $(PYTEST_ARGS)

# The inner loop: no processes, no servers (marker `slow`), SQLite.
test-fast: $(STAMP) compile
	HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-ci} $(BIN)/pytest -m "not slow" $(PYTEST_ARGS)

check: $(STAMP) compile
	$(BIN)/confbot check

install: $(STAMP)

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

lint: $(STAMP)
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
