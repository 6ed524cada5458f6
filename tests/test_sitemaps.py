"""sitemap.xml and robots.txt: what a search engine is pointed at, and what it is kept out of."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from news.models import Article, Community, Correction, Reporter, Street

pytestmark = pytest.mark.django_db

ORIGIN = "http://testserver"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def read_sitemap(client):
    response = client.get(reverse("sitemap"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)  # noqa: S314 -- our own output, not untrusted input
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
    return {url.findtext("s:loc", namespaces=NS): url for url in root.findall("s:url", NS)}


def test_sitemap_lists_every_public_page_and_nothing_else(client, bulletin):
    urls = read_sitemap(client)
    expected = [
        *(a.get_absolute_url() for a in Article.objects.published()),
        *(s.get_absolute_url() for s in Street.objects.all()),
        *(c.get_absolute_url() for c in Community.objects.select_related("street")),
        *(r.get_absolute_url() for r in Reporter.objects.all()),
        reverse("news:front"),
        reverse("news:streets"),
    ]
    assert len(expected) == 8 + 5 + 6 + 2 + 2
    assert sorted(urls) == sorted(ORIGIN + path for path in expected)


def test_articles_carry_their_last_change(client, bulletin):
    """lastmod: the publication, or the newest 更正 note; a save that changes nothing a reader
    sees (here: 头条) does not move it."""
    article = Article.objects.get(headline="清理枯树 保障出行")
    Correction.objects.record(
        article, "补充了清理时间。", timezone.make_aware(timezone.datetime(2022, 10, 3, 9, 0))
    )
    Article.objects.filter(pk=3).update(is_lead=True, updated_at=timezone.now())
    urls = read_sitemap(client)
    lastmods = {
        item.pk: urls[ORIGIN + item.get_absolute_url()].findtext("s:lastmod", namespaces=NS)
        for item in Article.objects.published()
    }
    assert lastmods.pop(article.pk) == "2022-10-03"
    assert set(lastmods.values()) == {"2022-09-30"}  # the bulletin's publication day


def test_drafts_and_scheduled_items_are_left_out(client, bulletin, make_article):
    draft = make_article(headline="草稿稿件", status=Article.Status.DRAFT)
    scheduled = make_article(
        headline="定时稿件", published_at=timezone.now() + timezone.timedelta(hours=1)
    )
    due = make_article(headline="到点稿件")
    urls = read_sitemap(client)
    assert ORIGIN + draft.get_absolute_url() not in urls
    assert ORIGIN + scheduled.get_absolute_url() not in urls
    assert ORIGIN + due.get_absolute_url() in urls


def test_sitemap_query_count_is_constant(client, bulletin, make_article, django_assert_num_queries):
    # A count and a page of items for each of articles, streets, communities and reporters.
    with django_assert_num_queries(8):
        client.get(reverse("sitemap"))
    for n in range(30):
        make_article(headline=f"加量稿件{n}")
    with django_assert_num_queries(8):
        assert len(read_sitemap(client)) == 23 + 30 + 1  # and the helper's reporter


def test_robots_txt_names_the_sitemap_and_keeps_crawlers_out_of_private_pages(client, db):
    response = client.get(reverse("robots_txt"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert f"Disallow: {reverse('admin:index')}" in lines
    assert "Disallow: /admin/" in lines  # ADMIN_URL's default
    assert "Disallow: /prefs/" in lines
    # Search may be fetched, so that crawlers read its noindex (a disallowed page can still be
    # listed from links to it, since its noindex is never seen).
    assert not any(line.startswith("Disallow: /search") for line in lines)
    assert f"Sitemap: {ORIGIN}/sitemap.xml" in lines
    assert "Disallow: /" not in lines  # the site itself stays open


def test_search_pages_may_be_crawled_but_are_never_indexed(client, bulletin):
    from urllib.robotparser import RobotFileParser

    robots = RobotFileParser()
    robots.parse(client.get("/robots.txt").content.decode().splitlines())
    assert robots.can_fetch("Baiduspider", "http://testserver/search/?q=社区")
    assert not robots.can_fetch("Baiduspider", "http://testserver/prefs/?size=large")
    for url in ("/search/", "/search/?q=社区", "/search/?q=没有的词"):
        html = client.get(url).content.decode()
        assert '<meta name="robots" content="noindex, follow">' in html, url


def test_robots_txt_follows_the_request_host_and_scheme(client, db, settings):
    settings.ALLOWED_HOSTS = ["news.example.cn"]
    response = client.get("/robots.txt", HTTP_HOST="news.example.cn", secure=True)
    assert "Sitemap: https://news.example.cn/sitemap.xml" in response.content.decode()
