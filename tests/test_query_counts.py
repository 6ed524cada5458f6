"""Every page runs a small, constant number of SQL queries, however many articles there are."""

import pytest
from django.utils import timezone

from news.models import Article, Community, Reporter, Street

# page → queries it may run. Listings: owner, count, page of items (+ communities on a street).
PAGES = {
    "/": 3,  # lead, latest items, streets
    "/news/5/": 3,  # article with street/community/reporter, its 更正 notes; 上一篇 and 下一篇
    "/streets/": 2,  # streets with counts, communities with counts
    "/streets/luyuan/": 4,  # street, count (tally), items, communities
    "/streets/luyuan/tongfeng/": 3,  # community with its street, count (tally), items
    "/reporters/zheng-lin/": 3,  # reporter, count (tally), items
    "/archive/": 1,  # months with counts (tally)
    "/archive/2022/09/": 3,  # count (tally; also the emptiness check), page, months around
    "/feeds/": 3,  # streets, their communities, reporters
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
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200
    add_articles(60)
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200
