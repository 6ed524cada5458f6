"""Live items change only by a published version: while a working version waits, the public
sees the live one everywhere (page, listings, feed, sitemap, search, JSON-LD, cached pages);
after publishing, the new text everywhere."""

import json
import re

import feedparser
import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from news.models import Article, Correction
from newsroom import publishing, versions
from tests.admin_forms import form_of
from tests.review import approve

pytestmark = pytest.mark.django_db
OLD, NEW = "清理枯树 保障出行", "清理倒伏枯树 保障居民出行"
NEW_WORD = "倒伏枯树"  # only in the working version


@pytest.fixture
def article(bulletin):
    return Article.objects.get(pk=7)


def edit(admin_client, article, **fields):
    url = reverse("admin:news_article_change", args=[article.pk])
    return admin_client.post(url, form_of(article, **fields))


def public_views(client, article):
    """What a reader, a feed reader, a crawler and the search find of the item."""
    page = client.get(article.get_absolute_url()).content.decode()
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)[1])
    feed = feedparser.parse(client.get("/feeds/rss/").content)
    entry = next(e for e in feed.entries if e.link.endswith(article.get_absolute_url()))
    sitemap = client.get("/sitemap.xml").content.decode()
    lastmod = re.search(
        re.escape(article.get_absolute_url()) + r"</loc>\s*<lastmod>([^<]+)", sitemap
    )[1]
    front = client.get("/").content.decode()
    street = client.get(article.street.get_absolute_url()).content.decode()
    found = client.get("/search/", {"q": "枯树"}).content.decode()
    return {
        "page": re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)[1].strip(),
        "front": (OLD in front, NEW in front),
        "street": (OLD in street, NEW in street),
        "json_ld": ld["headline"],
        "feed": entry.title,
        "lastmod": lastmod,
        "search_old_word": f'href="{article.get_absolute_url()}"' in found,
        "search_new_word": "找到 1 篇" in client.get("/search/", {"q": NEW_WORD}).content.decode(),
    }


def test_the_public_sees_only_the_live_version_until_it_is_published(
    admin_client, client, article, django_capture_on_commit_callbacks
):
    before = public_views(client, article)
    assert before["page"] == OLD and before["json_ld"] == OLD and before["feed"] == OLD

    with django_capture_on_commit_callbacks(execute=True):
        response = edit(admin_client, article, headline=NEW, comment="标题更具体")
    assert response.status_code == 302
    while_working = public_views(client, article)
    assert while_working == before  # page, JSON-LD, feed, sitemap date, search: all unchanged
    assert while_working["front"] == while_working["street"] == (True, False)
    assert while_working["search_old_word"] and not while_working["search_new_word"]
    row = Article.objects.get(pk=article.pk)
    assert row.headline == OLD and row.updated_at == article.updated_at
    assert row.edit_version == 1  # version 0 is the item as loaded, 1 the working version

    # The editors' side: the list shows both states, the form opens on the working version.
    changelist = admin_client.get(reverse("admin:news_article_changelist")).content.decode()
    assert "已发布，有未发布的修改" in changelist
    form = admin_client.get(reverse("admin:news_article_change", args=[article.pk]))
    html = form.content.decode()
    assert f'value="{NEW}"' in html and "这篇稿件有未发布的修改" in html
    assert "发布这些修改" in html

    # Publishing: a page that shows what will change, then the button.
    approve(article)  # 先审后发: the working version passes review, then 发布 publishes it
    publish = reverse("admin:news_article_publish", args=[article.pk])
    page = admin_client.get(publish).content.decode()
    assert "读者现在看到的 → 第 1 版" in page and "倒伏" in page
    working = versions.latest(article)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            publish, {"version": working.pk, "correction": "标题改得更具体"}
        )
    assert response.status_code == 302
    after = public_views(client, article)
    assert after["page"] == NEW and after["json_ld"] == NEW and after["feed"] == NEW
    assert after["front"] == after["street"] == (False, True)
    assert after["search_new_word"]
    assert after["lastmod"] != before["lastmod"]
    newest = versions.latest(article)
    assert newest.revision.edit.action == "publish" and newest.revision.edit.source == working
    assert newest.revision.comment == "标题改得更具体"
    changelist = admin_client.get(reverse("admin:news_article_changelist")).content.decode()
    assert "已发布，有未发布的修改" not in changelist


