import os
import shutil

import pytest
from django.conf import settings
from django.core.management import call_command


@pytest.fixture(scope="session", autouse=True)
def throwaway_media():
    """Test photos and static files live in temporary folders (tests/settings.py); remove them."""
    yield
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
    shutil.rmtree(settings.STATIC_ROOT, ignore_errors=True)


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with empty caches: what one test stored must not answer another."""
    from django.core.cache import caches

    for alias in caches:
        caches[alias].clear()


@pytest.fixture
def bulletin(db):
    """The eight items of the printed bulletin page, loaded from the project's fixtures."""
    call_command("loaddata", "bulletin", verbosity=0)


@pytest.fixture
def make_article(db):
    """Create a published article with sensible defaults; keyword arguments override them."""
    from django.utils import timezone

    from news.models import Article, Reporter

    def make(**fields):
        if "reporter" not in fields:
            fields["reporter"], _ = Reporter.objects.get_or_create(
                slug="ce-shi", defaults={"name": "测试"}
            )
        fields.setdefault("headline", "测试稿件")
        fields.setdefault("body", "第一段。\n\n第二段。")
        fields.setdefault("status", Article.Status.PUBLISHED)
        fields.setdefault("published_at", timezone.now() - timezone.timedelta(hours=1))
        return Article.objects.create(**fields)

    return make


@pytest.fixture
def legacy_text(bulletin):
    """Control characters in text stored before the fields refused them (or written around the
    rule), put in with a raw UPDATE: in the 清理枯树 item (北馨园社区, 迎宾街道, by 郑林), its
    street, community and reporter. NUL only on SQLite: PostgreSQL never stores it. DEL, C1
    and U+202E are characters XML can carry; the others it cannot."""
    from types import SimpleNamespace

    from django.db import connection

    from news.models import Article, Community, Reporter, Street

    cannot = "\x01\x08\x0b\x0c\x1b\x1f\ufffe" + ("\x00" if connection.vendor == "sqlite" else "")
    can = "\x7f\x85\u202e"
    bad = cannot + can
    article = Article.objects.get(headline="清理枯树 保障出行")
    Article.objects.filter(pk=article.pk).update(
        headline=f"清理{bad}枯树", kicker=f"引题{bad}", body=f"第一段{bad}。\n\n第二段{bad}。"
    )
    Street.objects.filter(slug="yingbin").update(name=f"迎宾{bad}街道")
    Community.objects.filter(slug="beixinyuan").update(name=f"北馨园{bad}社区")
    Reporter.objects.filter(slug="zheng-lin").update(name=f"郑{bad}林")
    return SimpleNamespace(article=article, xml_cannot=cannot, xml_can=can, stored=bad)


@pytest.fixture(params=["locmem", "disk", "redis"])
def page_cache_on(request, settings, tmp_path):
    """The page cache on, with local memory, the disk store and Redis in turn
    (tests/test_cache.py)."""
    from django.core.cache import cache

    from tests.test_cache import REDIS_URL, backend, redis_available

    if request.param == "redis" and not redis_available():
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"REQUIRE_REDIS=1 but no Redis at {REDIS_URL}")
        pytest.skip(f"no Redis at {REDIS_URL}")
    settings.CACHES = {"default": backend(request.param, tmp_path / "pages")}
    settings.PAGE_CACHE = True
    settings.PAGE_GENERATION_FILE = tmp_path / "page-generation.json"
    cache.clear()
    yield request.param
    cache.clear()
