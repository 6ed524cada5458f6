"""What one uncached page costs to render, in-process, on a benchmark corpus.

    DATABASE_URL=sqlite:///bench/out/tally100k.sqlite3 .venv/bin/python bench/render_bench.py
    DATABASE_URL=sqlite:///bench/out/tally100k.sqlite3 .venv/bin/python bench/render_bench.py \
        --save before-100k      # keep the figures in bench/out/render-before-100k.json
    … --compare before-100k     # print them beside this run's

For each page type (front, the largest street, community and reporter, an article from the
middle of the corpus, that article's month, the archive index) it runs the page through
Django's test client with the page cache off (as on every page-cache miss), once to warm up,
once counting, then 30 times, and reports the median CPU time (time.process_time: the machine
is shared, CPU time is what the page itself costs; on PostgreSQL the server's part is not in
it, so the median wall time is given too), how many SQL queries it ran and how many
times it called reverse() (counted by a wrapper on Django's URL resolver). Where the tally
exists it also times the counts alone: the COUNT(*) queries the pages ran before, against
news.tally. The pages are chosen by the data, not by the code under test, so runs before and
after a change measure the same pages. Never a test: the figures go in the README.
"""

import json
import logging
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pingcheng.settings")
os.environ.setdefault("DJANGO_VAR_DIR", str(OUT / "render-var"))  # static files, secret key
RUNS = int(os.environ.get("BENCH_RUNS", "30"))


def pages():
    """One path per page type, picked from the data so that every run measures the same."""
    from django.db.models import Count
    from django.utils import timezone

    from news.models import Article, Community, Reporter, Street

    def largest(model):
        return (
            model.objects.annotate(n=Count("articles")).order_by("-n", "pk").first()
            if model.objects.exists()
            else None
        )

    # An article from the middle of the corpus (by id: the same one in every run).
    middle = Article.objects.order_by("-pk").values_list("pk", flat=True).first() // 2
    article = Article.objects.published().filter(pk__gte=middle).order_by("pk").first()
    month = timezone.localtime(article.published_at)
    return {
        "front": "/",
        "street": largest(Street).get_absolute_url(),
        "community": largest(Community).get_absolute_url(),
        "reporter": largest(Reporter).get_absolute_url(),
        "article": article.get_absolute_url(),
        "month archive": f"/archive/{month:%Y/%m}/",
        "archive index": "/archive/",
        "floor: robots.txt": "/robots.txt",  # Django's own floor: a trivial view, no template
        "floor: base template": "/no-such-page/",  # the 404 page: base.html and a paragraph
    }


class ReverseCounter:
    """Counts reverse() calls: every one (models' get_absolute_url, {% url %}, feeds) ends in
    URLResolver._reverse_with_prefix exactly once."""

    def __init__(self):
        from django.urls.resolvers import URLResolver

        self.calls, original = 0, URLResolver._reverse_with_prefix

        def counted(resolver, *args, **kwargs):
            self.calls += 1
            return original(resolver, *args, **kwargs)

        URLResolver._reverse_with_prefix = counted


def server_clock(connection):
    """CPU nanoseconds the PostgreSQL backend serving `connection` has used so far, or None
    (SQLite: its work is in this process's CPU time already; a server on another machine).
    The server's share of a render is otherwise missing from time.process_time()."""
    if connection.vendor != "postgresql" or connection.connection is None:
        return None
    pid = connection.connection.info.backend_pid
    try:  # schedstat: nanoseconds on the CPU, where /proc/<pid>/stat counts 10 ms ticks
        return pid, int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
    except OSError:
        return None


