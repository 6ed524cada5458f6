from io import StringIO

import pytest
from django.core.management import call_command

from news.models import Article

pytestmark = pytest.mark.django_db


def test_seed_bulletin_loads_once_and_keeps_editors_changes():
    out = StringIO()
    call_command("seed_bulletin", stdout=out)
    assert Article.objects.count() == 8
    assert "8 篇" in out.getvalue()

    Article.objects.filter(pk=2).update(headline="编辑改过的标题")
    call_command("seed_bulletin", stdout=StringIO())
    assert Article.objects.count() == 8
    assert Article.objects.get(pk=2).headline == "编辑改过的标题"


def test_seed_bulletin_force_restores_the_source_text():
    call_command("seed_bulletin", stdout=StringIO())
    Article.objects.filter(pk=2).update(headline="编辑改过的标题")
    call_command("seed_bulletin", "--force", stdout=StringIO())
    assert Article.objects.count() == 8
    assert Article.objects.get(pk=2).headline == "文艺演出迎国庆"


def test_optimize_database_runs_analyze():
    out = StringIO()
    call_command("optimize_database", stdout=out)
    assert "统计信息已更新" in out.getvalue()


def test_rebuild_search_index_if_empty_only_fills_an_empty_index():
    from news.models import SearchEntry

    call_command("seed_bulletin", stdout=StringIO())
    assert SearchEntry.objects.count() == 8  # loading the fixtures indexed them
    out = StringIO()
    call_command("rebuild_search_index", "--if-empty", stdout=out)
    assert out.getvalue() == ""
    SearchEntry.objects.all().delete()
    call_command("rebuild_search_index", "--if-empty", stdout=out)
    assert SearchEntry.objects.count() == 8 and "8 篇" in out.getvalue()
