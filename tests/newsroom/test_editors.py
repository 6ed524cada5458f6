"""Editor accounts: the 编辑 group, `createeditor`, and what editors may and may not do."""

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from django.urls import reverse

from news.models import Article, Reporter, Street
from tests.images import phone_photo
from tests.review import approve

pytestmark = pytest.mark.django_db
PASSWORD = "Pingcheng-2022-editor"


@pytest.fixture
def editor(monkeypatch):
    monkeypatch.setenv("PINGCHENG_EDITOR_PASSWORD", PASSWORD)
    call_command("createeditor", "wangbian", stdout=open("/dev/null", "w"))
    return User.objects.get(username="wangbian")


@pytest.fixture
def editor_client(client, editor):
    assert client.login(username="wangbian", password=PASSWORD)
    return client


def test_editor_group_has_exactly_the_news_permissions():
    group = Group.objects.get(name="编辑")
    codenames = set(group.permissions.values_list("content_type__app_label", "codename"))
    expected = {
        ("news", f"{action}_{model}")
        for model in ("article", "street", "community", "reporter")
        for action in ("add", "change", "delete", "view")
    } | {("news", "publish_article")}
    assert codenames == expected


def test_createeditor_makes_a_staff_member_of_the_group_only(editor):
    assert editor.is_staff and not editor.is_superuser
    assert list(editor.groups.values_list("name", flat=True)) == ["编辑"]
    assert editor.check_password(PASSWORD)
    assert not editor.user_permissions.exists()


def test_createeditor_prompts_for_the_password(monkeypatch):
    monkeypatch.delenv("PINGCHENG_EDITOR_PASSWORD", raising=False)
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    call_command("createeditor", "libian", stdout=open("/dev/null", "w"))
    assert User.objects.get(username="libian").check_password(PASSWORD)


@pytest.mark.parametrize(
    "answers, message",
    [
        (["Pingcheng-2022-a", "Pingcheng-2022-b"], "两次输入的密码不一样"),
        (["123", "123"], "密码不符合要求"),
    ],
)
def test_createeditor_refuses_bad_passwords(monkeypatch, answers, message):
    monkeypatch.delenv("PINGCHENG_EDITOR_PASSWORD", raising=False)
    replies = iter(answers)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(replies))
    with pytest.raises(CommandError, match=message):
        call_command("createeditor", "libian")
    assert not User.objects.filter(username="libian").exists()


def test_createeditor_refuses_an_existing_username(editor):
    with pytest.raises(CommandError, match="已经存在"):
        call_command("createeditor", "wangbian")


def test_editor_can_draft_preview_and_publish_with_a_photo(editor_client, client, bulletin):
    data = {
        "headline": "编辑写的稿件",
        "dateline": "本报讯",
        "reporter": Reporter.objects.get(slug="zheng-lin").pk,
        "street": Street.objects.get(slug="luyuan").pk,
        "body": "近日，鹿苑街道开展活动。",
        "photo": phone_photo(),
        "photo_alt": "活动现场",
        "photo_credit": "郑林 摄",
        "status": "draft",
        "published_at_0": "2022-10-08",
        "published_at_1": "08:00:00",
    }
    assert editor_client.post(reverse("admin:news_article_add"), data).status_code == 302
    article = Article.objects.get(headline="编辑写的稿件")

    preview = editor_client.get(article.get_absolute_url())
    assert preview.status_code == 200 and "预览" in preview.content.decode()

    approve(article)  # 先审后发: the bulk 发布 takes only what passed review
    response = editor_client.post(
        reverse("admin:news_article_changelist"),
        {"action": "publish", "_selected_action": [article.pk]},
    )
    assert response.status_code == 302
    client.logout()
    public = client.get(article.get_absolute_url())
    assert public.status_code == 200 and "预览" not in public.content.decode()


@pytest.mark.parametrize("model", ["article", "street", "community", "reporter"])
def test_editor_opens_every_news_page_in_the_admin(editor_client, bulletin, model):
    assert editor_client.get(reverse(f"admin:news_{model}_changelist")).status_code == 200
    assert editor_client.get(reverse(f"admin:news_{model}_add")).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "admin:auth_user_changelist",
        "admin:auth_user_add",
        "admin:auth_group_changelist",
        "admin:auth_group_add",
    ],
)
def test_editor_cannot_manage_accounts(editor_client, url):
    assert editor_client.get(reverse(url)).status_code == 403


def test_editor_cannot_make_themselves_superuser(editor_client, editor):
    url = reverse("admin:auth_user_change", args=[editor.pk])
    assert editor_client.get(url).status_code == 403
    editor_client.post(url, {"username": "wangbian", "is_superuser": "on", "is_staff": "on"})
    editor.refresh_from_db()
    assert not editor.is_superuser


def test_anonymous_visitor_reaches_no_admin_page(client, bulletin):
    for url in (
        reverse("admin:index"),
        reverse("admin:news_article_changelist"),
        reverse("admin:news_article_add"),
        reverse("admin:news_article_change", args=[1]),
        reverse("admin:auth_user_changelist"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    response = client.post(
        reverse("admin:news_article_changelist"), {"action": "unpublish", "_selected_action": [1]}
    )
    assert response.status_code == 302
    assert Article.objects.get(pk=1).status == Article.Status.PUBLISHED


def test_staff_without_news_permissions_cannot_preview(client, make_article):
    User.objects.create_user("visitor", password=PASSWORD, is_staff=True)
    draft = make_article(status=Article.Status.DRAFT)
    client.login(username="visitor", password=PASSWORD)
    assert client.get(draft.get_absolute_url()).status_code == 404
