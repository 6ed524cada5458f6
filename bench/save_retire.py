"""How many cached pages one editor's save makes the site render again.

    DATABASE_URL=sqlite:////work/corpora/bench100k.sqlite3 .venv/bin/python bench/save_retire.py
    … bench/save_retire.py --code /tmp/before     # another checkout (e.g. `git worktree add`)

Copies the corpus (writes happen), fills the page cache (Redis, a database of its own: --redis)
with a fixed set of pages — the front page, the first two pages of every street, community and
reporter listing, the archive index and twelve months, 300 article pages — then, for each kind
of save, asks for every page again and counts those not served from the cache (X-Page-Cache not
"hit"), then refills. The saves: a published item's headline corrected; a new item published in
the middle street; a reporter renamed; a draft saved. The pages are picked by the data, so runs
of two checkouts count the same pages. Never a test: the figures go in the README.
"""

import argparse
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child(redis_url):
    import django

    os.environ["DJANGO_SETTINGS_MODULE"] = "pingcheng.settings"
    os.environ["REDIS_URL"] = redis_url
    os.environ["DJANGO_PAGE_CACHE"] = "1"
    django.setup()
    from django.core.cache import cache
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from news.models import Article, Community, Reporter, Street

    setup_test_environment()
    cache.clear()
    client = Client()

    def owners(model):
        return model.objects.annotate(n=Count("articles")).order_by("-n", "pk")

    paths = ["/", "/archive/", "/streets/"]
    for model in (Street, Community, Reporter):
        for owner in owners(model):
            paths += [owner.get_absolute_url(), owner.get_absolute_url() + "?page=2"]
    public = Article.objects.published()
    newest = public.first().published_at
    for months in range(12):
        moment = timezone.localtime(newest) - timezone.timedelta(days=30 * months)
        paths.append(f"/archive/{moment:%Y/%m}/")
    step = max(1, public.count() // 300)
    ids = list(public.values_list("pk", flat=True)[: 300 * step : step])
    paths += [f"/news/{pk}/" for pk in ids]

    def fill():
        for path in paths:
            client.get(path)
        for path in paths:  # (a page stored on its first render may need a second)
            client.get(path)
        stored = sum(client.get(path).get("X-Page-Cache") == "hit" for path in paths)
        return stored

    def rendered_again():
        return sum(client.get(path).get("X-Page-Cache") != "hit" for path in paths)

    middle = Article.objects.get(pk=ids[len(ids) // 2])
    street = Street.objects.get(pk=owners(Street)[len(owners(Street)) // 2].pk)

    def edit():
        middle.refresh_from_db()
        middle.headline = middle.headline[:-1] + "。"
        middle.save()

    def publish():
        Article.objects.create(
            headline="新发布的稿件",
            body="正文。",
            reporter=Reporter.objects.first(),
            street=street,
            status=Article.Status.PUBLISHED,
            published_at=timezone.now(),
        )

    def rename():
        reporter = Reporter.objects.order_by("pk").last()
        reporter.name += "（特约）"
        reporter.save()

    def draft():
        Article.objects.create(
            headline="草稿", body="正文。", reporter=Reporter.objects.first(), status="draft"
        )

    print(f"pages in the set: {len(paths)}")
    for name, write in [
        ("a published item's headline corrected", edit),
        ("a new item published", publish),
        ("a reporter renamed", rename),
        ("a draft saved", draft),
    ]:
        stored = fill()
        write()
        print(f"{name}: {rendered_again()} of {stored} cached pages rendered again")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--code", type=Path, default=ROOT, help="the checkout to measure")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.redis)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("sqlite:///"):
        raise SystemExit("DATABASE_URL must name a SQLite benchmark corpus (it is copied).")
    with tempfile.TemporaryDirectory(prefix="save-retire-") as tmp:
        copy = Path(tmp) / "bench.sqlite3"
        shutil.copy(url.removeprefix("sqlite://"), copy)
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{copy}",
            "DJANGO_VAR_DIR": tmp,
            "PYTHONPATH": str(args.code),
        }
        for command in (["migrate", "-v0"], ["collectstatic", "--noinput", "-v0"]):
            subprocess.run(
                [ROOT / ".venv/bin/python", "manage.py", *command], cwd=args.code, env=env
            )
        script = Path(__file__).resolve()
        subprocess.run(
            [ROOT / ".venv/bin/python", script, "--child", "--redis", args.redis],
            cwd=args.code,
            env=env,
            check=True,
        )


if __name__ == "__main__":
    main()
