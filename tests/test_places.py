"""news/places.py: each worker's copy of the streets, communities and reporters is never stale.
The database changes the token on every write to the three tables, however it is made, and a
page then shows the change at once."""

import pytest
from django.db import connection
from django.http import Http404

from news import places
from news.models import Community, Reporter, Street


def token():
    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM news_places_version")
        return cursor.fetchone()[0]


WRITES = {
    "a street saved": lambda: Street.objects.filter(slug="luyuan").first().save(),
    "a street created": lambda: Street.objects.create(name="新街道", slug="xin"),
    "communities updated in bulk": lambda: Community.objects.update(name=models_name()),
    "a reporter deleted": lambda: Reporter.objects.create(name="临时", slug="lin-shi").delete(),
    "raw SQL": lambda: raw("UPDATE news_reporter SET bio = 'x'"),
    "a community deleted by raw SQL": lambda: raw("DELETE FROM news_community WHERE slug = 'kong'"),
}


def models_name():
    from django.db.models import F, Value
    from django.db.models.functions import Concat

    return Concat(F("name"), Value("·"))


def raw(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_every_kind_of_write_gives_a_new_token_and_a_new_copy(bulletin, write):
    Community.objects.create(name="空社区", slug="kong", street=Street.objects.get(slug="luyuan"))
    before, copy = token(), places.current()
    from news.models import Article

    Article.objects.filter(pk=1).update(headline="稿件的改动不算")  # an article: no change
    assert token() == before and places.current() is copy
    write()
    assert token() != before
    fresh = places.current()
    assert fresh is not copy
    assert [c.name for c in fresh.communities] == list(
        Community.objects.values_list("name", flat=True)
    )
    assert [(s.slug, s.name) for s in fresh.streets] == list(
        Street.objects.values_list("slug", "name")
    )
    assert [r.bio for r in fresh.reporters] == list(Reporter.objects.values_list("bio", flat=True))


@pytest.mark.django_db(transaction=True)
def test_a_write_rolled_back_leaves_no_stale_copy(bulletin):
    """A copy loaded inside a transaction that is then rolled back is not kept for the rows
    that stay: its token went with the transaction."""
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        Street.objects.filter(slug="luyuan").update(name="回滚的名字")
        assert places.current().street("luyuan").name == "回滚的名字"
        raise RuntimeError
    assert places.current().street("luyuan").name == Street.objects.get(slug="luyuan").name


def test_lookups_and_unknown_places(bulletin, django_assert_num_queries):
    here = places.current()
    community = here.community("luyuan", "tongfeng")
    with django_assert_num_queries(0):  # the copy's own street: no query for its address
        assert community.get_absolute_url() == "/streets/luyuan/tongfeng/"
        assert community in here.communities_of(here.street("luyuan"))
        assert here.reporter("zheng-lin").name == "郑林"
    for lookup in (
        lambda: here.street("no-such"),
        lambda: here.community("luyuan", "no-such"),
        lambda: here.community("yongtai", "tongfeng"),  # a community of another street
        lambda: here.reporter("no-such"),
    ):
        with pytest.raises(Http404):
            lookup()


def test_a_renamed_street_shows_at_once_on_its_pages(client, bulletin):
    client.get("/streets/luyuan/")
    Street.objects.filter(slug="luyuan").update(name="鹿苑新街道")  # no signal: a bulk update
    assert "鹿苑新街道" in client.get("/streets/luyuan/").content.decode()
    assert "鹿苑新街道" in client.get("/streets/").content.decode()
    assert "鹿苑新街道" in client.get("/").content.decode()
