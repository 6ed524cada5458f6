"""Versions: one on every path that saves, the character-level compare, revert."""

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from news.models import Article, Reporter
from newsroom import diff, publishing, versions
from newsroom.models import Edit
from tests.admin_forms import article_form, change_form
from tests.images import phone_photo
from tests.review import approve

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:news_article_changelist"


def change_url(article):
    return reverse("admin:news_article_change", args=[article.pk])


def history(article):
    """(number, action, working, user name, comment), newest first."""
    return [
        (
            v.revision.edit.number,
            v.revision.edit.action,
            v.revision.edit.working,
            v.revision.user.username if v.revision.user else None,
            v.revision.comment,
        )
        for v in versions.history(article)
    ]


def draft(admin_client, **fields):
    response = admin_client.post(
        reverse("admin:news_article_add"), article_form(status="draft", **fields)
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    return Article.objects.get(headline=fields.get("headline", "第九篇稿件"))


# --- a version on every path ----------------------------------------------------------------


def test_adding_an_item_keeps_version_1_with_every_field_and_the_photo_by_name(
    admin_client, bulletin
):
    article = draft(admin_client, photo=phone_photo(), comment="新稿")
    (version,) = versions.history(article)
    assert history(article) == [(1, Edit.Action.CREATE, False, "admin", "新稿")]
    assert article.edit_version == 1
    data = version.field_dict
    for name in versions.EDITOR_FIELDS:
        attname = Article._meta.get_field(name).attname
        assert data[attname] == getattr(article, attname), name
    assert str(data["photo"]) == article.photo.name and article.photo.name.startswith("photos/")
    assert data["photo_width"] == article.photo_width


def test_editing_a_draft_saves_the_row_and_a_version(admin_client, bulletin):
    article = draft(admin_client)
    response = admin_client.post(
        change_url(article),
        change_form(article, status="draft", body="改过的正文。", comment="改正文"),
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.body == "改过的正文。" and article.edit_version == 2
    assert history(article)[0] == (2, Edit.Action.SAVE, False, "admin", "改正文")
    assert versions.latest(article).field_dict["body"] == "改过的正文。"


def test_an_item_from_before_versions_gets_its_old_content_as_version_0(admin_client, bulletin):
    article = Article.objects.get(pk=3)
    old_body = article.body
    data = change_form(
        article,
        headline=article.headline,
        reporter=article.reporter_id,
        street=article.street_id,
        community=article.community_id,
        status="draft",
        body="新正文。",
    )
    assert admin_client.post(change_url(article), data).status_code == 302
    numbers = history(article)
    assert [n[:3] for n in numbers] == [
        (1, Edit.Action.TAKE_DOWN, False),  # 已发布 → 草稿 in the form takes it down
        (0, Edit.Action.BASELINE, False),
    ]
    assert versions.history(article).last().field_dict["body"] == old_body


def test_bulk_publish_and_take_down_keep_versions(admin_client, bulletin):
    first = draft(admin_client, headline="草稿一")
    second = draft(admin_client, headline="草稿二")
    approve(first)
    approve(second)
    admin_client.post(
        reverse(CHANGELIST), {"action": "publish", "_selected_action": [first.pk, second.pk]}
    )
    for article in (first, second):
        article.refresh_from_db()
        assert article.status == Article.Status.PUBLISHED
        assert history(article)[0] == (2, Edit.Action.PUBLISH, False, "admin", "批量操作：发布")
    admin_client.post(reverse(CHANGELIST), {"action": "unpublish", "_selected_action": [first.pk]})
    first.refresh_from_db()
    assert first.status == Article.Status.DRAFT
    assert history(first)[0] == (3, Edit.Action.TAKE_DOWN, False, "admin", "批量操作：撤回为草稿")
    assert len(history(second)) == 2  # not selected, not touched


def test_only_editors_with_the_publish_right_may_publish(client, bulletin, make_article):
    writer = User.objects.create_user("xiaoli", password="Pingcheng-2022-x", is_staff=True)
    writer.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="news",
            codename__in=["view_article", "change_article", "add_article"],
        )
    )
    client.login(username="xiaoli", password="Pingcheng-2022-x")
    # The form refuses 已发布 on a new item.
    response = client.post(reverse("admin:news_article_add"), article_form(status="published"))
    assert response.status_code == 200
    assert "你没有发布权限" in response.content.decode()
    assert not Article.objects.filter(headline="第九篇稿件").exists()
    # The list offers no 发布 action, and posting it anyway publishes nothing.
    changelist = client.get(reverse(CHANGELIST)).content.decode()
    assert 'value="publish"' not in changelist and 'value="unpublish"' in changelist
    waiting = make_article(status=Article.Status.DRAFT)
    client.post(reverse(CHANGELIST), {"action": "publish", "_selected_action": [waiting.pk]})
    waiting.refresh_from_db()
    assert waiting.status == Article.Status.DRAFT
    # And below the admin: the service refuses.
    with pytest.raises(publishing.Refused, match="没有发布权限"):
        publishing.publish(waiting.pk, user=writer)
    assert Article.objects.get(pk=waiting.pk).status == Article.Status.DRAFT


# --- compare --------------------------------------------------------------------------------


def test_character_diff_marks_exactly_the_changed_characters():
    assert diff.pieces("文字", "文学") == [
        diff.Piece("same", "文"),
        diff.Piece("removed", "字"),
        diff.Piece("added", "学"),
    ]
    assert diff.pieces("社区开展活动", "社区开展了活动") == [
        diff.Piece("same", "社区开展"),
        diff.Piece("added", "了"),
        diff.Piece("same", "活动"),
    ]
    assert diff.pieces("", "新") == [diff.Piece("added", "新")]
    assert diff.pieces("同", "同") == [diff.Piece("same", "同")]


