"""What the public-photo check costs a /media/ request (news/media.py), in-process.

    .venv/bin/python bench/media_check.py [ARTICLES]

A throwaway SQLite database with ARTICLES items (default 100,000), each naming a photo, one of
which has real files. Median and p95 of 500 requests through Django's whole stack (middleware
included) for one rendition, in three ways:
  (a) the file, no check: django.views.static.serve, what /media/ did before;
  (b) the file with the check (the single-machine default);
  (c) the check alone, answered with X-Accel-Redirect (behind nginx, which then sends the file);
  (d) as (c) with the page cache on, which keeps the answer until the content changes.
Not a test: it prints figures for the README and the notes.
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
VAR = Path(tempfile.mkdtemp(prefix="pingcheng-media-bench-"))
os.environ["DJANGO_VAR_DIR"] = str(VAR)
os.environ["DATABASE_URL"] = f"sqlite:///{VAR / 'bench.sqlite3'}"
# The test settings: plain static files (no collectstatic needed) and a throwaway MEDIA_ROOT.
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"

import django  # noqa: E402

django.setup()

from django.test.utils import setup_test_environment  # noqa: E402

setup_test_environment()  # lets the test client's host in

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import path  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.views.static import serve  # noqa: E402

from news import images  # noqa: E402
from news.models import Article, Reporter  # noqa: E402
from pingcheng import urls as site_urls  # noqa: E402
from tests.images import phone_photo  # noqa: E402

RUNS = 500


def unchecked(request, name):
    return serve(request, name, document_root=settings.MEDIA_ROOT)


site_urls.urlpatterns.insert(0, path("raw-media/<path:name>", unchecked))


def setup(count):
    call_command("migrate", verbosity=0)
    reporter = Reporter.objects.create(name="测试", slug="ce-shi")
    now = timezone.now()
    Article.objects.bulk_create(
        Article(
            headline=f"稿件{n}",
            body="正文。",
            reporter=reporter,
            status="published",
            published_at=now - timezone.timedelta(minutes=n),
            photo=f"photos/2022/10/{n:016x}.jpg",
            photo_width=1200,
            photo_height=900,
        )
        for n in range(1, count)
    )
    article = Article.objects.create(
        headline="有图的稿件",
        body="正文。",
        reporter=reporter,
        status="published",
        published_at=now - timezone.timedelta(days=30),
        photo=phone_photo(),
        photo_alt="图",
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return images.rendition_names(article.photo.name, article.photo_width)[2]  # 960 px WebP


def measure(client, url):
    assert client.get(url).status_code == 200, url
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95)]


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    name = setup(count)
    client = Client()
    rows = {
        "(a) file, no check": f"/raw-media/{name}",
        "(b) file, with the check": f"/media/{name}",
    }
    results = {label: measure(client, url) for label, url in rows.items()}
    with override_settings(MEDIA_ACCEL_REDIRECT="/internal-media/"):
        results["(c) check alone, X-Accel-Redirect"] = measure(client, f"/media/{name}")
        with override_settings(PAGE_CACHE=True):
            results["(d) as (c), answer kept (page cache)"] = measure(client, f"/media/{name}")
    print(f"{count:,} articles, {RUNS} requests each, in-process (ms):")
    for label, (median, p95) in results.items():
        print(f"  {label:36} median {median:.2f}  p95 {p95:.2f}")


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(VAR, ignore_errors=True)
        shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
        shutil.rmtree(settings.STATIC_ROOT, ignore_errors=True)
