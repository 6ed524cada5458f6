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
    """Each test starts with an empty cache: what one test stored must not answer another."""
    from django.core.cache import cache

    cache.clear()


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
