"""The weekly notice-board digest of a street: /streets/<street>/digest/?week=2022-W39."""

import datetime
import re
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from news import qr
from news.digest import MAX_ITEMS, SUMMARY_LENGTH, Week
from news.models import Article, Community, Street
from news.text import opening_sentence

SHANGHAI = ZoneInfo("Asia/Shanghai")
DIGEST = "/streets/yingbin/digest/"
# The bulletin's items went out on 2022-09-30, the Friday of ISO week 39 (26 Sep – 2 Oct).
BULLETIN_WEEK = "2022-W39"
SUMMARIES = {
    "清理枯树 保障出行": "小区枯树存在坠落风险，社区集中清理保障居民安全出行；"
    "居民家中漏水影响生活，社区及时协调帮助维修。",
    "污水外溢 快速处理": "网格员巡查发现污水井外溢，社区随即联系专业人员维修，"
    "迎宾街道永安里社区的高效服务赢得居民点赞。",
}


def local(*args):
    return datetime.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def sunday_evening(monkeypatch):
    """Freeze "now" at 20:00 on the last day of the bulletin week, so that the week holds the
    past (published items), and the future (a scheduled item at 22:00)."""
    now = local(2022, 10, 2, 20, 0)
    monkeypatch.setattr(timezone, "now", lambda: now)
    return now


def yingbin_article(make_article, **fields):
    fields.setdefault("street", Street.objects.get(slug="yingbin"))
    fields.setdefault("community", Community.objects.get(slug="beixinyuan"))
    return make_article(**fields)


def digest(client, week=BULLETIN_WEEK, street="yingbin"):
    return client.get(reverse("news:street_digest", kwargs={"street": street}), {"week": week})


def test_url_shape():
    assert reverse("news:street_digest", kwargs={"street": "yingbin"}) == DIGEST


def test_bulletin_week_shows_headlines_summaries_and_qr_codes(client, bulletin):
    response = digest(client)
    assert response.status_code == 200
    html = response.content.decode()
    # Chinese, and on screen in the reader's 字号 and 长者模式 like every page.
    assert '<html lang="zh-Hans" class="size-medium contrast-normal">' in html
    assert html.count("<h1") == 1
    assert "<h1>平城社区新闻 · 迎宾街道 · 2022年第39周</h1>" in html
    assert '>2022年9月26日</time>—<time datetime="2022-10-02">10月2日</time>' in html
    assert "/static/css/digest.css" in html
    assert "<script" not in html
    assert html.count("<h2>") == 2
    for headline, summary in SUMMARIES.items():
        article = Article.objects.get(headline=headline)
        url = f"https://news.example.cn{article.get_absolute_url()}"  # the site's, not the Host
        assert f'<a href="{url}">{headline}</a>' in html
        assert f'<p class="summary">{summary}</p>' in html
        assert f"<figcaption>{url}</figcaption>" in html  # the URL, for readers without a scanner
        # The code stored when it was published, for the absolute URL (segno is deterministic:
        # same input, same code).
        assert article.qr_code.url == url
        assert f'<img src="{qr.make(url).data_uri}" alt="扫码阅读：{headline}"' in html
    assert html.count('src="data:image/svg+xml') == 2
    assert "北馨园社区" in html and "永安里社区" in html
    assert html.count("2022年9月30日") == 2
    # Newest first like the site; the two went out together, so in the bulletin's page order.
    assert html.index("清理枯树") < html.index("污水外溢")
    assert 'href="/streets/yingbin/">返回街道页面</a>' in html
    assert "没有稿件" not in html and "本周还有" not in html


def test_qr_code_is_an_svg_data_uri(client, bulletin):
    html = digest(client).content.decode()
    uris = re.findall(r'<img src="(data:[^"]+)"', html)
    assert len(uris) == 2
    for uri in uris:
        header, _, data = uri.partition(",")
        assert header.startswith("data:image/svg+xml")
        svg = unquote(data)
        assert svg.startswith("<svg") and svg.endswith("</svg>")
        assert "viewBox" in svg and "#000" in svg


def test_other_streets_items_are_absent(client, bulletin):
    html = digest(client).content.decode()
    for article in Article.objects.exclude(street__slug="yingbin"):
        assert article.headline not in html
        assert f"/news/{article.pk}/" not in html


