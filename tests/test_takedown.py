"""下线时间: an item leaves every public place at its minute by itself (no job), with the page
cache on; the rule, its validation, the admin's state labels, search and 上一篇/下一篇."""

import re

import pytest
from django.forms import modelform_factory
from django.urls import reverse
from django.utils import timezone

from news import cache as page_cache
from news import search, segment
from news.digest import Week
from news.models import Article, Community, Reporter, Street
from tests.clock import Clock

pytestmark = pytest.mark.django_db

HEADLINE = "井盖更换施工通知"
WORD = "井盖更换"


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, timezone.now().replace(microsecond=0))


@pytest.fixture
def place(bulletin):
    return {
        "street": Street.objects.get(slug="yingbin"),
        "community": Community.objects.get(slug="yonganli"),
        "reporter": Reporter.objects.get(slug="yang-cuiye"),
    }


def notice(make_article, place, **fields):
    return make_article(
        headline=HEADLINE, body=f"{WORD}期间请绕行。\n\n施工单位将设置围挡。", **place, **fields
    )


def public_urls(article):
    """Every public place an item of 迎宾街道 永安里社区 by 杨翠叶 is listed in."""
    local = timezone.localtime(article.published_at)
    week = Week.of(local.date())
    return [
        "/",
        article.street.get_absolute_url(),
        article.community.get_absolute_url(),
        article.reporter.get_absolute_url(),
        reverse("news:archive_month", kwargs={"year": local.year, "month": f"{local.month:02d}"}),
        reverse("news:street_digest", kwargs={"street": article.street.slug}) + f"?week={week}",
        reverse("news:search") + f"?q={WORD}",
        reverse("news:feed_rss"),
        reverse("news:feed_atom"),
        reverse("news:street_feed_rss", kwargs={"street": article.street.slug}),
        reverse("news:reporter_feed_atom", kwargs={"reporter": article.reporter.slug}),
    ]


def links_to(response, article):
    """Does the page (HTML, feed or sitemap) link to `article`? (Its address, closed by a quote
    or a tag: /news/9/ is not /news/90/.)"""
    return re.search(rf"/news/{article.pk}/[\"<]", response.content.decode()) is not None


def shown(client, article):
    """Where the public finds `article`: the URLs whose page links to it, its own page's status,
    and whether the sitemap lists it."""
    listed = [url for url in public_urls(article) if links_to(client.get(url), article)]
    own = client.get(article.get_absolute_url()).status_code
    return listed, own, links_to(client.get(reverse("sitemap")), article)


def test_a_taken_down_item_is_nowhere_and_a_live_one_everywhere(client, place, make_article):
    live = notice(make_article, place, unpublish_at=timezone.now() + timezone.timedelta(days=1))
    assert shown(client, live) == (public_urls(live), 200, True)
    live.delete()
    gone = notice(make_article, place, unpublish_at=timezone.now() - timezone.timedelta(minutes=1))
    assert shown(client, gone) == ([], 404, False)
    assert gone not in Article.objects.published()
    assert list(Article.objects.taken_down()) == [gone]


def test_take_down_on_its_minute_with_the_page_cache_on(
    client, place, make_article, clock, page_cache_on, django_capture_on_commit_callbacks
):
    # Five minutes ahead: within PAGE_CACHE_SECONDS, which local memory counts by time.time.
    down = clock.now + timezone.timedelta(minutes=5)
    with django_capture_on_commit_callbacks(execute=True):
        article = notice(make_article, place, unpublish_at=down)
    # (a page whose render begins at the very time of a write is not kept: the clock moves on)
    clock.forward(seconds=1)
    assert shown(client, article) == (public_urls(article), 200, True)
    assert client.get("/")["X-Page-Cache"] == "hit"

    clock.set(down - timezone.timedelta(seconds=1))  # a second before: still the cached pages
    assert client.get("/")["X-Page-Cache"] == "hit"
    assert shown(client, article) == (public_urls(article), 200, True)

    clock.set(down)  # on the minute: every page is made again, without the item
    front = client.get("/")
    assert front["X-Page-Cache"] == "miss" and not links_to(front, article)
    assert shown(client, article) == ([], 404, False)


def test_the_cache_generation_ends_at_the_next_publish_or_take_down(
    place, make_article, clock, page_cache_on
):
    assert Article.objects.next_change() is None
    publish = clock.now + timezone.timedelta(hours=2)
    make_article(headline="两小时后发布", published_at=publish)
    make_article(headline="草稿不算", status=Article.Status.DRAFT, published_at=clock.now)
    make_article(headline="已下线不算", unpublish_at=clock.now - timezone.timedelta(hours=1))
    assert Article.objects.next_change() == publish
    down = clock.now + timezone.timedelta(hours=1)
    notice(make_article, place, unpublish_at=down)
    assert Article.objects.next_change() == down
    page_cache.invalidate()
    assert page_cache.current_generation().next_due == down.timestamp()
    clock.set(down)
    assert page_cache.current_generation().next_due == publish.timestamp()


