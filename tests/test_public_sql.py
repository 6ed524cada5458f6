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


LISTINGS = {
    "the site": ({}, {}),
    "a street": ({"street_id": "street"}, {}),
    "a reporter": ({"reporter_id": "reporter"}, {}),
    "头条 only": ({}, {"lead": True}),
    "all but one item": ({}, {"exclude": "third"}),
    "a past month": ({}, {"before": timedelta(days=-2), "since": timedelta(days=-40)}),
    "the current month (its end after now)": (
        {},
        {"before": timedelta(days=20), "since": timedelta(days=-10)},
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("listing", LISTINGS.values(), ids=LISTINGS.keys())
def test_a_listings_stamps_are_what_the_orm_lists_at_each_moment(make_article, listing):
    """Stamps (news/fragments.py) read through SQL compiled once: the same rows, in the same
    order, page by page, as the ORM's published() listing at that moment, though the clock
    moves between calls (an item falls due, another is taken down) and the owner changes."""
    from news.fragments import STAMP_FIELDS, Stamps
    from news.models import Community, Street

    street = Street.objects.create(name="测试街道", slug="ce-shi-jie-dao")
    other_street = Street.objects.create(name="另一街道", slug="ling-yi")
    community = Community.objects.create(name="测试社区", slug="ce-shi", street=street)
    start = timezone.now()
    items = [
        make_article(
            headline=f"稿件{n}",
            street=(street, other_street)[n % 2],
            community=community if n % 2 == 0 else None,
            is_lead=n % 3 == 0,
            published_at=start - timedelta(days=n * 3, hours=n % 2),
            unpublish_at=start + timedelta(days=1) if n == 4 else None,
        )
        for n in range(-1, 25)  # the first one is due tomorrow
    ]
    owner_of, options = listing
    for moment in (start, start + timedelta(days=2)):  # item -1 falls due, item 4 goes down
        for owner_pick in (street, other_street):
            targets = {"street": owner_pick, "reporter": items[0].reporter, "third": items[3]}
            owner = {column: targets[name].pk for column, name in owner_of.items()}
            given = {
                key: (moment + value if isinstance(value, timedelta) else value)
                for key, value in options.items()
            }
            if "exclude" in given:
                given["exclude"] = targets[given["exclude"]].pk
            with mock.patch("django.utils.timezone.now", return_value=moment):
                expected = Article.objects.published(before=given.get("before")).filter(**owner)
                if "since" in given:
                    expected = expected.filter(published_at__gte=given["since"])
                if given.get("lead"):
                    expected = expected.filter(is_lead=True)
                if "exclude" in given:
                    expected = expected.exclude(pk=given["exclude"])
                expected = list(expected.values_list(*STAMP_FIELDS.values()))
                stamps = Stamps(**given, **owner)
                pages = [stamps[start_row : start_row + 5] for start_row in range(0, 30, 5)]
            assert [tuple(row) for page in pages for row in page] == expected
            assert expected  # every shape lists something here
    assert Stamps()[3:3] == []
    with pytest.raises(TypeError):
        Stamps()[2]


@pytest.mark.django_db
def test_the_article_page_item_is_what_the_orm_gives(bulletin, make_article):
    """public_article (compiled once, rows made into instances by the kept compiler) gives the
    same item as the ORM: every field, its QR code, its 更正 notes in order, its places; and
    nothing for an item the public may not see."""
    from news import qr
    from news.models import Correction
    from news.public_sql import public_article

    corrected = Article.objects.get(pk=7)
    Correction.objects.record(corrected, "第一次更正。", timezone.now() - timedelta(hours=2))
    Correction.objects.record(corrected, "第二次更正。", timezone.now() - timedelta(hours=1))
    qr.store(corrected)
    no_places = make_article(headline="无街道")
    hidden = [
        make_article(status=Article.Status.DRAFT),
        make_article(published_at=timezone.now() + timedelta(hours=1)),
        make_article(unpublish_at=timezone.now() - timedelta(minutes=1)),
    ]
    orm = Article.objects.with_places().with_corrections().with_qr_code().published()
    for pk in (corrected.pk, 1, no_places.pk):
        expected, found = orm.get(pk=pk), public_article(pk)
        for field in Article._meta.concrete_fields:
            assert getattr(found, field.attname) == getattr(expected, field.attname), field
        assert [(n.pk, n.note, n.corrected_at) for n in found.corrections.all()] == [
            (n.pk, n.note, n.corrected_at) for n in expected.corrections.all()
        ]
        assert qr.shown(found) == qr.shown(expected)
        for place in ("street", "community", "reporter"):
            mine, theirs = getattr(found, place), getattr(expected, place)
            assert (mine and (mine.pk, mine.name, mine.get_absolute_url())) == (
                theirs and (theirs.pk, theirs.name, theirs.get_absolute_url())
            )
    assert qr.shown(public_article(corrected.pk)) is not None
    assert len(public_article(corrected.pk).corrections.all()) == 2
    for item in [*hidden, None]:
        assert public_article(item.pk if item else 999_999) is None