def measure(paths):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    logging.getLogger("django.request").setLevel(logging.ERROR)  # the 404 floor, 32 times
    client, counter, result = Client(), ReverseCounter(), {}
    with override_settings(PAGE_CACHE=False, ALLOWED_HOSTS=["testserver"]):
        for name, path in paths.items():
            expected = 404 if path == "/no-such-page/" else 200
            assert client.get(path).status_code == expected, path  # warm: templates, memos
            counter.calls = 0
            with CaptureQueriesContext(connection) as queries:
                client.get(path)
            reverses, query_count = counter.calls, len(queries)  # (the log is reset per request)
            times, walls = [], []
            server_before = server_clock(connection)
            for _ in range(RUNS):
                started, wall = time.process_time(), time.perf_counter()
                client.get(path)
                times.append((time.process_time() - started) * 1000)
                walls.append((time.perf_counter() - wall) * 1000)
            server_after, server = server_clock(connection), None
            if server_before and server_after and server_before[0] == server_after[0]:
                server = (server_after[1] - server_before[1]) / RUNS / 1e6  # mean ms per page
            result[name] = {
                "path": path,
                "ms": statistics.median(times),
                "wall": statistics.median(walls),
                "server": server,  # PostgreSQL's CPU ms per render (mean), None on SQLite
                "queries": query_count,
                "reverse": reverses,
            }
    return result


def count_times():
    """The counts alone: COUNT(*) as the pages ran it before, against the tally (news/tally.py).
    Median CPU ms of RUNS, after one warm-up."""
    try:
        from news import tally
    except ImportError:
        return {}
    from django.db.models import Count
    from django.db.models.functions import TruncMonth

    from news.models import Article, Reporter, Street

    street = Street.objects.annotate(n=Count("articles")).order_by("-n", "pk").first()
    reporter = Reporter.objects.annotate(n=Count("articles")).order_by("-n", "pk").first()
    listing = Article.objects.for_listing()

    def timed(work):
        started = time.process_time()
        work()
        slow = time.process_time() - started > 0.2  # the archive's old query at 1M: 4 s
        times = []
        for _ in range(5 if slow else RUNS):
            started = time.process_time()
            work()
            times.append((time.process_time() - started) * 1000)
        return statistics.median(times)

    months = (
        Article.objects.published()
        .annotate(month=TruncMonth("published_at"))
        .values("month")
        .annotate(count=Count("id"))
        .order_by("-month")
    )
    return {
        f"共 N 篇, street {street.slug}": (
            timed(lambda: listing.filter(street=street).count()),
            timed(lambda: tally.count(street)),
        ),
        f"共 N 篇, reporter {reporter.slug}": (
            timed(lambda: listing.filter(reporter=reporter).count()),
            timed(lambda: tally.count(reporter)),
        ),
        "archive months": (timed(lambda: list(months.all())), timed(tally.months)),
    }


def main():
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from news.models import Article

    call_command("collectstatic", "--noinput", verbosity=0)

    args = sys.argv[1:]
    label = lambda flag: args[args.index(flag) + 1] if flag in args else None  # noqa: E731
    db = Path(connection.settings_dict["NAME"]).stem
    articles = Article.objects.count()
    result = measure(pages())
    print(f"{connection.vendor} {db}: {articles:,} articles, median of {RUNS}, CPU ms")
    before = None
    if name := label("--compare"):
        before = json.loads((OUT / f"render-{name}.json").read_text())
        print(f"| page | {name} ms | now ms | wall ms | queries | reverse() |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
    else:
        print("| page | ms | wall ms | queries | reverse() |")
        print("| --- | ---: | ---: | ---: | ---: |")
    for page, row in result.items():
        figures = f"{row['ms']:.2f} | {row['wall']:.2f}"
        queries, reverses = str(row["queries"]), str(row["reverse"])
        if before and page in before:
            old = before[page]
            figures = f"{old['ms']:.2f} | {row['ms']:.2f} | {old['wall']:.1f} → {row['wall']:.1f}"
            queries = f"{old['queries']} → {row['queries']}"
            reverses = f"{old['reverse']} → {row['reverse']}"
        print(f"| {page} `{row['path']}` | {figures} | {queries} | {reverses} |")
    if counts := count_times():
        print("\n| count | COUNT(*) ms | tally ms |\n| --- | ---: | ---: |")
        for what, (before_ms, tally_ms) in counts.items():
            print(f"| {what} | {before_ms:.2f} | {tally_ms:.3f} |")
    if name := label("--save"):
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / f"render-{name}.json").write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
