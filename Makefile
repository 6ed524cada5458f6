# Two commands on a fresh machine: `make run` serves the site, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test lint serve-setup clean bench bench-corpus lighthouse check-deploy backup restore

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
	$(BIN)/python manage.py make_qr_codes --verbosity 0
	$(BIN)/python manage.py rebuild_search_index --if-empty
	$(BIN)/python manage.py optimize_database
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0

run: serve-setup
	PORT=$(PORT) $(BIN)/gunicorn pingcheng.wsgi --config gunicorn.conf.py

test: $(VENV)/.dev-installed
	$(BIN)/python -m pytest

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Benchmarks (not tests): figures for the README. Needs wrk and nginx (apt-get install wrk nginx).
BENCH_DB ?= sqlite:///bench/out/bench.sqlite3
ARTICLES ?= 100000
bench-corpus: $(VENV)/.dev-installed
	DATABASE_URL=$(BENCH_DB) $(BIN)/python bench/corpus.py $(ARTICLES)

bench: bench-corpus
	DATABASE_URL=$(BENCH_DB) $(BIN)/python bench/search_bench.py
	DATABASE_URL=$(BENCH_DB) $(BIN)/python bench/render_bench.py
	DATABASE_URL=$(BENCH_DB) $(BIN)/python bench/serve_bench.py
	DATABASE_URL=$(BENCH_DB) $(BIN)/python bench/load.py
	$(BIN)/python bench/photo_bytes.py

# Lighthouse 12.2.3 (npm, into bench/out) on four page types with the system Chromium.
lighthouse: $(VENV)/.dev-installed
	$(BIN)/python bench/lighthouse.py

# `manage.py check --deploy` with the production settings the README documents.
check-deploy: $(VENV)/.run-installed
	DJANGO_HTTPS=1 DJANGO_BEHIND_PROXY=1 DJANGO_ALLOWED_HOSTS=news.example.cn \
	DJANGO_SITE_URL=https://news.example.cn \
	DJANGO_SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

# The database and every uploaded photo, into var/backups/pingcheng-backup-YYYYmmdd-HHMMSS.tar.gz.
backup: $(VENV)/.run-installed
	$(BIN)/python manage.py backup_site

# make restore FILE=var/backups/pingcheng-backup-….tar.gz — replaces the database and photos.
restore: $(VENV)/.run-installed
	@test -n "$(FILE)" || { echo "用法：make restore FILE=var/backups/pingcheng-backup-….tar.gz"; exit 2; }
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py restore_site "$(FILE)" --yes

clean:
	rm -rf $(VENV) var/static
