# Two commands on a fresh machine: `make run` serves the site, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test lint serve-setup clean bench bench-corpora lighthouse check-deploy backup restore

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

# Benchmarks (not tests): every speed target of issue 13 in one Markdown table for the README,
# on three corpora and the two 1M search corpora (bench/targets.py; a corpus left blank is
# skipped, one that fails says so in its rows). Needs wrk and nginx (apt-get install wrk nginx).
# `make bench-corpora` builds all five (hours: README, "Speed, measured"); BENCH_FLAGS=--quick.
CORPORA ?= /work/corpora
BENCH_100K ?= sqlite:///$(CORPORA)/bench100k.sqlite3
BENCH_1M ?= sqlite:///$(CORPORA)/bench1m.sqlite3
BENCH_PG ?= postgres://postgres@127.0.0.1:5432/bt_bench
SEARCH_SQLITE ?= sqlite:///$(CORPORA)/search1m_bench.sqlite3
SEARCH_PG ?= postgres://postgres@127.0.0.1:5432/s1m_bench
BENCH_FLAGS ?=
bench-corpora: $(VENV)/.dev-installed
	DATABASE_URL=$(BENCH_100K) $(BIN)/python bench/corpus.py 100000
	DATABASE_URL=$(BENCH_1M) $(BIN)/python bench/corpus.py 1000000 --no-search-index
	DATABASE_URL=$(BENCH_PG) $(BIN)/python bench/corpus.py 100000 --no-search-index
	DATABASE_URL=$(SEARCH_SQLITE) $(BIN)/python bench/corpus.py 1000000 --no-qr-codes
	DATABASE_URL=$(SEARCH_PG) $(BIN)/python bench/corpus.py 1000000 --no-qr-codes

bench: $(VENV)/.dev-installed
	@started=$$(date +%s); \
	$(BIN)/python bench/targets.py $(BENCH_FLAGS) --sqlite-100k "$(BENCH_100K)" \
		--sqlite-1m "$(BENCH_1M)" --pg-100k "$(BENCH_PG)" \
		--search-sqlite "$(SEARCH_SQLITE)" --search-pg "$(SEARCH_PG)"; \
	status=$$?; echo "make bench: $$(( $$(date +%s) - started )) s wall time in all" >&2; exit $$status

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
