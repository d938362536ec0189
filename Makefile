# Two commands do everything: `make run` and `make test` (see README.md).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
# Parallel test processes (pytest-xdist); the suite keeps each worker's database and cache apart.
TEST_WORKERS ?= 2

.PHONY: run test test-unit e2e e2e-deps install migrate demo worker clean bench messages

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "需要 Python 3.11($(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

# Start the platform at http://$(HOST):$(PORT) with its background worker.
run: demo
	$(BIN)/python manage.py collectstatic --noinput -v 0
	@# exec: the launcher is make's own child, so a TERM to make reaches it (a shell in
	@# between would die and leave the web server and the worker running).
	PORT=$(PORT) HOST=$(HOST) exec bin/run-platform

# The whole test suite: unit and integration tests, then the browser tests when
# Chromium is installed (`make e2e-deps` installs it; .ci/run does).
test: install
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS)
	@if [ -x /usr/bin/chromium ] && [ -d node_modules/axe-core ]; then \
		$(MAKE) --no-print-directory e2e; \
	else \
		echo "Browser tests not run here: Chromium or axe-core missing (run 'make e2e-deps')."; \
	fi

e2e-deps:
	bin/install-system-deps

e2e: install
	$(BIN)/python -m pytest -q e2e -p no:django -o addopts="-p no:cacheprovider"

# Recompile the project's translations after editing locale/*/LC_MESSAGES/django.po
# (needs GNU gettext's msgfmt); the compiled .mo is committed, so installing needs neither.
messages:
	msgfmt --check -o locale/zh_Hans/LC_MESSAGES/django.mo locale/zh_Hans/LC_MESSAGES/django.po

bench: install
	$(BIN)/python bench/render.py

clean:
	rm -rf var .pytest_cache
