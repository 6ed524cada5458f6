"""A realistic corpus for benchmarks: N articles made from the bulletin's own vocabulary.

    DATABASE_URL=sqlite:///bench/out/bench.sqlite3 .venv/bin/python bench/corpus.py 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pingcheng_bench .venv/bin/python bench/corpus.py 100000

Migrates the database named by DATABASE_URL (creating a PostgreSQL database if needed), loads
the bulletin, adds streets and communities so listings have realistic sizes, then writes N
articles whose sentences are the bulletin's sentences recombined, with other place names put in,
spread over five years (about 2 % drafts and 1 % scheduled), and indexes them for search
(`--no-search-index` leaves the search index out: page renders do not need it;
`--no-qr-codes` leaves out the stored QR codes, which search does not need).
Never point it at the real database: it refuses unless the database name contains "bench".
"""

import os
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pingcheng.settings")

EXTRA_STREETS = [
    ("南关街道", "nanguan"),
    ("北关街道", "beiguan"),
    ("西街街道", "xijie"),
    ("东街街道", "dongjie"),
    ("新华街街道", "xinhuajie"),
    ("开源街道", "kaiyuan"),
    ("向阳里街道", "xiangyangli"),
    ("新建南路街道", "xinjiannanlu"),
]
COMMUNITY_NAMES = ["和平", "幸福", "阳光", "光明", "文化", "建设", "东风", "胜利", "团结", "花园"]


def prepare_database():
    """Create the PostgreSQL database if it is missing; refuse a database not meant for this."""
    import dj_database_url

    config = dj_database_url.config()
    if "bench" not in str(config.get("NAME", "")):
        raise SystemExit("DATABASE_URL must name a benchmark database (its name contains 'bench').")
    if config["ENGINE"].endswith("postgresql"):
        import psycopg

        admin = {k: v for k, v in {"host": config["HOST"], "port": config["PORT"]}.items() if v}
        with psycopg.connect(
            dbname="postgres", user=config["USER"], autocommit=True, **admin
        ) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{config["NAME"]}"')
    else:
        Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)


def sentences(articles):
    text = "".join(a.body for a in articles)
    return [s for s in re.findall(r"[^。！？]+[。！？”]*", text) if len(s) > 8]


def build(n, seed=2022, batch=5000, search_index=True):
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from news.models import Article, Community, Reporter, SearchEntry, Street

    call_command("migrate", verbosity=0)
    call_command("loaddata", "bulletin", verbosity=0)
    rng = random.Random(seed)
    for position, (name, slug) in enumerate(EXTRA_STREETS, start=60):
        street, _ = Street.objects.get_or_create(
            slug=slug, defaults={"name": name, "position": position}
        )
        for number, word in enumerate(COMMUNITY_NAMES[: rng.randint(4, 10)], start=1):
            Community.objects.get_or_create(
                street=street, slug=f"{slug}-{number}", defaults={"name": f"{word}社区"}
            )
    bulletin = list(Article.objects.filter(pk__lte=8))
    pool = sentences(bulletin)
    headlines = [a.headline for a in bulletin] + [a.kicker for a in bulletin if a.kicker]
    streets = list(Street.objects.prefetch_related("communities"))
    reporters = list(Reporter.objects.all())
    start = timezone.now() - timezone.timedelta(days=5 * 365)
    span = 5 * 365 * 24 * 3600
    existing = Article.objects.count()
    qr_codes = "--no-qr-codes" not in sys.argv  # (a search corpus needs none)
    if existing >= n:
        print(f"the corpus is there already: {existing:,} articles")
        if qr_codes:
            store_qr_codes()
        public = Article.objects.filter(status=Article.Status.PUBLISHED)
        if search_index and SearchEntry.objects.count() < public.count():  # (the bulletin's own)
            index_for_search(time.perf_counter())
        return
    made, clock = 0, time.perf_counter()
    while made < n:
        rows = []
        for _ in range(min(batch, n - made)):
            street = rng.choice(streets)
            communities = list(street.communities.all())
            community = rng.choice(communities) if communities and rng.random() < 0.8 else None
            place = f"平城区{street.name}{community.name if community else ''}"
            body = []
            for _ in range(rng.randint(2, 5)):
                paragraph = "".join(rng.choice(pool) for _ in range(rng.randint(2, 4)))
                body.append(re.sub(r"平城区\w{2,4}街道\w{2,4}社区", place, paragraph))
            roll = rng.random()
            published = start + timezone.timedelta(seconds=rng.randrange(span))
            if roll < 0.01:
                published = timezone.now() + timezone.timedelta(days=rng.randint(1, 30))
            rows.append(
                Article(
                    headline=rng.choice(headlines),
                    kicker=rng.choice(headlines) if rng.random() < 0.1 else "",
                    body="\n\n".join(body),
                    reporter=rng.choice(reporters),
                    street=street,
                    community=community,
                    status=Article.Status.DRAFT
                    if 0.01 <= roll < 0.03
                    else Article.Status.PUBLISHED,
                    published_at=published,
                )
            )
        Article.objects.bulk_create(rows)  # bulk: no signals, so the index is built below
        made += len(rows)
        print(f"  {made:,} articles written ({time.perf_counter() - clock:.0f} s)", flush=True)
    if qr_codes:
        store_qr_codes()
    indexed = index_for_search(time.perf_counter()) if search_index else 0
    call_command("optimize_database", verbosity=0)  # ANALYZE: the planner needs the new sizes
    print(
        f"done: {existing + made:,} articles, {indexed:,} indexed, "
        f"{time.perf_counter() - clock:.0f} s in all"
    )