def test_search_neither_finds_nor_counts_a_taken_down_item(place, make_article, clock):
    article = notice(make_article, place, unpublish_at=clock.now + timezone.timedelta(hours=1))
    notice(make_article, place)  # the same words, never taken down
    words = segment.query_words(WORD)
    assert search.Hits(words).count() == 2
    assert search.Hits(words, street_pk=article.street_id).count() == 2
    clock.forward(hours=1)
    for hits in (search.Hits(words), search.Hits(words, reporter_pk=article.reporter_id)):
        assert hits.count() == 1 and article not in hits[0:10]
    assert search.Hits(segment.query_words(f"{WORD} 绕行")).count() == 1  # two words
    article.unpublish_at = clock.now + timezone.timedelta(days=1)  # brought back by an editor
    article.save()
    assert article in search.Hits(words)[0:10]


def test_neighbour_links_skip_a_taken_down_item(make_article, clock):
    hour = timezone.timedelta(hours=1)
    older = make_article(headline="较早的稿件", published_at=clock.now - 3 * hour)
    gone = make_article(
        headline="已下线的稿件", published_at=clock.now - 2 * hour, unpublish_at=clock.now
    )
    newer = make_article(headline="较新的稿件", published_at=clock.now - hour)
    assert newer.neighbours()[1] == older and older.neighbours()[0] == newer
    assert gone not in (newer.neighbours()[1], older.neighbours()[0])


def test_editors_preview_a_taken_down_item_with_its_time(admin_client, client, make_article):
    down = timezone.make_aware(timezone.datetime(2022, 10, 9, 18, 0))
    article = make_article(published_at=down - timezone.timedelta(days=1), unpublish_at=down)
    assert client.get(article.get_absolute_url()).status_code == 404
    response = admin_client.get(article.get_absolute_url())
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert "这篇稿件已于 2022年10月9日 18:00 下线，只有编辑能看到这个页面。" in (
        response.content.decode()
    )


ArticleForm = modelform_factory(
    Article,
    fields=["headline", "reporter", "body", "status", "published_at", "unpublish_at"],
)


@pytest.mark.parametrize(
    "unpublish, error",
    [
        ("2022-10-08 08:00", "下线时间（10月8日 08:00）必须晚于发布时间（10月8日 09:00）。"),
        ("2022-10-08 09:00", "下线时间（10月8日 09:00）必须晚于发布时间（10月8日 09:00）。"),
        ("2022-10-09 18:00", None),
        ("", None),
    ],
)
def test_take_down_must_come_after_publication(make_article, clock, unpublish, error):
    clock.set(timezone.make_aware(timezone.datetime(2022, 10, 1, 12, 0)))
    reporter = make_article().reporter
    form = ArticleForm(
        {
            "headline": "定时稿件",
            "reporter": reporter.pk,
            "body": "正文。",
            "status": "published",
            "published_at": "2022-10-08 09:00",
            "unpublish_at": unpublish,
        }
    )
    assert form.is_valid() is (error is None)
    if error:
        assert form.errors == {"unpublish_at": [error]}
    field = Article._meta.get_field("unpublish_at")
    assert field.verbose_name == "下线时间" and "必须晚于发布时间" in field.help_text


def at(day, hour, minute=0, year=2022):
    """A moment in Beijing time (the site's zone), stored in UTC."""
    return timezone.make_aware(timezone.datetime(year, 10, day, hour, minute))


@pytest.mark.parametrize(
    "fields, label",
    [
        ({"status": "draft"}, "草稿"),
        ({"status": "draft", "unpublish_at": at(1, 8)}, "草稿"),
        ({"published_at": at(8, 9)}, "已排期（10月8日 09:00）"),
        (
            {"published_at": at(8, 9), "unpublish_at": at(9, 18)},
            "已排期（10月8日 09:00，10月9日 18:00 下线）",
        ),
        ({"published_at": at(8, 9, year=2023)}, "已排期（2023年10月8日 09:00）"),
        ({"published_at": at(1, 0, 30)}, "已发布"),
        ({"published_at": at(1, 9), "unpublish_at": at(9, 18)}, "已发布（10月9日 18:00 下线）"),
        ({"published_at": at(1, 9), "unpublish_at": at(1, 10)}, "已下线（10月1日 10:00）"),
    ],
)  # fmt: skip
def test_state_label_for_the_admin_list_in_beijing_time(fields, label):
    now = at(1, 12)  # 2022年10月1日 12:00 in Pingcheng, 04:00 UTC
    article = Article(**{"status": "published", **fields})
    assert article.state_label(now) == label
    assert Article.state_label.short_description == "状态"
