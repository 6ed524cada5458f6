"""What 20,000 distinct query strings cost the page cache: gunicorn workers' memory, and Redis's.

    .venv/bin/python bench/cache_memory.py                    # this checkout
    .venv/bin/python bench/cache_memory.py --code /tmp/main   # another one (e.g. before a change)

The probe of issue 10, spread over every page type: each request carries its own
`?utm_source=bench-N` (plus a page's own parameters, e.g. `?q=社区&utm_source=…`). A throwaway
site is built in a temp folder with the checkout's manage.py (migrate, seed_bulletin,
rebuild_search_index, collectstatic) plus one long article whose page is about 340 KB, as in
the probe. Then, with the checkout's gunicorn.conf.py (3 workers, loopback only):

1. local memory: every worker's RSS after one request to each page, and after the flood;
2. Redis: a private redis-server started here on its own port, with the checkout's
   deploy/redis.conf if it has one (else unbounded, as that checkout shipped);
   Redis `used_memory` (and keys, evictions) before and after, and the workers' RSS.

`--mode host --requests 5000` instead sends the long article under 5,000 distinct Host ports:
pages that really differ, so the caches fill up to their bounds (64 MB a worker; maxmemory).
Requests go from a pool of threads (http.client, a connection each: sync workers close them).
Prints a Markdown table; ports 18101 (gunicorn) and 18102 (redis-server) unless given.
"""

import argparse
import http.client
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent

# One article like the probe's: ~110,000 characters of the bulletin's kind of text.
LONG_ARTICLE = """
from django.utils import timezone
from news.models import Article, Reporter, Street
paragraph = "社区网格员逐户走访，登记独居老人的需求，帮助解决生活中的难题。" * 16
Article.objects.get_or_create(headline="长篇调查：一座老城区的二十年", defaults=dict(
    reporter=Reporter.objects.order_by("pk").first(), street=Street.objects.get(slug="yingbin"),
    body="\\n\\n".join([paragraph] * 225), status="published",
    published_at=timezone.now() - timezone.timedelta(hours=1)))
"""
# Every page type's addresses, from the site's own data (printed as JSON by `manage.py shell`).
PATHS = """
import json
from news.models import Article, Community, Reporter, Street
long = Article.objects.get(headline="长篇调查：一座老城区的二十年").get_absolute_url()
articles = [a.get_absolute_url() for a in Article.objects.published()]
print(json.dumps({
    "front": ["/"],
    "article": [p for a in articles for p in (long, a)],
    "street": ["/streets/"] + [s.get_absolute_url() for s in Street.objects.all()],
    "community": [c.get_absolute_url() for c in Community.objects.select_related("street")],
    "reporter": [r.get_absolute_url() for r in Reporter.objects.all()],
    "archive": ["/archive/", "/archive/2022/09/"],
    "search": ["/search/?q=社区", "/search/?q=漏水", "/search/?q=社区&street=yingbin"],
    "feeds": ["/feeds/", "/feeds/rss/", "/feeds/atom/", "/feeds/all.opml", "/sitemap.xml"]
             + [f"/feeds/streets/{s.slug}/rss/" for s in Street.objects.all()],
    "digest": [f"/streets/{s.slug}/digest/?week=2022-W39" for s in Street.objects.all()],
}))
"""


def manage(code, var, *args, stdin=None):
    env = {**os.environ, "DJANGO_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": "pingcheng.settings"}
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=code,
        env=env,
        input=stdin,
        text=True,
        capture_output=True,
        check=True,
    )
    return done.stdout


def build_site(code, var):
    manage(code, var, "migrate", "--noinput")
    manage(code, var, "seed_bulletin")
    manage(code, var, "rebuild_search_index", "--if-empty")
    manage(code, var, "shell", stdin=LONG_ARTICLE)  # (indexed as it is saved)
    manage(code, var, "collectstatic", "--noinput", "--verbosity", "0")
    return json.loads(manage(code, var, "shell", stdin=PATHS).strip().splitlines()[-1])


def wait_for(predicate, what, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise SystemExit(f"{what} did not start")


def get(port, path, host="127.0.0.1"):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": host})
        response = connection.getresponse()
        response.read()
        return response.status
    except OSError as error:
        return type(error).__name__
    finally:
        connection.close()


def start_gunicorn(code, var, port, workers, redis_url=None):
    env = {
        **os.environ,
        "DJANGO_VAR_DIR": str(var),
        "DJANGO_SETTINGS_MODULE": "pingcheng.settings",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "PORT": str(port),
        "WORKERS": str(workers),
        "GUNICORN_ACCESS_LOG": "/dev/null",
        # The workers' own memory is what this measures (the disk store, the default since,
        # holds its cap in tests/test_cache_store.py); older checkouts ignore the setting.
        "DJANGO_PAGE_CACHE_STORE": "memory",
    }
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    command = [str(BIN / "gunicorn"), "pingcheng.wsgi", "--config", "gunicorn.conf.py"]
    log = open(var / f"gunicorn-{port}.log", "w")  # noqa: SIM115 (closed with the process)
    process = subprocess.Popen(command, cwd=code, env=env, stdout=log, stderr=log)
    wait_for(lambda: get(port, "/robots.txt") == 200, "gunicorn")
    wait_for(lambda: len(worker_pids(process)) == workers, "every gunicorn worker")
    return process


def worker_pids(process):
    found = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True)
    return sorted(int(pid) for pid in found.stdout.split())


def rss_mb(pid):
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024


