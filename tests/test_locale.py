"""The project's own zh_Hans strings (locale/): the admin pages editors use show them instead of
Django's English or half-width ones, and the committed .mo files say what the .po files say."""

import json
import re
from pathlib import Path

import django
import polib
import pytest
from django.conf import settings
from django.urls import reverse

from news.models import Article, Street
from tests.admin_forms import article_form, form_of

pytestmark = pytest.mark.django_db

LOCALE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"
DJANGO_EN = Path(django.__file__).parent


def page(response):
    assert response.status_code == 200
    return response.content.decode()


def title(html):
    return re.search(r"<title>(.*?)</title>", html, re.S)[1].strip()


def text(html):
    """The page's words as a reader sees them: tags dropped, runs of white space made one."""
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def test_a_form_with_errors_says_so_in_chinese_in_the_tab_title(admin_client, bulletin):
    html = page(admin_client.post(reverse("admin:news_article_add"), {"headline": "缺正文"}))
    assert title(html) == "错误： 增加稿件 | 平城社区新闻编辑后台"
    assert "Error:" not in html
    assert "主题：" in html and "主题:" not in html  # every label ends in a full-width colon


def test_a_headline_too_long_gets_a_plain_chinese_error(admin_client, bulletin):
    form = article_form(headline="长" * 101)
    html = page(admin_client.post(reverse("admin:news_article_add"), form))
    assert "最多 100 个字，现在有 101 个。" in html
    assert "确保该变量" not in html


def test_index_table_headers_for_screen_readers_are_chinese(admin_client, bulletin):
    html = page(admin_client.get(reverse("admin:index")))
    for header in ("类别", "增加链接", "修改或查看列表链接"):
        assert f'<th scope="col">{header}</th>' in html
    for english in ("Model name", "Add link", "Change or view list link"):
        assert english not in html
    assert 'title="社区新闻里的各类内容"' in html


def test_list_titles_filters_and_actions(admin_client, bulletin):
    html = page(admin_client.get(reverse("admin:news_article_changelist")))
    assert title(html) == "选择要修改的稿件 | 平城社区新闻编辑后台"
    assert "<summary> 按状态 </summary>" in " ".join(html.split()) and "以 状态" not in html
    assert "删除所选稿件" in html and 'title="执行所选操作"' in html
    assert 'placeholder="输入文字筛选……"' in html and "开始输入以筛选..." not in html
    assert 'aria-label="当前位置"' in html


def test_the_related_widgets_delete_link_is_not_called_deselect(admin_client, bulletin):
    html = page(admin_client.get(reverse("admin:news_article_add")))
    assert 'title="删除所选记者"' in html and "取消选中" not in html
    assert 'title="再增加一个记者"' in html and "增加另一个 记者" not in html
    assert title(html) == "增加稿件 | 平城社区新闻编辑后台"


@pytest.mark.parametrize(
    "button, message",
    [
        ("_continue", "已修改稿件“文艺演出迎国庆”。您可以在下面继续编辑。"),
        ("_save", "已修改稿件“文艺演出迎国庆”。"),
        ("_addanother", "已修改稿件“文艺演出迎国庆”。您可以在下面再增加一个稿件。"),
    ],
)
def test_messages_after_saving(admin_client, bulletin, button, message):
    article = Article.objects.get(pk=2)
    form = form_of(article, **{button: "1"})
    url = reverse("admin:news_article_change", args=[article.pk])
    words = text(page(admin_client.post(url, form, follow=True)))
    assert message in words
    assert "编辑它." not in words and "成功修改了 稿件" not in words


def test_message_after_adding_and_continuing(admin_client, bulletin):
    form = article_form(headline="第九篇稿件", _continue="1")
    words = text(page(admin_client.post(reverse("admin:news_article_add"), form, follow=True)))
    assert "已增加稿件“第九篇稿件”。 您可以在下面继续编辑。" in words
    assert "再次编辑它." not in words


def test_delete_pages(admin_client, bulletin):
    article = Article.objects.get(pk=2)
    html = page(admin_client.get(reverse("admin:news_article_delete", args=[2])))
    assert f"确定要删除稿件“{article.headline}”吗？下列相关的项目也会一并删除：" in html
    street = Street.objects.get(slug="yingbin")
    html = page(admin_client.get(reverse("admin:news_street_delete", args=[street.pk])))
    assert "不能删除街道“迎宾街道”：要先删除下列受保护的相关对象：" in html
    assert "', 将要求删除" not in html


def test_a_wrong_password_is_told_in_proper_chinese(client, db):
    html = page(client.post(reverse("admin:login"), {"username": "nobody", "password": "x"}))
    assert "请输入正确的工作人员账号用户名和密码。注意两者都区分大小写。" in html
    assert title(html) == "错误： 登录 | 平城社区新闻编辑后台"


def test_the_admin_javascript_catalogue_carries_the_overrides(admin_client):
    script = page(admin_client.get(reverse("admin:jsi18n")))
    catalog = json.loads(re.search(r"const newcatalog = (\{.*?\});\n", script, re.S)[1])
    weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    initials = [
        catalog[f"one letter {day}\x04{day[0]}"] for day in weekdays
    ]  # the calendar beside 发布时间
    assert initials == ["日", "一", "二", "三", "四", "五", "六"]
    unsaved = catalog[
        "You have unsaved changes on individual editable fields. If you run an action, "
        "your unsaved changes will be lost."
    ]
    assert unsaved == "您还有没保存的修改。如果现在执行操作，这些修改会丢失。"


PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|%[sd]|\{\w*\}")


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_committed_mo_matches_po_and_keeps_every_placeholder(domain):
    """The .mo files are committed (make run and CI need no gettext): they must say what the
    .po says. Every override must name a real Django string and keep its placeholders, or a
    page would show English or fail."""
    po = polib.pofile(LOCALE / f"{domain}.po")
    mo = polib.mofile(LOCALE / f"{domain}.mo")

    def translations(catalog):
        return {
            (e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0, "") for e in catalog if e.msgid
        }

    assert translations(mo) == translations(po)
    assert po.percent_translated() == 100 and not po.fuzzy_entries()
    django_ids = set()
    for path in DJANGO_EN.glob(f"**/locale/en/LC_MESSAGES/{domain}.po"):
        django_ids |= {(e.msgctxt, e.msgid) for e in polib.pofile(path)}
    for (context, msgid), msgstr in translations(po).items():
        assert (context, msgid) in django_ids, f"not a Django {domain} string: {msgid!r}"
        assert sorted(PLACEHOLDER.findall(msgstr)) == sorted(PLACEHOLDER.findall(msgid)), msgid
