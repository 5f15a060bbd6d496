# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
ATTENDEES ?= 200
TEST_WORKERS ?= 2

.PHONY: install lock lint run test suite db demo clean browser redis node translations translations-update

install: $(STAMP)

# The versions installed are the ones pinned in requirements.lock (`make lock` renews it
# after a change to setup.cfg's dependencies). pip's output goes to .venv/install.log and
# is shown only when the install fails.
LOCK := requirements.lock

$(STAMP): setup.cfg setup.py pyproject.toml $(LOCK)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing matchmaker and its dependencies into $(VENV) (log: $(VENV)/install.log) ..."
	@{ $(BIN)/python -m pip install --upgrade pip setuptools wheel && \
	   $(BIN)/python -m pip install -r $(LOCK) -e '.[test,postgres]'; } > $(VENV)/install.log 2>&1 \
	   || { cat $(VENV)/install.log; exit 1; }
	@touch $(STAMP)

lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links \
		--extra test --extra postgres --extra queue --extra deploy -o $(LOCK) setup.cfg

# Translation catalogues: the .po files are the source, the .mo files are built here.
CATALOGUES := $(wildcard matchmaker/translations/*/LC_MESSAGES/messages.po)
translations: $(CATALOGUES:.po=.mo)

matchmaker/translations/%/LC_MESSAGES/messages.mo: matchmaker/translations/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile --statistics -l $* -i $< -o $@

# After changing strings in the code: collect them and add the new ones to every catalogue.
translations-update: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		--project matchmaker -o matchmaker/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching -i matchmaker/translations/messages.pot -d matchmaker/translations

db: install translations
	$(BIN)/matchmaker init-db

demo: db
	$(BIN)/matchmaker seed-demo --if-empty --attendees $(ATTENDEES)

# Plain http on loopback for local use: cookies without the Secure flag.
run: demo
	@[ "$${MATCHMAKER_MAIL_BACKEND:-console}" != console ] || \
		echo "E-mails are not sent: each one (to, subject, body) is printed in this terminal."
	MATCHMAKER_SECURE_COOKIES=0 $(BIN)/matchmaker run --host $(HOST) --port $(PORT)

# The end-to-end tests drive Debian's headless Chromium (its fake camera plays an ffmpeg
# video of a badge); the badge tests read PDFs with poppler's pdftoppm. Installed when missing.
browser:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null \
		&& command -v ffmpeg >/dev/null && command -v pdftoppm >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver ffmpeg poppler-utils >/dev/null; \
	else echo "Install Debian's chromium, chromium-driver, ffmpeg and poppler-utils to run the browser and badge tests."; exit 1; fi

# The scale-out tests start Debian's redis-server on a free loopback port; install it when missing.
redis:
	@if command -v redis-server >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; \
	else echo "Install Debian's redis-server to run the scale-out tests."; exit 1; fi

# The accessibility tests inject axe-core, pinned in package.json, into the browser.
node: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; \
	else echo "Install Node.js and npm to fetch axe-core for the accessibility tests."; exit 1; fi
	npm ci --no-audit --no-fund
	touch $@

# Ruff on the whole tree, mypy on the solver packages and the services (setup.cfg [mypy]).
lint: install
	$(BIN)/ruff check matchmaker tests benchmarks scripts
	$(BIN)/mypy

# `make test` lints, then runs the suite in TEST_WORKERS pytest-xdist processes (0: one
# process); `make suite` runs the suite alone (CI's PostgreSQL pass, after the lint).
test: lint suite

# MARKS narrows both runs (CI's PostgreSQL pass: MARKS="not solver"). Tests marked
# `serial` (many threads racing on one database) run after the others, alone, so that
# another worker's solver test does not starve them into SQLite's busy timeout.
MARKS ?=
SELECT = $(if $(MARKS),($(MARKS)) and ,)
# Compiled bytecode, and pytest's assertion-rewritten test modules, are written to
# __pycache__ (ignored by git) even where the environment sets PYTHONDONTWRITEBYTECODE:
# without them every pytest process (each worker, the serial run, both passes) and every
# subprocess the tests start (gunicorn, the RQ worker, the CLI) compiled the app and
# rewrote the tests again, about 9 s of CPU per pytest process. (A PYTHONPYCACHEPREFIX
# would keep the tree clean but ignore the bytecode pip compiled for the dependencies,
# compiling 1,100 modules again.)
suite: export PYTHONDONTWRITEBYTECODE :=
suite: install translations browser redis node
	$(BIN)/python -m pytest -n $(TEST_WORKERS) -m "$(SELECT)not serial" $(PYTEST_ARGS)
	$(BIN)/python -m pytest -m "$(SELECT)serial" $(PYTEST_ARGS) || [ $$? -eq 5 ]

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis node_modules
