"""No silent lost update: a save from a form opened on an older version is refused, with who
saved in between and when, a compare, and the editor's text kept in the form."""

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from news.models import Article
from newsroom import publishing, versions
from tests.admin_forms import article_form, change_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_editors(client, admin_client, bulletin):
    """The admin and 王编辑 (a second superuser with a full name), each logged in."""
    wang = User.objects.create_superuser("wangbian", password="Pingcheng-2022-w")
    wang.first_name, wang.last_name = "编辑", "王"
    wang.save()
    client.force_login(wang)
    return admin_client, client


@pytest.fixture
def item(admin_client, bulletin):
    response = admin_client.post(reverse("admin:news_article_add"), article_form(status="draft"))
    assert response.status_code == 302
    return Article.objects.get(headline="第九篇稿件")


def url(article):
    return reverse("admin:news_article_change", args=[article.pk])


def test_the_second_save_from_an_older_form_is_refused_and_loses_nothing(two_editors, item):
    mine, theirs = two_editors
    opened = change_form(item, status="draft")  # both open the item at version 1

    # 王编辑 adds a 副题 and saves first.
    assert theirs.post(url(item), {**opened, "subtitle": "王编辑加的副题"}).status_code == 302
    stored = Article.objects.get(pk=item.pk)
    assert stored.edit_version == 2

    # The admin, from the form opened at version 1, rewrites the body.
    response = mine.post(url(item), {**opened, "body": "我改写的正文。\n\n第二段。"})
    assert response.status_code == 200
    html = response.content.decode()
    saved_at = timezone.localtime(versions.latest(stored).revision.date_created)
    assert "没有保存：你打开这篇稿件以后，王编辑在" in html
    assert saved_at.strftime("%Y年%-m月%-d日 %H:%M") + "保存了第 2 版" in html
    assert "你填写的内容都还在下面的表单里" in html
    # The editor's own text is still in the form …
    assert "我改写的正文。\n\n第二段。</textarea>" in html
    # … and the compare shows what is stored now against what was submitted: the other
    # editor's 副题 would be lost, the body rewritten.
    conflict = html[html.index('class="module conflict"') : html.index('name="seen"')]
    assert "现在保存的第 2 版 → 你提交的内容" in conflict
    assert "<dt>副题" in conflict and "王编辑加的副题" in conflict and "<del>" in conflict
    assert "<dt>正文" in conflict and "我改写的正文" in conflict
    # Nothing was overwritten and no version was made.
    after = Article.objects.get(pk=item.pk)
    assert after.subtitle == "王编辑加的副题" and after.body == item.body
    assert after.edit_version == 2 and versions.history(after).count() == 2


def test_after_looking_at_the_compare_the_editor_may_replace_the_stored_version(two_editors, item):
    mine, theirs = two_editors
    opened = change_form(item, status="draft")
    theirs.post(url(item), {**opened, "subtitle": "王编辑加的副题"})
    mine_data = {**opened, "body": "我改写的正文。", "subtitle": "王编辑加的副题"}
    assert mine.post(url(item), mine_data).status_code == 200  # refused first

    response = mine.post(url(item), {**mine_data, "overwrite": "on", "seen": 2})
    assert response.status_code == 302
    after = Article.objects.get(pk=item.pk)
    assert after.body == "我改写的正文。" and after.subtitle == "王编辑加的副题"
    assert [v.revision.edit.number for v in versions.history(after)] == [3, 2, 1]


def test_replacing_is_refused_again_when_yet_another_save_came_in(two_editors, item):
    mine, theirs = two_editors
    opened = change_form(item, status="draft")
    theirs.post(url(item), {**opened, "subtitle": "第一次"})
    theirs.post(url(item), {**opened, "opened_on": 2, "subtitle": "第二次"})
    response = mine.post(url(item), {**opened, "body": "我的。", "overwrite": "on", "seen": 2})
    assert response.status_code == 200
    assert "保存了第 3 版" in response.content.decode()
    assert Article.objects.get(pk=item.pk).subtitle == "第二次"


def test_a_form_without_its_version_number_is_refused(admin_client, item):
    data = change_form(item, status="draft", body="没有版本号的保存。")
    del data["opened_on"]
    response = admin_client.post(url(item), data)
    assert response.status_code == 200
    assert "表单缺少版本号" in response.content.decode()
    assert Article.objects.get(pk=item.pk).body == item.body


def test_a_stale_save_on_a_published_item_is_refused_too(two_editors, bulletin):
    mine, theirs = two_editors
    article = Article.objects.get(pk=5)
    opened = change_form(
        article,
        headline=article.headline,
        reporter=article.reporter_id,
        street=article.street_id,
        community=article.community_id,
        body=article.body,
        status="published",
    )
    assert theirs.post(url(article), {**opened, "kicker": "王编辑的引题"}).status_code == 302
    response = mine.post(url(article), {**opened, "kicker": "我的引题"})
    assert response.status_code == 200 and "没有保存" in response.content.decode()
    assert versions.latest(article).field_dict["kicker"] == "王编辑的引题"


def test_the_guard_lives_below_the_admin(item):
    stale = Article.objects.get(pk=item.pk)
    fresh = Article.objects.get(pk=item.pk)
    fresh.body = "先保存的。"
    publishing.save(fresh, user=None, opened_on=1)
    stale.body = "后保存的。"
    with pytest.raises(publishing.Conflict, match="导入程序在.*保存了第 2 版"):
        publishing.save(stale, user=None, opened_on=1)
    assert Article.objects.get(pk=item.pk).body == "先保存的。"


def test_the_check_locks_the_row(admin_client, item):
    """On PostgreSQL the check reads the row FOR UPDATE, so a second save waits for the first
    to commit and then sees its number (SQLite: write transactions already run one at a time,
    BEGIN IMMEDIATE)."""
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.post(url(item), change_form(item, status="draft", body="锁。"))
    assert response.status_code == 302
    locking = [q["sql"] for q in queries if "news_article" in q["sql"] and "FOR UPDATE" in q["sql"]]
    if connection.vendor == "postgresql":
        assert locking
    else:
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
