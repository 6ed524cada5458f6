"""Every page runs a small, constant number of SQL queries, however many articles there are."""

import pytest
from django.utils import timezone

from news import places
from news.models import Article, Community, Reporter, Street

# page → queries it may run, with its cards, lead and article body in the fragment cache
# (news/fragments.py), and with none of them there; with the worker's copy of the places loaded
# (news/places.py: a page reads their token, one query). Listings: the token, count (tally),
# the page's stamps, and the rows of the cards the cache lacks.
PAGES = {
    "/": (3, 5),  # token, lead's and latest items' stamps; (the lead's row, the cards' rows)
    "/news/5/": (4, 4),  # article with its QR code, its 更正 notes, the token; 上一篇 and 下一篇
    "/streets/": (1, 1),  # the token: streets and communities from the copy
    "/streets/luyuan/": (3, 4),  # token, count (tally), stamps; (cards)
    "/streets/luyuan/tongfeng/": (3, 4),  # token, count (tally), stamps; (cards)
    "/reporters/zheng-lin/": (3, 4),  # token, count (tally), stamps; (cards)
    "/archive/": (1, 1),  # months with counts (tally)
    "/archive/2022/09/": (3, 4),  # count (tally), stamps, months around; (cards)
    "/feeds/": (3, 3),  # streets, their communities, reporters
}


def add_articles(n):
    street = Street.objects.get(slug="luyuan")
    community = Community.objects.get(slug="tongfeng")
    reporter = Reporter.objects.get(slug="zheng-lin")
    Article.objects.bulk_create(
        Article(
            headline=f"加量稿件{i}",
            body="正文。",
            reporter=reporter,
            street=street,
            community=community,
            status=Article.Status.PUBLISHED,
            published_at=timezone.now() - timezone.timedelta(days=i + 1),
        )
        for i in range(n)
    )


@pytest.mark.parametrize("url, expected", PAGES.items())
def test_query_count_is_small_and_constant(
    client, bulletin, django_assert_num_queries, url, expected
):
    from django.core.cache import caches

    warm, cold = expected
    places.current()  # the worker's copy (its own cost: test_places_are_loaded_once_per_change)
    with django_assert_num_queries(cold):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(warm):
        assert client.get(url).status_code == 200
    add_articles(60)
    for alias in caches:  # the fragments too: cold again
        caches[alias].clear()
    with django_assert_num_queries(cold):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(warm):
        assert client.get(url).status_code == 200


def test_places_are_loaded_once_per_change(client, bulletin, django_assert_num_queries):
    """A worker loads streets, communities and reporters once (three queries, beside the
    token), keeps them while they are unchanged, and loads them again after any change."""
    client.get("/streets/luyuan/")  # loaded, and the page's count and cards cached
    with django_assert_num_queries(3):  # the token, count, stamps
        assert client.get("/streets/luyuan/").status_code == 200
    Reporter.objects.filter(slug="zheng-lin").update(name="郑琳")
    with django_assert_num_queries(3 + 3 + 1):  # + streets, communities, reporters; the cards
        assert "郑琳" in client.get("/reporters/zheng-lin/").content.decode()
    with django_assert_num_queries(3):
        assert client.get("/streets/luyuan/").status_code == 200