def test_a_working_save_keeps_cached_pages_and_a_publish_retires_them(
    admin_client, client, article, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE = True
    settings.PAGE_GENERATION_FILE = tmp_path / "generation.json"
    first = client.get(article.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        edit(admin_client, article, headline=NEW)
    approve(article)
    again = client.get(article.get_absolute_url())
    assert again["X-Page-Cache"] == "hit" and again["ETag"] == first["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:news_article_publish", args=[article.pk]),
            {"version": versions.latest(article).pk, "correction": "标题改得更具体"},
        )
    fresh = client.get(article.get_absolute_url())
    assert fresh["X-Page-Cache"] == "miss" and NEW in fresh.content.decode()


def test_the_bulk_publish_action_holds_a_correction_for_its_own_page(admin_client, client, article):
    """A public item's changed text needs a 更正 note, which the list action cannot ask for:
    the action publishes the rest and says which items wait, and why."""
    edit(admin_client, article, headline=NEW)
    draft = Article.objects.create(
        headline="一篇草稿", reporter=article.reporter, body="草稿的正文。"
    )
    approve(article)
    approve(draft)
    response = admin_client.post(
        reverse("admin:news_article_changelist"),
        {"action": "publish", "_selected_action": [article.pk, draft.pk, 8]},
        follow=True,
    )
    html = response.content.decode()
    assert "已发布 1 篇稿件" in html  # the draft; item 8 had nothing waiting
    assert f"没有发布 1 篇（{OLD}）" in html and "更正说明" in html
    assert Article.objects.get(pk=article.pk).headline == OLD
    assert Article.objects.get(pk=draft.pk).status == Article.Status.PUBLISHED
    assert not Correction.objects.exists()


def test_publishing_changed_text_of_a_public_item_needs_a_correction_shown_to_readers(
    admin_client, client, article
):
    edit(admin_client, article, headline=NEW)
    approve(article)
    publish = reverse("admin:news_article_publish", args=[article.pk])
    working = versions.latest(article)
    refused = admin_client.post(publish, {"version": working.pk}, follow=True)
    assert "请写明更正了什么" in refused.content.decode()
    assert Article.objects.get(pk=article.pk).headline == OLD
    assert OLD in client.get(article.get_absolute_url()).content.decode()

    admin_client.post(publish, {"version": working.pk, "correction": "原稿标题不准确，已改正。"})
    page = strip_tags(client.get(article.get_absolute_url()).content.decode())
    assert NEW in page
    today = timezone.localtime()
    assert f"更正：原稿标题不准确，已改正。（{today.year}年{today.month}月{today.day}日）" in page
    assert versions.latest(article).revision.comment == "原稿标题不准确，已改正。"
    change = admin_client.get(reverse("admin:news_article_change", args=[article.pk]))
    assert "更正：原稿标题不准确，已改正。" in change.content.decode()


def test_a_scheduled_item_is_changed_without_a_correction(admin_client, client, article):
    """Nobody has read a scheduled item yet: its changes are not corrections."""
    Article.objects.filter(pk=article.pk).update(
        published_at=timezone.now() + timezone.timedelta(days=1)
    )
    article.refresh_from_db()
    edit(admin_client, article, headline=NEW)
    approve(article)
    publishing.publish(article.pk, user=User.objects.get(username="admin"))
    row = Article.objects.get(pk=article.pk)
    assert row.headline == NEW and not row.corrections.exists()


def test_a_version_superseded_while_the_editor_looked_is_not_published(admin_client, article):
    edit(admin_client, article, headline=NEW)
    looked_at = versions.latest(article)
    article.refresh_from_db()
    edit(admin_client, article, headline="又改了一次")
    response = admin_client.post(
        reverse("admin:news_article_publish", args=[article.pk]),
        {"version": looked_at.pk},
        follow=True,
    )
    assert "第 1 版已经不是最新的，admin在" in response.content.decode()
    assert Article.objects.get(pk=article.pk).headline == OLD


def test_taking_down_an_item_with_a_working_version_keeps_the_newest_text(
    admin_client, client, article
):
    edit(admin_client, article, headline=NEW)
    admin_client.post(
        reverse("admin:news_article_changelist"),
        {"action": "unpublish", "_selected_action": [article.pk]},
    )
    row = Article.objects.get(pk=article.pk)
    assert row.status == Article.Status.DRAFT and row.headline == NEW
    assert client.get(article.get_absolute_url()).status_code == 404


def test_without_the_publish_right_an_editor_saves_but_cannot_publish(client, article):
    writer = User.objects.create_user("xiaoli", password="Pingcheng-2022-x", is_staff=True)
    writer.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="news", codename__in=["view_article", "change_article"]
        )
    )
    client.force_login(writer)
    assert edit(client, article, headline=NEW).status_code == 302
    html = client.get(reverse("admin:news_article_change", args=[article.pk])).content.decode()
    assert "等有发布权限的编辑发布后，读者才会看到" in html
    publish = reverse("admin:news_article_publish", args=[article.pk])
    assert client.get(publish).status_code == 403
    assert client.post(publish, {"version": versions.latest(article).pk}).status_code == 403
    assert Article.objects.get(pk=article.pk).headline == OLD
