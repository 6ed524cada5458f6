"""What keeping versions costs an article save: queries, milliseconds, bytes.

    .venv/bin/python bench/save_cost.py                       # SQLite in a throwaway folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pc_newsroom .venv/bin/python bench/save_cost.py

The database is migrated and emptied first, then the bulletin is loaded. The bulletin's longest item is
saved 20 times after 3 warm-up saves, each save changing one character of the body, as a draft
and as a published item, in two ways:

  Article.save()       the row, the search index, the page cache: what an admin save did before
                       versions
  publishing.save()    what it does now: the row lock and version number check, then for a
                       draft the same row save plus the version (Revision, Version, Edit); for a
                       published item only a working version (the row, the search index and
                       the cache are left alone)

Prints the median milliseconds and the queries of each (the admin's own queries for session,
user and form come on top of either), and the bytes one version of the longest item takes.
Not a test: figures for the README.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if "DATABASE_URL" not in os.environ:
    os.environ["DJANGO_VAR_DIR"] = tempfile.mkdtemp(prefix="pingcheng-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pingcheng.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models.functions import Length  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from reversion.models import Revision, Version  # noqa: E402

from news.models import Article  # noqa: E402
from newsroom import publishing, versions  # noqa: E402
from newsroom.models import Edit  # noqa: E402

RUNS, WARM_UP = 20, 3


def measure(save):
    """Median ms and the query count (of the last run) of `save(i)` over RUNS runs."""
    for i in range(WARM_UP):
        save(i)
    times, queries = [], 0
    for i in range(WARM_UP, WARM_UP + RUNS):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            save(i)
            times.append((time.perf_counter() - start) * 1000)
        queries = len(captured)
    return statistics.median(times), queries


def changed_body(article, i):
    return article.body[:-1] + "一二三四五六七八九十"[i % 10]


def main():
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    call_command("loaddata", "bulletin", verbosity=0)
    editor = User.objects.create_superuser("bench")
    longest = Article.objects.annotate(n=Length("body")).order_by("-n").first()
    print(
        f"数据库 {connection.vendor}；最长的稿件 #{longest.pk}《{longest.headline}》，正文 "
        f"{len(longest.body)} 字"
    )

    def plain(i):
        article = Article.objects.get(pk=longest.pk)
        article.body = changed_body(article, i)
        article.save()

    def through_publishing(i):
        article = Article.objects.get(pk=longest.pk)
        article.body = changed_body(article, i)
        publishing.save(article, user=editor, opened_on=article.edit_version, comment="测")

    def as_status(status, save):
        Article.objects.filter(pk=longest.pk).update(status=status)
        return measure(save)

    draft, published = Article.Status.DRAFT, Article.Status.PUBLISHED
    rows = [  # (what, before: Article.save(), with versions: publishing.save())
        ("草稿", as_status(draft, plain), as_status(draft, through_publishing)),
        ("已发布（工作稿）", as_status(published, plain), as_status(published, through_publishing)),
    ]
    print(f"{'保存':<12}{'Article.save()':>16}{'publishing.save()':>20}{'多出':>16}")
    for what, (ms0, q0), (ms1, q1) in rows:
        print(
            f"{what:<12}{ms0:>9.2f} ms {q0:>2} 次{ms1:>11.2f} ms {q1:>2} 次"
            f"{ms1 - ms0:>+9.2f} ms {q1 - q0:>+2} 次"
        )

    version = versions.latest(longest)
    data = len(version.serialized_data.encode())
    print(
        f"一个版本：serialized_data {data:,} 字节（UTF-8 JSON，正文 "
        f"{len(longest.body.encode()):,} 字节）"
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table, pk in (
                (Version._meta.db_table, version.pk),
                (Revision._meta.db_table, version.revision_id),
                (Edit._meta.db_table, version.revision.edit.pk),
            ):
                cursor.execute(f"SELECT pg_column_size(t.*) FROM {table} t WHERE id = %s", [pk])  # noqa: S608
                print(
                    f"  {table}: {cursor.fetchone()[0]:,} 字节（pg_column_size，行内，可能已压缩）"
                )
    print(f"版本总数 {Version.objects.count()}")


if __name__ == "__main__":
    main()
