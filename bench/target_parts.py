"""One part of bench/targets.py, on the database DATABASE_URL names: prints its figures as JSON.

    DATABASE_URL=sqlite:////work/corpora/bench100k.sqlite3 .venv/bin/python bench/target_parts.py render

Parts: migrate, render, serve, load, nginx, search. Each runs in its own process (Django
binds one database per process; a part that fails or hangs cannot take the others with it).
BENCH_QUICK=1 runs fewer seconds. The servers listen on free ports and live in their own
folders, so a part never meets another run's gunicorn or nginx; they are stopped by their own
process ids whatever happens.
"""

import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "bench"), str(ROOT)]
QUICK = os.environ.get("BENCH_QUICK") == "1"
os.environ.setdefault("BENCH_RUNS", "10" if QUICK else "30")  # render_bench reads it

import serve_bench  # noqa: E402  (sets DJANGO_VAR_DIR and DJANGO_ALLOWED_HOSTS)

VAR = serve_bench.OUT / "targets-var"  # static files, secret key, page-generation file
os.environ["DJANGO_VAR_DIR"] = str(VAR)
serve_bench.VAR = VAR
ROW_SECONDS = 3 if QUICK else 8  # each wrk row
ROUNDS = 1 if QUICK else 2  # rows alternate A B C … A B C … in each round
LOAD_SECONDS = 15 if QUICK else 60
STATIC_SECONDS = 5 if QUICK else 10  # the static file at 64 connections, before and after
PAGES = ["front", "street", "community", "reporter", "article", "month archive"]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def setup(write_front=True):
    """Django on this database; the static files collected, with the front page's own bytes
    as bench/front.html (the static file every ratio is taken against)."""
    import django

    VAR.mkdir(parents=True, exist_ok=True)
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings

    call_command("collectstatic", "--noinput", verbosity=0)
    static = Path(settings.STATIC_ROOT) / "bench"
    static.mkdir(exist_ok=True)
    if write_front:
        with override_settings(PAGE_CACHE=False, ALLOWED_HOSTS=["127.0.0.1"]):
            front = Client(HTTP_HOST="127.0.0.1").get("/").content
        (static / "front.html").write_bytes(front)
    return Path(settings.STATIC_ROOT)


def page_paths():
    import render_bench

    return {name: path for name, path in render_bench.pages().items() if name in PAGES}


@contextmanager
def gunicorn(**env):
    port = free_port()
    process = serve_bench.start_gunicorn(port, **env)
    try:
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)


def answer_time(url, limit=30):
    started = time.perf_counter()
    try:
        urllib.request.urlopen(url, timeout=limit).read()
    except OSError:
        time.sleep(0.5)
        return limit
    return time.perf_counter() - started


def settle(url, limit=60):
    """Wait until the server answers `url` (the static file) about as fast as when idle, three
    times in a row: when wrk stops, the workers still owe the requests it left queued, which
    would otherwise slow the next row. "As fast as when idle" is measured on a busy machine too
    (the first call learns it), so a slow machine does not make every wait run to the limit."""
    if url not in IDLE:
        IDLE[url] = min(answer_time(url) for _ in range(5))
    fast, deadline, quick = max(0.02, 5 * IDLE[url]), time.monotonic() + limit, 0
    while quick < 3 and time.monotonic() < deadline:
        quick = quick + 1 if answer_time(url) < fast else 0


IDLE = {}  # url → the static file's answer time before any wrk row


def alternate(rows, connections=32):
    """{row: (mean requests/s, worst p99 ms, errors)} of wrk on each URL, rows alternating;
    rows["static"] is the static file."""
    settle(rows["static"])  # learns how fast it answers before any load
    for url in rows.values():  # warm: templates, connections, every worker's caches
        serve_bench.wrk_run(url, 1 if QUICK else 2, connections)
        settle(rows["static"])
    runs = {name: [] for name in rows}
    for _ in range(ROUNDS):
        for name, url in rows.items():
            runs[name].append(serve_bench.wrk_run(url, ROW_SECONDS, connections))
            settle(rows["static"])
    return {
        name: (
            statistics.mean(r["rps"] for r in found),
            max(r["p99"] for r in found),
            sum(r["errors"] for r in found),
        )
        for name, found in runs.items()
    }


def part_migrate():
    import django

    VAR.mkdir(parents=True, exist_ok=True)
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from news.models import Article

    name = connection.settings_dict["NAME"]
    if "bench" not in str(name):  # never a real site's database (as bench/corpus.py)
        raise RuntimeError(f"{name} is not a benchmark database (its name lacks 'bench')")
    if connection.vendor == "sqlite" and not Path(name).exists():
        raise RuntimeError(f"no corpus at {name} (make bench-corpora)")
    started = time.perf_counter()
    call_command("migrate", "--noinput", verbosity=0)
    call_command("optimize_database", verbosity=0)  # ANALYZE: the planner needs the sizes
    articles = Article.objects.count()
    if not articles:
        raise RuntimeError(f"{name} holds no articles (make bench-corpora)")
    return {"articles": articles, "seconds": time.perf_counter() - started}


