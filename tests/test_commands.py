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
