"""The editors' admin, as a logged-in superuser."""

import pytest
from django.urls import reverse

from news.models import Article, Community, Reporter, Street
from tests.admin_forms import article_form, form_of
from tests.images import phone_photo
from tests.review import approve

pytestmark = pytest.mark.django_db

MODELS = ["article", "street", "community", "reporter"]


@pytest.mark.parametrize("model", MODELS)
def test_changelist_and_add_form_open(admin_client, bulletin, model):
    changelist = admin_client.get(reverse(f"admin:news_{model}_changelist"))
    assert changelist.status_code == 200
    assert admin_client.get(reverse(f"admin:news_{model}_add")).status_code == 200


def test_admin_speaks_chinese(admin_client, bulletin):
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert "平城社区新闻 · 编辑后台" in html
    assert "稿件" in html and "街道" in html and "社区" in html and "记者" in html
    assert 'lang="zh-hans"' in html


def test_article_changelist_columns_filters_and_search(admin_client, bulletin):
    response = admin_client.get(reverse("admin:news_article_changelist"), {"q": "漏水"})
    html = response.content.decode()
    assert "清理枯树 保障出行" in html
    assert "污水外溢 快速处理" not in html
    for column in ("主题", "街道", "社区", "记者", "状态", "发布时间"):
        assert column in html


def test_article_changelist_query_count_does_not_grow_per_row(
    admin_client, bulletin, django_assert_max_num_queries
):
    # Session, user, count, total count, rows (joined), date hierarchy, filter choices …
    with django_assert_max_num_queries(12):
        assert admin_client.get(reverse("admin:news_article_changelist")).status_code == 200


def test_communities_are_grouped_by_street_without_javascript(admin_client, bulletin):
    html = admin_client.get(reverse("admin:news_article_add")).content.decode()
    select = html[html.index('<select name="community"') :]
    select = select[: select.index("</select>")]
    yingbin = select[select.index('<optgroup label="迎宾街道">') :]
    yingbin = yingbin[: yingbin.index("</optgroup>")]
    assert "永安里社区" in yingbin and "北馨园社区" in yingbin and "兴国寺社区" not in yingbin
    with_communities = Street.objects.filter(communities__isnull=False).distinct()
    assert select.count("<optgroup") == with_communities.count() == 5