def part_render():
    setup(write_front=False)
    import render_bench

    return render_bench.measure(render_bench.pages())


def part_serve():
    """Uncached pages (DJANGO_PAGE_CACHE=0) against the static file in the same gunicorn."""
    setup()
    paths = page_paths()
    with gunicorn(DJANGO_PAGE_CACHE="0") as port:
        rows = {"static": f"http://127.0.0.1:{port}/static/bench/front.html"}
        rows.update({name: f"http://127.0.0.1:{port}{path}" for name, path in paths.items()})
        return {"paths": paths, "rows": alternate(rows)}


def part_load():
    """bench/load.py with the editor, between two runs of the static file at 64 connections."""
    setup()
    import editor as editors
    import load

    with gunicorn() as port:
        static = f"http://127.0.0.1:{port}/static/bench/front.html"
        settle(static)  # learns how fast it answers before any load
        serve_bench.wrk_run(static, 2, 64)  # warm
        settle(static)
        before = serve_bench.wrk_run(static, STATIC_SECONDS, 64)
        settle(static)
        editor = editors.Editor(every=5.0)
        figures = load.run(port, LOAD_SECONDS, editor)
        settle(static)
        after = serve_bench.wrk_run(static, STATIC_SECONDS, 64)
    return {
        "load": figures,
        "static": [before, after],
        "editor": {"saves": len(editor.durations), "failures": editor.failures},
        "summary": editor.summary(),
        "seconds": LOAD_SECONDS,
    }


def part_nginx():
    """deploy/nginx.conf in front of gunicorn (page cache on): anonymous pages against nginx
    serving the static file, rows alternating."""
    static_root = setup()
    from tests.nginx_site import recipe_for_test

    paths = page_paths()
    tmp = Path(tempfile.mkdtemp(prefix="pingcheng-bench-nginx-"))
    tmp.chmod(0o755)  # nginx's workers give up root's rights
    for folder in (serve_bench.OUT, VAR, static_root, static_root / "bench"):
        folder.chmod(folder.stat().st_mode | 0o005)  # and must reach the static files
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    server = None
    try:
        with gunicorn() as upstream:
            listen = free_port()
            (tmp / "site.conf").write_text(
                recipe_for_test(
                    (ROOT / "deploy" / "nginx.conf").read_text(),
                    upstream=upstream,
                    listen=listen,
                    static=static_root,
                    media=VAR / "media",
                    cache=tmp / "cache",
                )
            )
            temp = "".join(
                f"{name}_temp_path {tmp / name}; "
                for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
            )
            (tmp / "nginx.conf").write_text(
                f"worker_processes 1;\npid {tmp / 'nginx.pid'};\nerror_log {tmp / 'error.log'};\n"
                "events { worker_connections 1024; }\n"
                f"http {{ include /etc/nginx/mime.types; access_log off; {temp}"
                f"include {tmp / 'site.conf'}; }}\n"
            )
            command = [nginx, "-p", str(tmp), "-c", str(tmp / "nginx.conf")]
            checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
            if checked.returncode:
                raise RuntimeError(f"nginx -t: {checked.stderr.strip()}")
            server = subprocess.Popen([*command, "-g", "daemon off;"])
            for _ in range(50):
                try:
                    socket.create_connection(("127.0.0.1", listen), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.1)
            rows = {"static": f"http://127.0.0.1:{listen}/static/bench/front.html"}
            rows.update({name: f"http://127.0.0.1:{listen}{path}" for name, path in paths.items()})
            return {"paths": paths, "rows": alternate(rows)}
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)


def part_search():
    import django

    django.setup()
    import search_bench
    from django.db import connection

    from news.models import Article, SearchEntry

    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite" and not Path(name).exists():  # (a query would create it)
        raise RuntimeError(f"no search corpus at {name}")
    if QUICK:
        search_bench.REPEAT = 5
    articles = Article.objects.count()
    if articles < 900_000:  # a corpus still being built, or a smaller one
        raise RuntimeError(f"the search corpus holds {articles:,} articles, not 1,000,000")
    if not SearchEntry.objects.exists():
        raise RuntimeError("the corpus has no search index")
    # Migrated only once it is whole: the search corpora are other runs' builds.
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)
    timings, _ = search_bench.measure()
    every = [ms for values in timings.values() for ms in values]
    return {
        "articles": articles,
        "p50": statistics.median(every),
        "p95": search_bench.percentile(every, 0.95),
    }


if __name__ == "__main__":
    result = globals()[f"part_{sys.argv[1]}"]()
    print("RESULT " + json.dumps(result, ensure_ascii=False, default=str))