def test_only_published_and_due_items_of_the_local_week(
    client, bulletin, make_article, sunday_evening, monkeypatch
):
    yingbin_article(make_article, headline="周一凌晨的稿件", published_at=local(2022, 9, 26, 1))
    yingbin_article(
        make_article, headline="上周日深夜的稿件", published_at=local(2022, 9, 25, 23, 59)
    )
    # Monday 07:00 in Shanghai is still Sunday in UTC: the week is the residents' week.
    yingbin_article(make_article, headline="下周一早上的稿件", published_at=local(2022, 10, 3, 7))
    yingbin_article(
        make_article,
        headline="还是草稿的稿件",
        status=Article.Status.DRAFT,
        published_at=local(2022, 9, 28, 9),
    )
    yingbin_article(make_article, headline="定时发布的稿件", published_at=local(2022, 10, 2, 22))

    html = digest(client).content.decode()
    assert "周一凌晨的稿件" in html
    assert html.count("<h2>") == 3
    for absent in ("上周日深夜的稿件", "下周一早上的稿件", "还是草稿的稿件", "定时发布的稿件"):
        assert absent not in html

    # The scheduled item appears by itself once its time has come.
    monkeypatch.setattr(timezone, "now", lambda: local(2022, 10, 2, 22, 30))
    assert "定时发布的稿件" in digest(client).content.decode()


def test_week_without_items_says_so(client, bulletin):
    response = digest(client, "2022-W38")
    assert response.status_code == 200
    html = response.content.decode()
    assert "这一周本街道没有稿件。" in html
    assert "<img" not in html
    assert '<meta name="robots" content="noindex">' in html
    assert "2022年第38周" in html and "2022年9月19日</time>—" in html
    # Onward to the week with the street's items; nothing earlier exists, so no way back.
    assert 'href="?week=2022-W39">下一周（2022年第39周）</a>' in html
    assert "上一周" not in html


def test_previous_and_next_links_stay_within_the_streets_items(client, bulletin, make_article):
    yingbin_article(make_article, headline="更早的稿件", published_at=local(2022, 9, 1, 9))
    html = digest(client).content.decode()
    assert 'href="?week=2022-W38">上一周（2022年第38周）</a>' in html
    assert "下一周" not in html  # nothing after this week
    html = digest(client, "2022-W35").content.decode()
    assert "上一周" not in html and "下一周" in html


def test_week_across_new_year(client, bulletin):
    html = digest(client, "2020-W53").content.decode()
    assert "2020年第53周" in html
    assert '>2020年12月28日</time>—<time datetime="2021-01-03">2021年1月3日</time>' in html


@pytest.mark.parametrize(
    "week",
    [
        "2022-W00",
        "2022-W54",
        "2021-W53",  # 2021 has 52 ISO weeks
        "0000-W01",
        "1899-W52",
        "3000-W01",
        "9999-W52",
        "9999999-W01",
        "abc",
        "",
        " ",
        "2022-39",
        "2022W39",
        "2022-w39",
        "2022-W3",
        "2022-W039",
        "2022-W39-1",
        "+2022-W39",
        "2022-W39 ",
        "2022-W39\n",
        "２０２２-W39",  # full-width digits
        "2022-W٣٩",  # Arabic-Indic digits
        "2022-W39\x00",
        "\x00",
        "2022-W-1",
        "' OR 1=1 --",
        "<script>alert(1)</script>",
        "9" * 10_000,
    ],
)
def test_bad_week_is_404(client, bulletin, django_assert_num_queries, week):
    with django_assert_num_queries(0):  # refused before the database is asked
        response = digest(client, week)
    assert response.status_code == 404


def test_missing_week_redirects_to_the_newest_items_week(client, bulletin):
    response = client.get(DIGEST)
    assert response.status_code == 302
    assert response["Location"] == f"{DIGEST}?week=2022-W39"


def test_missing_week_uses_the_local_date_of_the_newest_item(client, bulletin, make_article):
    # 2022-10-03 07:00 in Shanghai (Monday, week 40) is 2022-10-02 23:00 UTC (Sunday, week 39).
    yingbin_article(make_article, published_at=local(2022, 10, 3, 7))
    assert client.get(DIGEST)["Location"] == f"{DIGEST}?week=2022-W40"


