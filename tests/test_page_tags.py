"""A write retires exactly the cached pages that show what it changed (news/page_tags.py,
news/retire.py), on a cache every worker shares (Redis; with per-worker local memory every page
is retired: tests/test_cache.py)."""

import os
import time

import pytest
from django.core.cache import cache

from news import page_tags
from news.corrections import Correction
from news.models import Article, Reporter, Street
from tests.test_cache import REDIS_URL, backend, redis_available

PAGES = [
    "/",
    "/streets/",
    "/streets/yingbin/",
    "/streets/yingbin/yonganli/",
    "/streets/yingbin/beixinyuan/",
    "/streets/xinwang/",
    "/streets/yongtai/",
    "/reporters/zheng-lin/",
    "/reporters/yang-cuiye/",
    "/archive/",
    "/archive/2022/09/",
    *(f"/news/{pk}/" for pk in range(1, 9)),
    "/feeds/rss/",
    "/search/?q=社区",
]


@pytest.fixture(params=["disk", "redis"])
def shared_cache(request, settings, tmp_path, bulletin):
    """A store every worker shares, where page tags retire single pages: disk, then Redis."""
    if request.param == "redis" and not redis_available():
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"REQUIRE_REDIS=1 but no Redis at {REDIS_URL}")
        pytest.skip(f"no Redis at {REDIS_URL}")
    settings.CACHES = {"default": backend(request.param, tmp_path / "pages")}
    settings.PAGE_CACHE = True
    settings.PAGE_GENERATION_FILE = tmp_path / "page-generation.json"
    cache.clear()
    yield
    cache.clear()


def retired_after(client, write, capture):
    """Fill the cache with every page, make `write`, and return the pages it retired."""
    for path in PAGES:
        client.get(path)
    for path in PAGES:  # every page now stored and good
        assert client.get(path)["X-Page-Cache"] == "hit", path
    with capture(execute=True):
        write()
    return {path for path in PAGES if client.get(path).get("X-Page-Cache") != "hit"}


def test_an_edit_retires_the_pages_that_show_the_item(
    client, shared_cache, django_capture_on_commit_callbacks
):
    def edit():
        article = Article.objects.get(pk=8)
        article.headline = "污水外溢 及时处理"
        article.save()

    retired = retired_after(client, edit, django_capture_on_commit_callbacks)
    assert retired == {
        "/",  # its card
        "/streets/yingbin/",
        "/streets/yingbin/yonganli/",
        "/reporters/zheng-lin/",
        "/archive/2022/09/",
        "/news/8/",
        "/news/7/",  # its headline as 7's 下一篇
        "/feeds/rss/",  # pages that name nothing finer: every write
        "/search/?q=社区",
    }
    assert "污水外溢 及时处理" in client.get("/news/7/").content.decode()


def test_publishing_an_item_retires_its_listings_and_its_neighbours(
    client, shared_cache, django_capture_on_commit_callbacks, make_article
):
    draft = make_article(
        headline="新的稿件", status=Article.Status.DRAFT, street=Street.objects.get(slug="yongtai")
    )
    article = Article.objects.get(pk=8)

    def publish():
        draft.status = Article.Status.PUBLISHED
        draft.published_at = article.published_at
        draft.save()

    retired = retired_after(client, publish, django_capture_on_commit_callbacks)
    # after item 8 in the site's order: 8 now has a 下一篇
    assert "/news/8/" in retired and "新的稿件" in client.get("/news/8/").content.decode()
    assert {"/", "/streets/yongtai/", "/archive/", "/archive/2022/09/"} <= retired
    assert {"/news/1/", "/news/4/", "/streets/xinwang/", "/reporters/yang-cuiye/"}.isdisjoint(
        retired
    )


def test_a_renamed_reporter_retires_the_pages_that_name_them(
    client, shared_cache, django_capture_on_commit_callbacks
):
    def rename():
        reporter = Reporter.objects.get(slug="yang-cuiye")
        reporter.name = "杨翠叶（特约）"
        reporter.save()

    retired = retired_after(client, rename, django_capture_on_commit_callbacks)
    shows_her = {"/news/3/", "/news/4/", "/news/6/", "/streets/xinwang/", "/reporters/yang-cuiye/"}
    assert shows_her <= retired
    assert {"/news/2/", "/news/7/", "/news/8/", "/reporters/zheng-lin/"}.isdisjoint(retired)
    assert "杨翠叶（特约）" in client.get("/streets/xinwang/").content.decode()


def test_a_renamed_street_retires_the_pages_that_name_it(
    client, shared_cache, django_capture_on_commit_callbacks
):
    def rename():
        street = Street.objects.get(slug="yingbin")
        street.name = "迎宾路街道"
        street.save()

    retired = retired_after(client, rename, django_capture_on_commit_callbacks)
    assert {"/", "/streets/", "/streets/yingbin/", "/streets/yingbin/yonganli/"} <= retired
    assert {"/news/7/", "/news/8/", "/reporters/zheng-lin/"} <= retired
    assert {"/news/3/", "/news/6/", "/reporters/yang-cuiye/"}.isdisjoint(retired)
    assert "迎宾路街道" in client.get("/streets/yingbin/yonganli/").content.decode()


def test_a_correction_retires_its_item_and_what_names_nothing_finer(
    client, shared_cache, django_capture_on_commit_callbacks
):
    def correct():
        Correction.objects.create(article_id=6, note="原稿中的时间有误，已改正。")

    retired = retired_after(client, correct, django_capture_on_commit_callbacks)
    assert retired == {"/news/6/", "/feeds/rss/", "/search/?q=社区"}


def test_a_page_whose_render_began_before_a_write_is_not_served(client, shared_cache):
    """A render may read a row just before a write commits: the write's time is later than the
    render's start, so the page stored by that render is never served."""
    tag = page_tags.article(5)
    began = time.time()
    page_tags.retire([tag])
    assert page_tags.still_good([tag], began) is None
    assert page_tags.still_good([tag], time.time()) is not None


def test_pages_are_kept_apart_by_the_clock_skew_allowed(client, shared_cache, settings):
    settings.PAGE_CACHE_CLOCK_SKEW = 0.5
    tag = page_tags.article(5)
    page_tags.retire([tag])
    assert page_tags.still_good([tag], time.time() + 0.4) is None
    assert page_tags.still_good([tag], time.time() + 0.6) is not None


def test_a_missing_tag_record_keeps_pages_rendered_before_it_out(client, shared_cache):
    tag = page_tags.article(5)
    earlier = time.time()
    time.sleep(0.01)
    cache.delete(page_tags.PREFIX + tag)  # never written, or evicted
    rendering = time.time()
    page_tags.last_changed([tag], rendering)  # the page rendered now writes it
    assert page_tags.still_good([tag], earlier) is None
    assert page_tags.still_good([tag], rendering) is not None


def test_deleting_an_item_retires_its_neighbours_pages(
    client, shared_cache, django_capture_on_commit_callbacks
):
    retired = retired_after(
        client, lambda: Article.objects.get(pk=5).delete(), django_capture_on_commit_callbacks
    )
    assert {"/", "/news/4/", "/news/5/", "/news/6/", "/reporters/zheng-lin/"} <= retired
    assert {"/news/2/", "/news/8/"}.isdisjoint(retired)
