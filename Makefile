# Two commands on a fresh machine: `make run` serves the site, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
WORKERS ?= 2

.PHONY: run test lint serve-setup clean

# The runtime venv; reinstalled when requirements change.
$(VENV)/.run-installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

# The test venv adds requirements-dev.txt on top.
$(VENV)/.dev-installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(VENV)/.run-installed $@

serve-setup: $(VENV)/.run-installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_bulletin
	$(BIN)/python manage.py rebuild_search_index --if-empty
	$(BIN)/python manage.py optimize_database
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0

run: serve-setup
	$(BIN)/gunicorn pingcheng.wsgi --bind 127.0.0.1:$(PORT) --workers $(WORKERS) --access-logfile -

test: $(VENV)/.dev-installed
	$(BIN)/python -m pytest

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) var/static