def test_missing_week_of_a_street_without_items_redirects_to_this_week(
    client, bulletin, make_article, sunday_evening
):
    Street.objects.create(name="测试街道", slug="ceshi")
    make_article(
        street=Street.objects.get(slug="ceshi"),
        status=Article.Status.DRAFT,
        published_at=local(2021, 3, 3),
    )  # a draft is not the street's newest item
    response = client.get("/streets/ceshi/digest/")
    assert response["Location"] == "/streets/ceshi/digest/?week=2022-W39"


@pytest.mark.parametrize("query", ["", "?week=2022-W39", "?week=abc"])
def test_unknown_street_is_404(client, bulletin, query):
    assert client.get(f"/streets/nowhere/digest/{query}").status_code == 404


def test_a_full_week_shows_the_newest_twelve_and_how_many_more(client, bulletin, make_article):
    for day in range(7):  # 14 more items, two a day, 26 Sep – 2 Oct
        for hour in (9, 15):
            yingbin_article(
                make_article,
                headline=f"9月{26 + day}日{hour}点" if day < 5 else f"10月{day - 4}日{hour}点",
                published_at=local(2022, 9, 26, hour) + datetime.timedelta(days=day),
            )
    html = digest(client).content.decode()
    assert html.count("<h2>") == MAX_ITEMS == 12
    # Newest first: 2 Oct … 30 Sep 09:00, the bulletin's two (30 Sep 08:00), 29 and 28 Sep.
    shown = re.findall(r'<h2><a href="[^"]+">([^<]+)</a></h2>', html)
    assert shown == [
        "10月2日15点", "10月2日9点", "10月1日15点", "10月1日9点", "9月30日15点", "9月30日9点",
        "清理枯树 保障出行", "污水外溢 快速处理",
        "9月29日15点", "9月29日9点", "9月28日15点", "9月28日9点",
    ]  # fmt: skip
    assert (
        '本周还有 4 篇稿件，请到网站阅读：<a href="https://news.example.cn/streets/yingbin/">'
        "https://news.example.cn/streets/yingbin/</a>" in html
    )


def test_query_count_is_small_and_constant(
    client, bulletin, make_article, django_assert_num_queries
):
    with django_assert_num_queries(2):  # the street (newest/oldest as subqueries), the items
        assert digest(client).status_code == 200
    for i in range(20):
        yingbin_article(make_article, published_at=local(2022, 9, 27, 8, i))
    with django_assert_num_queries(2):
        assert "本周还有 10 篇稿件" in digest(client).content.decode()
    with django_assert_num_queries(2):
        assert digest(client, "2022-W38").status_code == 200
    with django_assert_num_queries(1):
        assert client.get(DIGEST).status_code == 302


@pytest.mark.parametrize(
    "body, summary",
    [
        ("第一句。第二句。", "第一句。"),
        ("他说：“好！”然后走了。", "他说：“好！”"),
        ("真的吗？！是的。", "真的吗？！"),
        ("没有句号的一段\n\n第二段。", "没有句号的一段"),
        ("\n\n  开头有空行，\r\n换行也算空格。", "开头有空行， 换行也算空格。"),
        ("甲" * 60 + "。", "甲" * 60 + "……"),
        ("甲" * 59 + "。", "甲" * 59 + "。"),
        ("甲" * 58 + "，乙" + "丙" * 10 + "。", "甲" * 58 + "，乙……"),
        ("甲" * 59 + "，乙乙。", "甲" * 59 + "……"),  # no dangling comma before ……
        ("", ""),
    ],
)
def test_one_line_summary(body, summary):
    assert opening_sentence(body, SUMMARY_LENGTH) == summary


def test_week_bounds_are_local_midnights():
    week = Week.parse("2022-W39")
    assert str(week) == "2022-W39"
    assert week.start == local(2022, 9, 26)
    assert week.end == local(2022, 10, 3)
    assert (week.monday, week.sunday) == (datetime.date(2022, 9, 26), datetime.date(2022, 10, 2))
    assert str(week.previous()) == "2022-W38" and str(week.next()) == "2022-W40"
    assert str(Week.parse("2020-W53").next()) == "2021-W01"
    assert Week.parse("1900-W01").previous() is None
    assert Week.parse("2999-W52").next() is None
