"""Which page-cache store on one machine: each worker's memory, the disk store, or Redis?

    DATABASE_URL=sqlite:////work/corpora/bench100k.sqlite3 .venv/bin/python bench/page_store.py

For each store in turn (a fresh gunicorn with 5 workers, gunicorn.conf.py; Redis database 12,
emptied first), on the database DATABASE_URL names:
- hits: the front, a street and an article page from the page cache against the front page's
  bytes as a static file in the same gunicorn, wrk -t2 -c32, rows alternating (as
  bench/targets.py's rows);
- load: bench/load.py (60 s, 64 connections, 327 mixed paths) while bench/editor.py publishes
  an edit of a front-page item every 5 s, as `make bench`'s load row;
- fragments: in this process, storing and reading 20 card-sized entries (a listing's cards) in
  that store, median of 200.
Each store runs in its own process (the settings are read once, at start). Prints a Markdown
table for the README ("One cache for every worker"). Never a test.
"""

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STORES = {
    "memory": {"DJANGO_PAGE_CACHE_STORE": "memory", "REDIS_URL": ""},
    "disk": {"DJANGO_PAGE_CACHE_STORE": "disk", "REDIS_URL": ""},
    "redis": {"REDIS_URL": "redis://127.0.0.1:6379/12"},
}


def fragments_timing():
    """(set_many ms, get_many ms) of 20 card-sized entries in the default cache."""
    from django.core.cache import cache

    card = "<article>" + "平城区社区新闻卡片" * 60 + "</article>"  # about 1.6 KB, as a card
    sets, gets = [], []
    for round_ in range(200):
        entries = {f"frag:bench:{round_}:{n}": card for n in range(20)}
        started = time.perf_counter()
        cache.set_many(entries, 600)
        sets.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        cache.get_many(list(entries))
        gets.append((time.perf_counter() - started) * 1000)
    return statistics.median(sets), statistics.median(gets)


def one_store(name):
    sys.path[:0] = [str(ROOT / "bench"), str(ROOT)]
    import shutil

    import target_parts as parts

    shutil.rmtree(parts.VAR / "page-cache", ignore_errors=True)
    parts.setup()
    if name == "redis":
        from django.core.cache import cache

        cache.clear()
    import editor as editors
    import load
    import serve_bench

    paths = parts.page_paths()
    result = {"fragments": fragments_timing()}
    with parts.gunicorn() as port:
        rows = {"static": f"http://127.0.0.1:{port}/static/bench/front.html"}
        rows.update(
            {p: f"http://127.0.0.1:{port}{paths[p]}" for p in ("front", "street", "article")}
        )
        result["hits"] = parts.alternate(rows)
    with parts.gunicorn() as port:
        static = f"http://127.0.0.1:{port}/static/bench/front.html"
        parts.settle(static)
        serve_bench.wrk_run(static, 2, 64)
        parts.settle(static)
        result["static"] = serve_bench.wrk_run(static, parts.STATIC_SECONDS, 64)
        parts.settle(static)
        editor = editors.Editor(every=5.0)
        result["load"] = load.run(port, parts.LOAD_SECONDS, editor)
        result["editor"] = editor.summary()
    return result


def table(results):
    lines = [
        "| store | hits × static file (front, street, article) | load test: requests/s, p50, "
        "p99 (static p99) | 20 fragments: store, read |",
        "| --- | --- | --- | --- |",
    ]
    for name, r in results.items():
        static_rps = r["hits"]["static"][0]
        hits = ", ".join(
            f"{r['hits'][p][0] / static_rps:.2f}×" for p in ("front", "street", "article")
        )
        load = r["load"]
        lines.append(
            f"| {name} | {hits} | {load['rps']:.0f}/s, {load['p50_ms']:.0f} ms, "
            f"{load['p99_ms']:.0f} ms ({r['static']['p99']:.0f} ms), {load['errors']:.0f} errors "
            f"| {r['fragments'][0]:.2f} ms, {r['fragments'][1]:.2f} ms |"
        )
    return "\n".join(lines)


def main():
    if len(sys.argv) > 1:
        print("RESULT " + json.dumps(one_store(sys.argv[1])))
        return
    results = {}
    for name, env in STORES.items():
        print(f"[{time.strftime('%H:%M:%S')}] {name} …", file=sys.stderr, flush=True)
        done = subprocess.run(
            [sys.executable, __file__, name],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=1800,
        )
        found = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
        if not found:
            raise SystemExit(f"{name}: {done.stderr.strip().splitlines()[-3:]}")
        results[name] = json.loads(found[-1][len("RESULT ") :])
    (ROOT / "bench" / "out" / "page_store.json").write_text(json.dumps(results, indent=1))
    print(table(results))


if __name__ == "__main__":
    main()
