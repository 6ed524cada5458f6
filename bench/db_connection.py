"""What does opening the SQLite connection on every request cost? (issue 13)

    .venv/bin/python bench/db_connection.py

In-process, through the real WSGI application (so Django's request signals open and close
connections exactly as under gunicorn), page cache off, on a fresh SQLite copy of the bulletin
in a temporary folder. CPU time of each request (time.process_time), median of ROUNDS (200)
per page and mode, in blocks of 20 alternating the modes so the machine's noise falls on all
of them alike:

- persistent: CONN_MAX_AGE=600 with health checks (the settings now);
- per request, alone: CONN_MAX_AGE=0 and no other connection open, so each request also
  creates and deletes the -wal and -shm files (one worker on a quiet site);
- per request, shared: CONN_MAX_AGE=0 while another connection holds the database open (a
  busy site, where some other worker always has it open).

/robots.txt makes no query at all; the article page makes a handful.

It also times what emptying the WAL after a write costs (pingcheng/sqlite: a checkpoint that
copies the WAL into the main file and truncates it, fsyncs included): an article's save with
its signals (search index, page cache), alone and followed by the checkpoint.
"""

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "200"))
BLOCK = 20
WORK = tempfile.mkdtemp(prefix="pingcheng-bench-conn-")
os.environ.update(
    DJANGO_SETTINGS_MODULE="pingcheng.settings",
    DJANGO_VAR_DIR=WORK,
    DATABASE_URL=f"sqlite:///{WORK}/db.sqlite3",
    DJANGO_PAGE_CACHE="0",
)


def setup_site():
    import django
    from django.core.management import call_command

    django.setup()
    for command, args in (
        ("migrate", ["-v0"]),
        ("seed_bulletin", []),
        ("rebuild_search_index", []),
        ("collectstatic", ["--noinput", "-v0"]),
    ):
        call_command(command, *args, stdout=open(os.devnull, "w"))


def request(application, path):
    """One request as a WSGI server makes it; returns its CPU and wall time in ms."""
    from wsgiref.util import setup_testing_defaults

    environ = {"PATH_INFO": path, "HTTP_HOST": "127.0.0.1", "SERVER_NAME": "127.0.0.1"}
    setup_testing_defaults(environ)
    status = []
    cpu, wall = time.process_time(), time.perf_counter()
    result = application(environ, lambda s, headers, exc_info=None: status.append(s))
    b"".join(result)
    result.close()  # request_finished: Django closes or keeps the connection here
    cpu, wall = (time.process_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000
    assert status[0].startswith("200"), (path, status)
    return cpu, wall


def main():
    setup_site()
    import sqlite3

    from django.db import connection

    from news.models import Article
    from pingcheng.wsgi import application

    article = Article.objects.published().order_by("-published_at").first().get_absolute_url()
    connection.close()
    modes = {
        "persistent (CONN_MAX_AGE=600)": (600, False),
        "per request, alone (CONN_MAX_AGE=0)": (0, False),
        "per request, shared (CONN_MAX_AGE=0)": (0, True),
    }
    pages = {"/robots.txt": "/robots.txt", "article": article}
    times = {(page, mode): [] for page in pages for mode in modes}
    for _ in range(ROUNDS // BLOCK):
        for mode, (max_age, shared) in modes.items():
            connection.close()
            connection.settings_dict["CONN_MAX_AGE"] = max_age
            holder = sqlite3.connect(f"{WORK}/db.sqlite3") if shared else None  # "another worker"
            if holder:
                holder.execute("SELECT 1 FROM django_migrations").fetchall()
            for page, path in pages.items():
                request(application, path)  # warm-up: opens the connection once
                times[page, mode] += [request(application, path) for _ in range(BLOCK)]
            if holder:
                holder.close()

    connection.settings_dict["CONN_MAX_AGE"] = 600
    lead = Article.objects.get(pk=Article.objects.published().first().pk)
    saves = {"save": [], "save, then the WAL emptied": []}
    for _ in range(ROUNDS // BLOCK):
        for mode, timings in saves.items():
            for n in range(BLOCK):
                cpu, wall = time.process_time(), time.perf_counter()
                lead.headline = f"测试保存{n}"
                lead.save()
                if mode != "save":
                    connection.empty_wal()
                timings.append(
                    ((time.process_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000)
                )
    connection.close()
    shutil.rmtree(WORK, ignore_errors=True)
    print(
        f"ms per request, median of {ROUNDS}: CPU (wall) — in-process WSGI, SQLite, no page cache"
    )
    print(f"| page | {' | '.join(modes)} |")
    print(f"| --- | {' | '.join('---:' for _ in modes)} |")
    for page in pages:
        cells = []
        for mode in modes:
            cpu, wall = zip(*times[page, mode], strict=True)
            cells.append(f"{statistics.median(cpu):.3f} ({statistics.median(wall):.3f})")
        print(f"| {page} | {' | '.join(cells)} |")
    print(f"\nAn article's save, ms, median of {ROUNDS}: CPU (wall)")
    for mode, timings in saves.items():
        cpu, wall = zip(*timings, strict=True)
        print(f"- {mode}: {statistics.median(cpu):.3f} ({statistics.median(wall):.3f})")


if __name__ == "__main__":
    main()
