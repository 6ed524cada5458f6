"""60 seconds of mixed reader traffic at 64 connections against gunicorn (a script, not a test).

    DATABASE_URL=sqlite:///bench/out/bench.sqlite3 .venv/bin/python bench/load.py
    DATABASE_URL=sqlite:///bench/out/bench.sqlite3 .venv/bin/python bench/load.py --editor

Serves the benchmark corpus with gunicorn.conf.py (page cache on, as in production), then wrk
with bench/load.lua cycles through the front page, every street and community listing (pages 1
and 2), 200 articles, 10 reporters pages, 20 searches and the feeds. Prints throughput, p50 and
p99 latency and every kind of error; exits 1 when any request failed. `--editor`: an editor
saves and publishes an item every 5 s during the run (bench/editor.py), which retires the cached
pages that show it, as in production. bench/targets.py calls `run()`.
"""

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import serve_bench  # noqa: E402  (shares the server set-up)

SECONDS = os.environ.get("LOAD_SECONDS", "60")
SEARCHES = [
    "社工",
    "老",
    "外卖小哥",
    "永安里",
    "3D打印",
    "漏水",
    "社区 漏水",
    "国庆",
    "党支部",
    "迎宾街道",
]


def paths():
    from urllib.parse import quote

    from news.models import Article, Community, Reporter, Street

    found = ["/", "/streets/", "/archive/", "/feeds/rss/", "/feeds/atom/"]
    for street in Street.objects.all():
        found += [street.get_absolute_url(), street.get_absolute_url() + "?page=2"]
        found.append(f"/feeds/streets/{street.slug}/rss/")
    for community in Community.objects.select_related("street"):
        found.append(community.get_absolute_url())
    found += [r.get_absolute_url() for r in Reporter.objects.all()[:10]]
    articles = Article.objects.published().order_by("-published_at").values_list("pk", flat=True)
    found += [f"/news/{pk}/" for pk in articles[:200]]
    found += ["/search/?q=" + quote(q) for q in SEARCHES for _ in range(2)]
    return found


def run(port, seconds, editor=None):
    """wrk with bench/load.lua against the gunicorn on `port` for `seconds`, while `editor`
    (a bench/editor.Editor, not started) saves. The figures of load.lua's LOAD line."""
    listing = serve_bench.OUT / "load-paths.txt"
    listing.write_text("\n".join(paths()) + "\n")
    command = ["wrk", "-t2", "-c64", f"-d{seconds}s", "--timeout", "10s"]
    command += ["-s", str(Path(__file__).with_name("load.lua")), f"http://127.0.0.1:{port}"]
    if editor:
        editor.start()
    try:
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "LOAD_PATHS": str(listing)},
        )
    finally:
        if editor:
            editor.stop()
    line = re.search(r"LOAD (.*)", result.stdout).group(1)
    figures = {k: float(v) for k, v in (item.split("=") for item in line.split())}
    figures["errors"] = sum(v for k, v in figures.items() if k.startswith("errors"))
    figures["paths"] = len(listing.read_text().split())
    return figures


def main():
    import django

    django.setup()
    import editor as editors
    from django.core.management import call_command

    serve_bench.VAR.mkdir(parents=True, exist_ok=True)
    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    static = Path(django.conf.settings.STATIC_ROOT) / "bench"
    static.mkdir(exist_ok=True)
    (static / "front.html").write_text("ready")  # what start_gunicorn waits for
    editor = editors.Editor() if "--editor" in sys.argv else None
    server = serve_bench.start_gunicorn(serve_bench.CACHED)
    try:
        figures = run(serve_bench.CACHED, SECONDS, editor)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
    print(
        f"{figures['paths']} distinct paths, {SECONDS} s, 64 connections: "
        f"{figures['rps']:,.0f} requests/s, p50 {figures['p50_ms']} ms, "
        f"p99 {figures['p99_ms']} ms, errors {figures['errors']:.0f}"
        + (f"; the editor: {editor.summary()}" if editor else "")
    )
    sys.exit(1 if figures["errors"] else 0)


if __name__ == "__main__":
    main()