def test_compare_page_marks_added_and_removed_characters_in_every_field(admin_client, bulletin):
    article = draft(admin_client, body="居民学文字。")
    other = Reporter.objects.get(slug="zheng-lin")
    admin_client.post(
        change_url(article),
        change_form(
            article,
            status="draft",
            body="居民学文学。",
            subtitle="<b>副题</b>",
            reporter=other.pk,
        ),
    )
    first, second = versions.history(article).reverse()
    url = reverse("admin:news_article_compare", args=[article.pk])
    response = admin_client.get(url, {"a": first.pk, "b": second.pk})
    assert response.status_code == 200
    html = response.content.decode()
    body = html[html.index("<dt>正文") :]
    body = body[: body.index("</dd>")]
    assert "居民学文" in body
    assert '<del><span class="visually-hidden">［删除：</span>字' in body
    assert '<ins><span class="visually-hidden">［增加：</span>学' in body
    assert "（删去 1 字，增加 1 字）" in body
    # Markup typed into a field is shown, never obeyed.
    assert "&lt;b&gt;副题&lt;/b&gt;" in html and "<b>副题</b>" not in html
    # Fields that are not text compare by what an editor reads: the reporter's name.
    reporter = html[html.index("<dt>记者") :]
    assert "杨翠叶" in reporter[: reporter.index("</dd>")]
    assert "郑林" in reporter[: reporter.index("</dd>")]
    assert "没有改动：引题" in html
    # Without a choice: the newest against the one before.
    assert admin_client.get(url).content.decode().count("<dt>") == 3


@pytest.mark.parametrize("query", [{"a": "999999"}, {"b": "abc"}, {"a": ""}])
def test_compare_answers_404_for_versions_that_are_not_the_items(admin_client, bulletin, query):
    article = draft(admin_client)
    other = draft(admin_client, headline="另一篇")
    url = reverse("admin:news_article_compare", args=[article.pk])
    assert admin_client.get(url, query).status_code == 404
    foreign = versions.latest(other).pk
    assert admin_client.get(url, {"a": foreign}).status_code == 404
    bad = reverse("admin:news_article_compare", args=["nope"])
    assert admin_client.get(bad).status_code in (302, 404)  # the admin sends unknown ids home


def test_compare_is_for_editors_only(client, admin_client, bulletin):
    article = draft(admin_client)
    response = client.get(reverse("admin:news_article_compare", args=[article.pk]))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


# --- revert ---------------------------------------------------------------------------------


def test_reverting_a_draft_makes_a_new_version_and_keeps_history(admin_client, bulletin):
    article = draft(admin_client, body="第一稿。")
    admin_client.post(change_url(article), change_form(article, status="draft", body="第二稿。"))
    first = versions.history(article).last()
    article.refresh_from_db()
    url = reverse("admin:news_article_revert", args=[article.pk, first.pk])
    page = admin_client.get(url).content.decode()
    assert "还原到第 1 版" in page
    assert '第<del><span class="visually-hidden">［删除：</span>二' in page
    assert '<ins><span class="visually-hidden">［增加：</span>一' in page
    response = admin_client.post(url, {"opened_on": article.edit_version})
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.body == "第一稿。" and article.status == Article.Status.DRAFT
    assert [h[:2] for h in history(article)] == [
        (3, Edit.Action.REVERT),
        (2, Edit.Action.SAVE),
        (1, Edit.Action.CREATE),
    ]
    newest = versions.latest(article)
    assert newest.revision.comment == "还原到第 1 版" and newest.revision.edit.source == first
    assert versions.history(article)[1].field_dict["body"] == "第二稿。"  # nothing rewritten


def test_reverting_a_published_item_makes_a_working_version(admin_client, client, bulletin):
    article = Article.objects.get(pk=8)
    live_body = article.body
    data = change_form(
        article,
        headline=article.headline,
        reporter=article.reporter_id,
        street=article.street_id,
        community=article.community_id,
        body="误改的正文。",
        status="published",
    )
    admin_client.post(change_url(article), data)
    baseline = versions.history(article).last()
    article.refresh_from_db()
    response = admin_client.post(
        reverse("admin:news_article_revert", args=[article.pk, baseline.pk]),
        {"opened_on": article.edit_version},
    )
    assert response.status_code == 302
    newest = versions.latest(article)
    assert newest.revision.edit.working and newest.field_dict["body"] == live_body
    assert newest.field_dict["status"] == Article.Status.PUBLISHED  # state is not reverted
    assert Article.objects.get(pk=8).body == live_body  # the row was never touched


def test_a_revert_from_a_stale_page_is_refused(admin_client, bulletin):
    article = draft(admin_client, body="第一稿。")
    first = versions.latest(article)
    admin_client.post(change_url(article), change_form(article, status="draft", body="第二稿。"))
    url = reverse("admin:news_article_revert", args=[article.pk, first.pk])
    response = admin_client.post(url, {"opened_on": 1}, follow=True)
    assert "没有保存：你打开这篇稿件以后，admin" in response.content.decode()
    assert Article.objects.get(pk=article.pk).body == "第二稿。"
    assert len(history(article)) == 2


def test_a_version_whose_community_was_deleted_cannot_be_reverted(admin_client, bulletin):
    from news.models import Community

    spare = Community.objects.create(street_id=article_form()["street"], name="新社区", slug="xin")
    article = draft(admin_client, community=spare.pk)
    first = versions.latest(article)
    admin_client.post(change_url(article), change_form(article, status="draft"))
    spare.delete()
    article.refresh_from_db()
    with pytest.raises(publishing.Refused, match="第 1 版不能还原"):
        publishing.revert(article.pk, first, user=None, opened_on=article.edit_version)
    assert len(history(article)) == 2
