"""Month archives: /archive/ and /archive/2022/09/."""

import pytest
from django.utils import timezone

from news.models import Article

pytestmark = pytest.mark.django_db


def test_archive_index_lists_months_with_counts(client, bulletin, make_article):
    make_article(
        headline="十月稿件", published_at=timezone.make_aware(timezone.datetime(2022, 10, 8, 9))
    )
    html = client.get("/archive/").content.decode()
    assert '<a href="/archive/2022/10/">2022年10月</a> <span class="count">（1 篇）' in html
    assert '<a href="/archive/2022/09/">2022年9月</a> <span class="count">（8 篇）' in html
    assert html.index("2022年10月") < html.index("2022年9月")


def test_month_page_lists_that_months_items_only(client, bulletin, make_article):
    make_article(
        headline="十月稿件", published_at=timezone.make_aware(timezone.datetime(2022, 10, 8, 9))
    )
    html = client.get("/archive/2022/09/").content.decode()
    assert "<h1>2022年9月</h1>" in html and "共 8 篇" in html
    assert "十月稿件" not in html
    assert 'href="/archive/2022/10/" rel="next"' in html


def test_month_boundaries_follow_shanghai_time(client, make_article):
    # 2022-09-30 23:30 in Shanghai is 15:30 UTC: still September for a resident.
    make_article(
        headline="月末稿件",
        published_at=timezone.make_aware(timezone.datetime(2022, 9, 30, 23, 30)),
    )
    assert "月末稿件" in client.get("/archive/2022/09/").content.decode()
    assert client.get("/archive/2022/10/").status_code == 404


def test_drafts_and_scheduled_items_are_not_in_the_archive(client, bulletin, make_article):
    make_article(headline="草稿", status=Article.Status.DRAFT)
    make_article(headline="定时", published_at=timezone.now() + timezone.timedelta(days=1))
    this_month = timezone.localdate().strftime("/archive/%Y/%m/")
    assert client.get(this_month).status_code == 404
    assert "草稿" not in client.get("/archive/").content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/archive/2022/13/",
        "/archive/2022/00/",
        "/archive/2022/08/",
        "/archive/2022/9/",
        "/archive/0000/01/",
        "/archive/2022/09/?page=2",
        "/archive/2022/09/?page=abc",
    ],
)
def test_bad_or_empty_months_are_404(client, bulletin, url):
    assert client.get(url).status_code == 404
