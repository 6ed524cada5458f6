"""news/public_sql.py: published()'s conditions compiled once per shape must be, at every call,
exactly what the ORM compiles at that moment — the same SQL, the current time, the given bound
and owners — or a page would count or link items by a stale clock."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from news.models import Article
from news.public_sql import public_where

SHAPES = {
    "all": (None, {}),
    "before a past moment": (timedelta(days=-3), {}),
    "before a future moment (no bound)": (timedelta(days=3), {}),
    "one street": (None, {"street_id": 3}),
    "two owners, before": (timedelta(days=-1), {"reporter_id": 2, "street_id": 5}),
}


@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
def test_the_same_sql_and_values_as_the_orm_at_each_moment(shape):
    shift, owner = shape
    for moment in ("2024-01-31 23:59:59.5", "2026-12-02 08:00:00"):  # a second call reuses
        now = timezone.make_aware(timezone.datetime.fromisoformat(moment))
        before = now + shift if shift is not None else None
        with mock.patch("django.utils.timezone.now", return_value=now):
            sql, params = Article.objects.published(before).filter(**owner).where_sql()
            assert public_where(before, **owner) == (sql, list(params))


@pytest.mark.django_db
def test_the_compiled_conditions_find_what_published_finds(make_article):
    shown = make_article(headline="已发布")
    make_article(headline="草稿", status=Article.Status.DRAFT)
    make_article(headline="明天", published_at=timezone.now() + timedelta(days=1))
    make_article(headline="已下线", unpublish_at=timezone.now() - timedelta(minutes=1))
    where, params = public_where(reporter_id=shown.reporter_id)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT headline FROM news_article WHERE {where}", params)  # noqa: S608
        found = [row[0] for row in cursor.fetchall()]
    expected = Article.objects.published().filter(reporter_id=shown.reporter_id)
    assert sorted(found) == sorted(expected.values_list("headline", flat=True))
    assert "已发布" in found
