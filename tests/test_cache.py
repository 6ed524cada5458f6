"""The page cache: hits, invalidation, schedules, staff, reading choices, 304s, and Redis."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from news import cache as page_cache
from news.models import Article, Street

pytestmark = pytest.mark.django_db
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
ROOT = Path(__file__).resolve().parent.parent


def redis_available():
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.25).ping()
        return True
    except Exception:
        return False


BACKENDS = {
    "locmem": {
        "BACKEND": "news.cache_store.LocMemCache",
        "LOCATION": "t",
        "OPTIONS": {"MAX_BYTES": 16 * 1024 * 1024},
    },
    "redis": {
        "BACKEND": "news.cache_store.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "pingcheng",  # as pingcheng/settings.py names it for every process
        # (generous, and no pause: the shared test Redis may be slow for a moment; the timeouts
        # and the breaker are tested in tests/test_cache_store.py)
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2, "BREAKER_SECONDS": 0},
    },
    # (LOCATION: each test's own folder, as the fixtures using it set)
    "disk": {
        "BACKEND": "news.cache_store.DiskCache",
        "SHARDS": 2,
        "OPTIONS": {"size_limit": 2**26},
    },
}


def backend(name, folder):
    """The cache settings for store `name`; the disk store in `folder`."""
    return {**BACKENDS[name], "LOCATION": str(folder)} if name == "disk" else BACKENDS[name]


def stored_pages(backend):
    """How many pages the cache holds now (the generation record is not a page)."""
    if backend in ("locmem", "disk"):  # (local memory's dict, diskcache's keys)
        return sum(":page:" in key for key in cache._cache)
    client = cache._cache.get_client(None)
    return sum(1 for _ in client.scan_iter("pingcheng:*:page:*"))


@pytest.fixture
def cached_site(page_cache_on, bulletin):
    return page_cache_on


def test_second_request_is_a_cache_hit_without_queries(
    client, cached_site, django_assert_num_queries
):
    first = client.get("/streets/yingbin/")
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get("/streets/yingbin/")
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert "Cookie" in second["Vary"]
    assert "public" in second["Cache-Control"] and "max-age=60" in second["Cache-Control"]


def test_revalidation_answers_304_without_rendering(client, cached_site, django_assert_num_queries):
    first = client.get("/news/7/")
    with django_assert_num_queries(0):
        again = client.get("/news/7/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again["ETag"] == first["ETag"]
    since = client.get("/news/7/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304


def test_an_editors_save_is_seen_at_once(client, cached_site, django_capture_on_commit_callbacks):
    before = client.get("/")
    assert "文艺演出迎国庆" in before.content.decode()
    article = Article.objects.get(pk=2)
    article.headline = "文艺演出庆国庆"
    with django_capture_on_commit_callbacks(execute=True):
        article.save()
    after = client.get("/")
    assert after["X-Page-Cache"] == "miss"
    assert "文艺演出庆国庆" in after.content.decode()
    assert client.get("/news/2/", HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 200


@pytest.mark.parametrize("action", ["unpublish", "delete_selected"])
def test_unpublish_and_delete_retire_cached_pages(
    admin_client, client, cached_site, django_capture_on_commit_callbacks, action
):
    assert client.get("/news/8/").status_code == 200
    data = {"action": action, "_selected_action": [8], "post": "yes"}
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("admin:news_article_changelist"), data)
    assert client.get("/news/8/").status_code == 404
    assert "污水外溢" not in client.get("/").content.decode()


def test_scheduled_item_appears_on_time_on_cached_pages(
    client, cached_site, make_article, monkeypatch, django_capture_on_commit_callbacks
):
    due = timezone.now() + timezone.timedelta(minutes=30)
    with django_capture_on_commit_callbacks(execute=True):
        make_article(headline="八点整发布的稿件", published_at=due)
    assert "八点整发布的稿件" not in client.get("/").content.decode()
    assert client.get("/")["X-Page-Cache"] == "hit"
    later = due + timezone.timedelta(seconds=1)
    monkeypatch.setattr(page_cache.time, "time", lambda: later.timestamp())
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    response = client.get("/")
    assert response["X-Page-Cache"] == "miss"
    assert "八点整发布的稿件" in response.content.decode()


def test_staff_are_never_served_from_the_cache(admin_client, client, cached_site, make_article):
    draft = make_article(headline="编辑的草稿", status=Article.Status.DRAFT)
    client.get("/")  # an anonymous visitor fills the cache
    staff = admin_client.get("/")
    assert "X-Page-Cache" not in staff and "private" in staff["Cache-Control"]
    preview = admin_client.get(draft.get_absolute_url())
    assert preview.status_code == 200 and "no-store" in preview["Cache-Control"]
    assert client.get(draft.get_absolute_url()).status_code == 404  # nothing leaked


def test_reading_choices_get_their_own_entries(client, cached_site):
    normal = client.get("/news/3/")
    client.cookies["pc_size"] = "large"
    large = client.get("/news/3/")
    assert large["X-Page-Cache"] == "miss" and large["ETag"] != normal["ETag"]
    assert 'class="size-large' in large.content.decode()
    assert client.get("/news/3/")["X-Page-Cache"] == "hit"


def test_pages_that_set_cookies_or_fail_are_not_stored(client, cached_site):
    assert client.get("/nothing-here/").status_code == 404
    assert "X-Page-Cache" not in client.get("/nothing-here/")
    client.get("/prefs/", {"size": "large", "next": "/"})
    assert "X-Page-Cache" not in client.get("/prefs/", {"size": "large", "next": "/"})


def test_a_stopped_cache_still_serves_pages(client, settings, bulletin, caplog):
    settings.PAGE_CACHE = True
    settings.CACHES = {
        "default": {
            **BACKENDS["redis"],
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }
    for _ in range(2):
        response = client.get("/news/7/")
        assert response.status_code == 200 and "清理枯树" in response.content.decode()
        assert "X-Page-Cache" not in response
    page_cache.invalidate()  # must not raise either
    assert "Traceback" not in caplog.text


def test_invalidation_by_another_process_is_seen(client, cached_site, settings):
    """Another gunicorn worker (or host) saves: this one must stop serving its stored pages.
    Local memory and the disk store learn it through the generation file, Redis through
    Redis."""
    client.get("/news/5/")
    assert client.get("/news/5/")["X-Page-Cache"] == "hit"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "REDIS_URL": REDIS_URL if cached_site == "redis" else "",
        "DJANGO_PAGE_CACHE_STORE": "memory" if cached_site == "locmem" else "disk",
        "PINGCHENG_TEST_PAGE_CACHE": str(settings.CACHES["default"].get("LOCATION", "")),
        "PINGCHENG_TEST_GENERATION_FILE": str(settings.PAGE_GENERATION_FILE),
    }
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from news.cache import invalidate; invalidate()",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=60,
    )
    assert client.get("/news/5/")["X-Page-Cache"] == "miss"


# Every page type, as readers reach them (the bulletin's streets, reporter, week).
PAGES = [
    "/",
    "/news/7/",
    "/streets/",
    "/streets/yingbin/",
    "/streets/yingbin/yonganli/",
    "/reporters/zheng-lin/",
    "/archive/",
    "/archive/2022/09/",
    "/search/?q=社区",
    "/streets/yingbin/digest/?week=2022-W39",
    "/feeds/",
    "/feeds/rss/",
    "/feeds/streets/yingbin/atom/",
    "/feeds/all.opml",
    "/sitemap.xml",
    "/robots.txt",
]


def with_junk(url, marker):
    """`url` as a shared link or a probe brings it: parameters no page reads."""
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}utm_source={marker}&from=singlemessage&isappinstalled=0"


def test_unknown_parameters_make_no_new_entries(client, cached_site):
    for url in PAGES:
        assert client.get(url)["X-Page-Cache"] == "miss", url
    assert stored_pages(cached_site) == len(PAGES)
    for n in range(12):
        for url in PAGES:
            response = client.get(with_junk(url, f"probe-{n}"))
            assert response.status_code == 200 and response["X-Page-Cache"] == "hit", url
    assert stored_pages(cached_site) == len(PAGES)


@pytest.mark.parametrize(
    "plain, same",
    [
        ("/streets/yingbin/", "/streets/yingbin/?page=1"),
        ("/streets/yingbin/", "/streets/yingbin/?page=0001&page=1"),
        ("/search/?q=社区", "/search/?q=%20%20社区%00&street=%3Cb%3E"),
        ("/search/?q=社区", "/search/?q=漏水&q=社区"),  # the view reads the last one
        ("/sitemap.xml", "/sitemap.xml?p=1"),
    ],
)
def test_spellings_of_the_same_page_share_its_entry(client, cached_site, plain, same):
    first = client.get(plain)
    again = client.get(same)
    assert again["X-Page-Cache"] == "hit" and again.content == first.content


def two_pages_of_items(make_article):
    """25 items of a new street 测试街道 (/streets/ceshi/), newest first 下水道漏水00 … 24."""
    street = Street.objects.create(name="测试街道", slug="ceshi")
    now = timezone.now()
    for n in range(25):
        hours_ago = timezone.timedelta(hours=n + 1)
        make_article(headline=f"下水道漏水{n:02d}", street=street, published_at=now - hours_ago)


def test_known_parameters_still_give_distinct_pages(client, cached_site, make_article):
    two_pages_of_items(make_article)
    urls = {
        "/streets/ceshi/": "下水道漏水00",
        "/streets/ceshi/?page=2": "下水道漏水24",
        "/search/?q=漏水": 'aria-current="page">1<',  # (the hits' words are marked)
        "/search/?q=漏水&page=2": 'aria-current="page">2<',
        "/search/?q=社区": "永安里",
        "/search/?q=社区&street=yingbin": "（迎宾街道）",
        "/search/?q=社区&reporter=zheng-lin": "（记者 郑林）",
        "/streets/yingbin/digest/?week=2022-W39": "2022年第39周",
        "/streets/yingbin/digest/?week=2022-W38": "2022年第38周",
    }
    bodies = set()
    for url, text in urls.items():
        response = client.get(url)
        assert response["X-Page-Cache"] == "miss", url
        assert text in response.content.decode(), url
        bodies.add(response.content)
    assert len(bodies) == len(urls)
    assert stored_pages(cached_site) == len(urls)
    assert all(client.get(url)["X-Page-Cache"] == "hit" for url in urls)


@pytest.mark.parametrize("url", ["/streets/ceshi/?page=2", "/search/?q=漏水", "/news/7/"])
def test_a_page_rendered_for_junk_carries_none_of_it(client, cached_site, make_article, url):
    """The first visitor's junk must not reach the next visitor through the cached page: not in
    the pagination links, the 字号 links' way back, the canonical link, anywhere."""
    two_pages_of_items(make_article)
    first = client.get(with_junk(url, "PROBE%22%3E"))
    html = first.content.decode()
    assert first["X-Page-Cache"] == "miss" and "PROBE" not in html
    assert "singlemessage" not in html and "isappinstalled" not in html
    if "page" in url or "q=" in url:  # the pagination still keeps what the page does read
        assert "page=" in html and ("q=" in html) == ("q=" in url)
    second = client.get(url)
    assert second["X-Page-Cache"] == "hit" and second.content == first.content


def test_disk_store_hits_open_no_database_file(client, settings, tmp_path, bulletin):
    """Django closes every cache after each request; the disk store keeps its SQLite files open
    (reopening its shards on every request made a hit ten times slower). A hit opens nothing."""
    import sqlite3
    from unittest import mock

    from django.core.cache import caches

    settings.CACHES = {"default": backend("disk", tmp_path / "pages")}
    settings.PAGE_CACHE = True
    settings.PAGE_GENERATION_FILE = tmp_path / "page-generation.json"
    caches["default"].clear()
    assert client.get("/streets/yingbin/")["X-Page-Cache"] == "miss"
    assert client.get("/streets/yingbin/")["X-Page-Cache"] == "hit"
    with mock.patch("sqlite3.connect", wraps=sqlite3.connect) as opened:
        for _ in range(3):
            assert client.get("/streets/yingbin/")["X-Page-Cache"] == "hit"
    assert opened.call_count == 0