def test_editor_adds_a_ninth_item_with_a_photo_and_sees_it_on_the_site(
    admin_client, client, bulletin
):
    data = article_form(photo=phone_photo(size=(640, 480)), status="draft")
    response = admin_client.post(reverse("admin:news_article_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(headline="第九篇稿件")
    assert article.photo and article.photo_width == 640 and article.photo_height == 480
    approve(article)  # 先审后发; then 发布 sets it to 已发布 in the form
    response = admin_client.post(
        reverse("admin:news_article_change", args=[article.pk]),
        form_of(article, status="published"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article.refresh_from_db()

    page = client.get(article.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200
    assert "近日，永安里社区开展活动。" in html
    assert f'src="{article.photo_srcsets()["src"]}"' in html
    assert 'alt="居民在社区广场上"' in html and "杨翠叶 摄" in html
    assert "第九篇稿件" in client.get("/").content.decode()
    assert "第九篇稿件" in client.get("/streets/yingbin/yonganli/").content.decode()

    photo = client.get(article.photo.url)
    assert photo.status_code == 200
    assert photo["Content-Type"] == "image/jpeg"


def test_admin_refuses_a_community_from_another_street(admin_client, bulletin):
    data = article_form(street=Street.objects.get(slug="yongtai").pk)
    response = admin_client.post(reverse("admin:news_article_add"), data)
    assert response.status_code == 200
    assert "所选社区不属于所选街道" in response.content.decode()
    assert not Article.objects.filter(headline="第九篇稿件").exists()


def test_street_admin_edits_communities_inline(admin_client, bulletin):
    street = Street.objects.get(slug="yingbin")
    html = admin_client.get(reverse("admin:news_street_change", args=[street.pk])).content.decode()
    assert "北馨园社区" in html and "永安里社区" in html


def test_anonymous_visitor_is_sent_to_login(client, bulletin):
    for url in (reverse("admin:index"), reverse("admin:news_article_changelist")):
        response = client.get(url)
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


# --- text the site cannot carry: control characters and bidi overrides -----------------------


def street_form(**overrides):
    """The 街道 add form with one 社区 row of its inline."""
    data = {
        "name": "新街道",
        "slug": "xin",
        "position": "9",
        "communities-TOTAL_FORMS": "1",
        "communities-INITIAL_FORMS": "0",
        "communities-MIN_NUM_FORMS": "0",
        "communities-MAX_NUM_FORMS": "1000",
        "communities-0-name": "新社区",
        "communities-0-slug": "xin-shequ",
    }
    return {**data, **overrides}


def community_form(**overrides):
    return {
        "street": Street.objects.get(slug="yingbin").pk,
        "name": "新社区",
        "slug": "xin",
        **overrides,
    }


def reporter_form(**overrides):
    return {"name": "王编", "slug": "wang-bian", "bio": "社区记者。", **overrides}


CONTROL_CASES = {
    "article headline NUL": ("article", lambda: article_form(headline="第九篇\x00稿件"), "U+0000"),
    "article kicker C1": ("article", lambda: article_form(kicker="喜迎\x85国庆"), "U+0085"),
    "article body RLO": ("article", lambda: article_form(body="第一段。\u202e段二第"), "U+202E"),
    "article alt text escape": ("article", lambda: article_form(photo_alt="广场\x1b"), "U+001B"),
    "article credit DEL": ("article", lambda: article_form(photo_credit="杨翠叶\x7f 摄"), "U+007F"),
    "street name NUL": ("street", lambda: street_form(name="新\x00街道"), "U+0000"),
    "community inline isolate": (
        "street",
        lambda: street_form(**{"communities-0-name": "新社区\u2067"}),
        "U+2067",
    ),
    "community name bell": ("community", lambda: community_form(name="新\x07社区"), "U+0007"),
    "reporter name NUL": ("reporter", lambda: reporter_form(name="王\x00编"), "U+0000"),
    "reporter bio LRE": ("reporter", lambda: reporter_form(bio="\u202a社区记者。"), "U+202A"),
}


@pytest.mark.parametrize("model, form, code", CONTROL_CASES.values(), ids=CONTROL_CASES.keys())
def test_admin_refuses_control_characters_naming_them(admin_client, bulletin, model, form, code):
    counts = {m: m.objects.count() for m in (Article, Street, Community, Reporter)}
    response = admin_client.post(reverse(f"admin:news_{model}_add"), form())
    assert response.status_code == 200
    html = response.content.decode()
    assert f"不能包含控制字符（{code}）。" in html
    assert "不允许是用空字符串" not in html  # Django's own NUL message (a wrong translation)
    assert {m: m.objects.count() for m in counts} == counts


def test_admin_keeps_tabs_line_breaks_and_bidi_marks(admin_client, bulletin):
    """A textarea sends CR LF; tab and the marks U+200E/U+200F are text too."""
    data = article_form(
        headline="第九篇\u200f稿件", body="第一段，\t有制表符。\r\n\r\n第二段。", status="draft"
    )
    assert admin_client.post(reverse("admin:news_article_add"), data).status_code == 302
    article = Article.objects.get(headline="第九篇\u200f稿件")
    assert article.paragraphs == ["第一段， 有制表符。", "第二段。"]


def test_a_slug_with_nul_gets_the_slug_rule_alone(admin_client, bulletin):
    response = admin_client.post(reverse("admin:news_reporter_add"), reporter_form(slug="wang\x00"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "输入由字母，数字，下划线或连字符号组成的有效" in html  # Django's slug rule
    assert "不允许是用空字符串" not in html
    assert not Reporter.objects.filter(name="王编").exists()