def start_redis(code, var, port):
    recipe = Path(code) / "deploy" / "redis.conf"
    args = ["redis-server", *([str(recipe)] if recipe.exists() else [])]
    args += ["--port", str(port), "--bind", "127.0.0.1", "--dir", str(var)]
    args += ["--save", "", "--appendonly", "no", "--daemonize", "no"]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    for line in process.stdout:
        if "Ready to accept connections" in line:
            return process, recipe.exists()
    raise SystemExit("redis-server did not start")


def redis_memory(port):
    import redis

    client = redis.Redis(port=port)
    memory, stats = client.info("memory"), client.info("stats")
    return {
        "used_mb": memory["used_memory"] / 1024 / 1024,
        "maxmemory_mb": memory["maxmemory"] / 1024 / 1024,
        "keys": client.dbsize(),
        "evicted": stats["evicted_keys"],
    }


def probe(paths, count, mode):
    """(path, Host) of each request. "query": distinct query strings, the page types taking
    turns. "host": the long article under distinct Host ports, all allowed (ALLOWED_HOSTS
    ignores ports), pages that really differ (their absolute links do): what loads the bounds
    themselves."""
    if mode == "host":
        return [(paths["article"][0], f"127.0.0.1:{20000 + n}") for n in range(count)]
    types = itertools.cycle(sorted(paths))
    turns = {kind: itertools.cycle(urls) for kind, urls in paths.items()}
    requests = []
    for n in range(count):
        path = next(turns[next(types)])
        joiner = "&" if "?" in path else "?"
        requests.append((quote(f"{path}{joiner}utm_source=bench-{n}", safe="/?&=%"), "127.0.0.1"))
    return requests


def flood(port, requests, threads):
    started = time.monotonic()
    with ThreadPoolExecutor(threads) as pool:
        statuses = Counter(pool.map(lambda request: get(port, *request), requests))
    return statuses, time.monotonic() - started


def warm(port, paths):
    for url in {u for urls in paths.values() for u in urls}:
        for _ in range(4):  # each worker should have rendered most pages once
            get(port, quote(url, safe="/?&=%"))


def run(label, code, var, paths, args, redis_port=None):
    redis_process = None
    if redis_port:
        redis_process, recipe = start_redis(code, var, redis_port)
    url = f"redis://127.0.0.1:{redis_port}/0" if redis_port else None
    gunicorn = start_gunicorn(code, var, args.port, args.workers, url)
    try:
        warm(args.port, paths)
        pids = worker_pids(gunicorn)
        before = [rss_mb(pid) for pid in pids]
        redis_before = redis_memory(redis_port) if redis_port else None
        requests = probe(paths, args.requests, args.mode)
        statuses, seconds = flood(args.port, requests, args.threads)
        after = [rss_mb(pid) for pid in pids]
        redis_after = redis_memory(redis_port) if redis_port else None
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
        if redis_process:
            redis_process.terminate()
            redis_process.wait(timeout=30)
    log = (var / f"gunicorn-{args.port}.log").read_text()
    row = {
        "run": label,
        "breaker_trips": log.count("Redis cache at"),  # news.cache_store's one line per trip
        "statuses": dict(statuses),
        "seconds": round(seconds, 1),
        "rss_before": [round(x) for x in before],
        "rss_after": [round(x) for x in after],
    }
    if redis_port:
        row.update(redis_before=redis_before, redis_after=redis_after, recipe=recipe)
    return row


def report(code, rows, args):
    lines = [
        f"Checkout `{code}`, {args.requests:,} requests with distinct "
        f"{'Host ports (the long article)' if args.mode == 'host' else 'query strings'}, "
        f"{args.workers} gunicorn workers, {args.threads} client threads.",
        "",
        "| cache | statuses | worker RSS before → after (MB) | Redis used_memory before → after |",
        "| --- | --- | --- | --- |",
    ]
    for row in rows:
        rss = ", ".join(
            f"{b} → {a}" for b, a in zip(row["rss_before"], row["rss_after"], strict=True)
        )
        redis_text = "—"
        if "redis_after" in row:
            b, a = row["redis_before"], row["redis_after"]
            bound = f"maxmemory {a['maxmemory_mb']:.0f} MB" if a["maxmemory_mb"] else "no maxmemory"
            redis_text = (
                f"{b['used_mb']:.1f} → {a['used_mb']:.1f} MB ({bound}; keys {b['keys']} → "
                f"{a['keys']}, evicted {a['evicted']}; breaker trips {row['breaker_trips']})"
            )
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(row["statuses"].items(), key=str))
        lines.append(f"| {row['run']} | {statuses} | {rss} | {redis_text} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--code", type=Path, default=ROOT, help="the checkout to measure")
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--mode", choices=["query", "host"], default="query")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=6)
    parser.add_argument("--port", type=int, default=18101)
    parser.add_argument("--redis-port", type=int, default=18102)
    args = parser.parse_args()
    if not shutil.which("redis-server"):
        raise SystemExit("needs redis-server (apt-get install redis-server)")
    code = args.code.resolve()
    with tempfile.TemporaryDirectory(prefix="pingcheng-cache-bench-") as tmp:
        var = Path(tmp)
        paths = build_site(code, var)
        print(f"{sum(map(len, paths.values()))} pages of {len(paths)} types", flush=True)
        rows = [run("local memory", code, var, paths, args)]
        print(json.dumps(rows[-1]), flush=True)
        rows.append(run("Redis", code, var, paths, args, redis_port=args.redis_port))
        print(json.dumps(rows[-1]), flush=True)
    print(report(code, rows, args))


if __name__ == "__main__":
    main()
