# Two commands do all the set-up: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DATA ?= ./data

.PHONY: run test check browser proxy soak venv validate screenshots clean i18n

# A fresh Debian or Ubuntu may lack Python's venv module: installed as root, else the command to run.
$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "needs Python 3.11 or newer as $(PYTHON)" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null && $(PYTHON) -m venv $(VENV); \
	  else echo "Python's venv module is missing: run \`sudo apt-get install python3-venv\`, then make again" >&2; exit 1; fi; }
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

venv: $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/exercise-server serve --host $(HOST) --port $(PORT) --data-dir $(DATA) --open demo injects/

# Two workers (pytest-xdist), a test module each at a time: the module's server stays shared, and each
# worker's Chromium serves its browser modules one after the other (tests/conftest.py orders them).
test: check browser proxy
	$(BIN)/python -m pytest -q -n 2 --dist loadfile $(PYTEST_ARGS)

# The browser tests' Chromium: the system's, else installed (tests/chromium.py says how), else the command to run.
browser: $(VENV)/.test-installed
	$(BIN)/python tests/chromium.py

# The scale-out check's proxy (nginx, as in the compose file): found, else installed as root from
# Debian's packages, else the command to run.
proxy:
	@command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing nginx for the scale-out check"; apt-get update -qq; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null 2>&1 || \
	      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; \
	  else echo "the scale-out check needs nginx: run \`sudo apt-get install nginx-light\`, then make test again" >&2; exit 1; fi; }

# The type checker and the linter (configured in pyproject.toml); `make test` runs them first.
check: $(VENV)/.test-installed
	$(BIN)/python -m ruff check exercise_server bench tests
	$(BIN)/python -m ruff format --check exercise_server bench
	$(BIN)/python -m mypy

# The long mode of the crash, fuzz and isolation suites and the accelerated classroom day (docs/security.md).
soak: $(VENV)/.test-installed
	SOAK=1 $(BIN)/python -m pytest -q -s tests/test_crash.py tests/test_fuzz.py tests/test_isolation.py \
	  tests/test_classroom_soak.py

screenshots: $(VENV)/.test-installed
	SCREENSHOT_DIR=docs/screenshots $(BIN)/python -m pytest -q tests/test_browser_tour.py tests/test_browser_workflows.py \
	  tests/test_browser_languages.py tests/test_browser_layout.py tests/test_browser_studio.py \
	  tests/test_browser_class.py tests/test_browser_studio_evaluation.py

# Benchmarks against peers (docs/performance.md): the load scenarios, then replay.
.PHONY: bench
bench: $(VENV)/.test-installed
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python -m bench all

# Re-extracts the interface's words (babel.cfg) and updates every catalogue in exercise_server/locale/;
# new and changed messages then need their translation (tests/test_i18n_catalogues.py names them).
LOCALE := exercise_server/locale
i18n: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output \
	  -k t -k tParts -k tn:1,2 --no-wrap -o $(LOCALE)/messages.pot .
	for lang in $$(ls $(LOCALE)); do [ -d $(LOCALE)/$$lang/LC_MESSAGES ] && \
	  $(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete --no-wrap \
	    -i $(LOCALE)/messages.pot -d $(LOCALE) -l $$lang; done; true

validate: $(VENV)/.installed
	$(BIN)/exercise-server validate injects/

clean:
	rm -rf $(VENV) .pytest_cache
