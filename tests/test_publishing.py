"""Drafts, scheduling, preview, bulk actions, history and copy checks (更正 notes:
tests/test_corrections.py; 下线时间: tests/test_takedown.py)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from news.models import Article, Reporter
from tests.review import approve

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(make_article):
    return make_article(headline="草稿一篇", status=Article.Status.DRAFT)


@pytest.fixture
def scheduled(make_article):
    return make_article(
        headline="明早八点见", published_at=timezone.now() + timezone.timedelta(hours=10)
    )


def test_public_never_sees_drafts_or_scheduled_items(client, draft, scheduled):
    for article in (draft, scheduled):
        assert client.get(article.get_absolute_url()).status_code == 404
    for url in ("/", "/reporters/ce-shi/"):
        html = client.get(url).content.decode()
        assert "草稿一篇" not in html and "明早八点见" not in html


def test_editor_preview_has_banner_noindex_and_no_cache(admin_client, draft, scheduled):
    response = admin_client.get(draft.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "预览" in html and "还是草稿" in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    scheduled_html = admin_client.get(scheduled.get_absolute_url()).content.decode()
    assert "定于" in scheduled_html and "发布" in scheduled_html


def test_editor_sees_published_items_without_preview_banner(admin_client, make_article):
    article = make_article()
    response = admin_client.get(article.get_absolute_url())
    assert "preview-banner" not in response.content.decode()
    assert "noindex" not in response.content.decode()


def test_publish_action_publishes_drafts_now_and_keeps_schedules(admin_client, draft, make_article):
    later = make_article(
        headline="定时草稿",
        status=Article.Status.DRAFT,
        published_at=timezone.now() + timezone.timedelta(days=1),
    )
    old = make_article(headline="旧稿", published_at=timezone.now() - timezone.timedelta(days=30))
    old_time = old.published_at
    approve(draft)  # 先审后发: the bulk action publishes what passed review
    approve(later)
    before = timezone.now().replace(microsecond=0)  # published times are whole seconds
    admin_client.post(
        reverse("admin:news_article_changelist"),
        {"action": "publish", "_selected_action": [draft.pk, later.pk, old.pk]},
    )
    draft.refresh_from_db(), later.refresh_from_db(), old.refresh_from_db()
    assert draft.status == later.status == Article.Status.PUBLISHED
    assert draft.published_at >= before  # a draft goes out now, on top of the front page
    assert later.published_at > timezone.now()  # a scheduled one waits for its time
    assert old.published_at == old_time  # already published: untouched
    assert list(Article.objects.published()) == [draft, old]


def test_unpublish_action_takes_items_off_the_site(admin_client, client, make_article):
    article = make_article(headline="要撤回的稿件")
    admin_client.post(
        reverse("admin:news_article_changelist"),
        {"action": "unpublish", "_selected_action": [article.pk]},
    )
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert client.get(article.get_absolute_url()).status_code == 404


def test_history_shows_who_changed_what(admin_client, bulletin):
    url = reverse("admin:news_article_change", args=[2])
    page = admin_client.get(url).content.decode()
    data = {
        "headline": "文艺演出迎国庆",
        "dateline": "本报讯",
        "reporter": Article.objects.get(pk=2).reporter_id,
        "street": Article.objects.get(pk=2).street_id,
        "community": Article.objects.get(pk=2).community_id,
        "body": Article.objects.get(pk=2).body,
        "status": "published",
        "published_at_0": "2022-09-30",
        "published_at_1": "08:00:00",
        "subtitle": "演出现场",
        "opened_on": 0,
        "comment": "补上副题",
    }
    assert 'id="versions"' not in page  # nothing recorded yet
    assert admin_client.post(url, data).status_code == 302
    admin_client.post(
        reverse("admin:news_article_changelist"), {"action": "unpublish", "_selected_action": [2]}
    )
    page = admin_client.get(url).content.decode()
    rows = page[page.index('id="versions"') :]
    assert rows.index("第 2 版") < rows.index("第 1 版") < rows.index("第 0 版")  # newest first
    assert "撤回" in rows and "批量操作：撤回为草稿" in rows
    assert "保存（工作稿）" in rows and "补上副题" in rows and "admin" in rows
    assert "原有内容" in rows
    history = admin_client.get(reverse("admin:news_article_history", args=[2])).content.decode()
    assert "已修改副题" in history and "批量操作：撤回为草稿" in history


def test_copy_checks_warn_but_do_not_block(admin_client, bulletin):
    data = {
        "headline": "这是一个非常非常长的主题,超过了三十个字的限制所以手机上会折成好几行显示",
        "dateline": "本报讯",
        "reporter": Reporter.objects.get(slug="zheng-lin").pk,
        "body": "近日,社区开展活动(很热闹)。",
        "status": "draft",
        "published_at_0": "2022-10-08",
        "published_at_1": "09:00:00",
    }
    response = admin_client.post(reverse("admin:news_article_add"), data, follow=True)
    html = response.content.decode()
    assert Article.objects.filter(body="近日,社区开展活动(很热闹)。").exists()
    assert "“主题”里有半角标点（日,）" not in html  # the mark is shown with its neighbour
    assert "“主题”里有半角标点" in html and "“正文”里有半角标点" in html
    assert "超过 30 个字" in html


def test_copy_checks_unit():
    from newsroom.copycheck import copy_warnings

    article = Article(
        headline="清理枯树 保障出行", body="小区枯树存在坠落风险，社区集中清理。3.5米高的树。"
    )
    assert copy_warnings(article) == []
    article.body = "社区集中清理;保障安全!"
    assert len(copy_warnings(article)) == 1
    article = Article(
        headline="清理枯树",
        body="正文。",
        photo="photos/x.jpg",
        photo_width=1,
        photo_height=1,
        photo_alt="枯树",
    )
    warnings = copy_warnings(article)
    assert any("没有署名" in w for w in warnings)
    article.photo_credit = "郑林"
    assert any("张三 摄" in w for w in copy_warnings(article))
    article.photo_credit = "郑林 摄"
    assert not any("署名" in w for w in copy_warnings(article))