def index_for_search(clock):
    """The search index of every published item, with its time and size printed (README,
    "Search at a million articles")."""
    from django.core.management import call_command
    from django.db import connection

    from news import search

    print("indexing for search …", flush=True)
    gin = _drop_gin_indexes(connection)  # PostgreSQL: made once at the end, not row by row
    indexed = search.rebuild_index(
        batch=5000,
        progress=lambda d: (
            d % 50000 == 0 and print(f"  {d:,} ({time.perf_counter() - clock:.0f} s)", flush=True)
        ),
    )
    with connection.cursor() as cursor:
        if gin:
            cursor.execute("SET maintenance_work_mem = '1GB'")
        for sql in gin:
            print(f"  {sql} ({time.perf_counter() - clock:.0f} s)", flush=True)
            cursor.execute(sql)
    call_command("optimize_database", verbosity=0)
    seconds = time.perf_counter() - clock
    print(f"search index: {indexed:,} items in {seconds:.0f} s; {search_size(connection)}")
    return indexed


def _drop_gin_indexes(connection):
    """PostgreSQL's GIN indexes of the search entries, dropped; returns the SQL that makes them
    again. (A GIN index built at once from a million rows takes minutes; kept up to date row
    by row, far longer.)"""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'news_searchentry' "
            "AND indexdef LIKE '%%USING gin%%'"
        )
        found = cursor.fetchall()
        for name, _ in found:
            cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _, definition in found]


def search_size(connection):
    """What the search index takes on disk: its tables and indexes."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_total_relation_size('news_searchentry')")
            return (
                f"news_searchentry with its indexes and TOAST {cursor.fetchone()[0] / 1e6:,.0f} MB"
            )
        try:
            cursor.execute(
                "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'news_search%' "
                "OR name IN (SELECT name FROM sqlite_master WHERE tbl_name LIKE 'news_search%')"
            )
        except Exception:  # a SQLite built without dbstat
            return "size unknown (no dbstat)"
        return f"search tables and indexes {cursor.fetchone()[0] / 1e6:,.0f} MB"


def _code(pk):
    """(pk, url, size, deflated path) of item `pk`'s code. The mask is fixed (pk % 8) rather than
    chosen by segno's evaluation of all eight: a valid code of the same size, 1 ms instead of
    5–7 (README, "QR codes"); the site's own codes (news/qr.py) keep segno's choice."""
    from news import qr
    from news.models import Article

    code = qr.make(qr.public_url(Article(pk=pk)), mask=pk % 8)
    return pk, code.url, code.size, code.path


def store_qr_codes(batch=20000):
    """The stored QR code of every published item that has none (bulk_create sent no signals),
    made by one process per core. ~1 ms of CPU an item: ~17 min for a million on one core."""
    import multiprocessing

    from django.db import connections

    from news.models import Article, ArticleQRCode

    missing = Article.objects.filter(
        status=Article.Status.PUBLISHED, qr_code__isnull=True
    ).order_by("pk")
    total, done, clock = missing.count(), 0, time.perf_counter()
    if not total:
        return
    print(f"QR codes for {total:,} items …", flush=True)
    # fork: the workers inherit the set-up Django (no database connection: they only make
    # codes; this process stores them).
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(os.cpu_count()) as pool:
        while pks := list(missing.values_list("pk", flat=True)[:batch]):
            codes = pool.map(_code, pks, chunksize=500)
            ArticleQRCode.objects.bulk_create(
                [ArticleQRCode(article_id=pk, url=u, size=n, path=d) for pk, u, n, d in codes],
                batch_size=2000,
            )
            done += len(pks)
            print(f"  {done:,} codes ({time.perf_counter() - clock:.0f} s)", flush=True)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    prepare_database()
    build(int(args[0]) if args else 100_000, search_index="--no-search-index" not in sys.argv)
