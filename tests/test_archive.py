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


def test_previous_and_next_month_skip_empty_months_and_what_is_not_public(client, make_article):
    def at(year, month, day=15):
        return timezone.make_aware(timezone.datetime(year, month, day, 9))

    make_article(headline="七月", published_at=at(2022, 7))
    make_article(headline="九月", published_at=at(2022, 9))
    make_article(headline="十月草稿", published_at=at(2022, 10), status=Article.Status.DRAFT)
    make_article(headline="十二月", published_at=at(2022, 12, 31))
    make_article(headline="以后", published_at=timezone.now() + timezone.timedelta(days=40))
    html = client.get("/archive/2022/09/").content.decode()
    assert 'href="/archive/2022/07/" rel="prev"' in html
    assert 'href="/archive/2022/12/" rel="next"' in html
    last = client.get("/archive/2022/12/").content.decode()
    assert 'rel="next"' not in last  # the scheduled item's month is not public yet
    assert 'href="/archive/2022/09/" rel="prev"' in last
    assert 'rel="prev"' not in client.get("/archive/2022/07/").content.decode()


def test_month_pages_count_and_paginate(client, make_article):
    for day in range(25):
        make_article(
            headline=f"九月{day}",
            published_at=timezone.make_aware(timezone.datetime(2022, 9, 1 + day, 8)),
        )
    first = client.get("/archive/2022/09/").content.decode()
    assert "共 25 篇" in first and "九月24" in first and "九月4" not in first
    second = client.get("/archive/2022/09/?page=2").content.decode()
    assert "共 25 篇" in second and "九月4" in second
    assert client.get("/archive/2022/09/?page=3").status_code == 404


def test_this_months_page_counts_what_is_public_now(client, make_article):
    now = timezone.now()
    start = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    make_article(headline="本月", published_at=start + (now - start) / 2)
    make_article(headline="本月稍后", published_at=now + timezone.timedelta(seconds=30))
    html = client.get(timezone.localtime(now).strftime("/archive/%Y/%m/")).content.decode()
    assert "共 1 篇" in html and "本月稍后" not in html
    index = client.get("/archive/").content.decode()
    assert f"{timezone.localtime(now):%Y}年{timezone.localtime(now).month}月" in index
    assert '<span class="count">（1 篇）' in index
