"""The reader pages: what a resident sees, and the status of every kind of request."""

import pytest
from django.urls import reverse
from django.utils import timezone

from news.models import Article, Community, Street

pytestmark = pytest.mark.django_db


def test_front_page_shows_lead_latest_and_streets(client, bulletin):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-Hans"' in html
    assert html.count("<h1") == 1
    lead = Article.objects.get(is_lead=True)
    assert lead.kicker in html and lead.headline in html
    assert "高敏与儿童交流" in html  # caption kept although the photo file is missing
    assert lead.paragraphs[0] in html  # opening paragraph
    for article in Article.objects.exclude(pk=lead.pk):
        assert article.get_absolute_url() in html
    for street in Street.objects.all():
        assert street.get_absolute_url() in html
    assert "2022年9月30日" in html
    assert reverse("news:streets") in html


def test_front_page_lead_comes_first(client, bulletin):
    html = client.get("/").content.decode()
    assert html.index("打造特色服务") < html.index("文艺演出迎国庆") < html.index("污水外溢")


def test_front_page_without_any_article(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert "还没有稿件" in response.content.decode()


def test_article_page_shows_the_whole_item(client, bulletin):
    article = Article.objects.get(headline="清理枯树 保障出行")
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert f"<h1>{article.headline}</h1>" in html
    for paragraph in article.paragraphs:
        assert paragraph in html
    assert "本报讯（记者 郑林）" in html
    assert "发布时间：" in html and "2022年9月30日" in html
    # Breadcrumb 首页 › 街道 › 社区, and links to street, community and reporter.
    assert 'aria-label="当前位置"' in html
    assert "/streets/yingbin/" in html
    assert "/streets/yingbin/beixinyuan/" in html
    assert "/reporters/zheng-lin/" in html


def test_lead_article_keeps_the_missing_photos_caption_without_an_empty_box(client, bulletin):
    for url in ("/news/1/", "/"):
        html = client.get(url).content.decode()
        assert '<p class="kicker">平城区社工总站开展培训建立督导体系</p>' in html
        assert "<figcaption>高敏与儿童交流</figcaption>" in html
        assert '<p class="photo-missing-note">（原版面配图未收录）</p>' in html
        assert "photo-placeholder" not in html  # the large empty grey box is gone


@pytest.mark.parametrize(
    "url",
    ["/", "/news/1/", "/streets/yingbin/", "/streets/yingbin/yonganli/", "/reporters/zheng-lin/"],
)
def test_link_rows_are_lists_and_no_template_comment_shows(client, bulletin, url):
    html = client.get(url).content.decode()
    footer = html[html.index('<footer class="site-footer">') :]
    assert '<nav aria-label="网站链接">' in footer and '<ul class="link-row">' in footer
    assert footer.count("<li><a href=") == 4 and "</a> · <a" not in footer
    assert "{#" not in html and "#}" not in html
    if url.startswith("/streets/") or url.startswith("/reporters/"):
        row = html[html.index('<section class="subscribe"') :]
        assert '<ul class="link-row">' in row and "</a> · <a" not in row


def test_article_previous_and_next_follow_the_listing_order(client, bulletin):
    html = client.get("/news/2/").content.decode()
    assert 'href="/news/1/" rel="prev"' in html  # 上一篇: the lead, listed before it
    assert 'href="/news/3/" rel="next"' in html
    first = client.get("/news/1/").content.decode()
    assert 'rel="prev"' not in first
    last = client.get("/news/8/").content.decode()
    assert 'rel="next"' not in last


def test_body_is_escaped_never_rendered_as_html(client, make_article):
    article = make_article(body="<script>alert(1)</script>第一段。", headline="<b>标题</b>")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>标题</b>" not in html


def test_drafts_and_scheduled_items_are_not_public(client, make_article):
    draft = make_article(headline="草稿稿件", status=Article.Status.DRAFT)
    scheduled = make_article(
        headline="定时稿件", published_at=timezone.now() + timezone.timedelta(days=1)
    )
    for article in (draft, scheduled):
        assert client.get(article.get_absolute_url()).status_code == 404
    html = client.get("/").content.decode()
    assert "草稿稿件" not in html and "定时稿件" not in html


def test_street_page_lists_its_items_and_communities(client, bulletin):
    response = client.get("/streets/yingbin/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>迎宾街道</h1>" in html
    assert "北馨园社区" in html and "永安里社区" in html
    assert "清理枯树 保障出行" in html and "污水外溢 快速处理" in html
    assert "文艺演出迎国庆" not in html
    assert "共 2 篇" in html


def test_community_page_lists_only_its_items(client, bulletin):
    response = client.get("/streets/yingbin/yonganli/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>永安里社区</h1>" in html
    assert "污水外溢 快速处理" in html
    assert "清理枯树 保障出行" not in html
    assert "共 1 篇" in html


def test_community_under_the_wrong_street_is_404(client, bulletin):
    assert client.get("/streets/yongtai/yonganli/").status_code == 404


def test_reporter_page_lists_items_and_count(client, bulletin):
    html = client.get("/reporters/yang-cuiye/").content.decode()
    assert "记者 杨翠叶" in html
    assert "共 3 篇" in html
    for headline in ("送学上门暖人心", "科创体验学科学", "暖“新”议事 认领服务"):
        assert headline in html
    assert "文艺演出迎国庆" not in html
    assert "共 5 篇" in client.get("/reporters/zheng-lin/").content.decode()


def test_directory_lists_every_street_and_community(client, bulletin):
    html = client.get("/streets/").content.decode()
    for street in Street.objects.all():
        assert street.name in html and street.get_absolute_url() in html
    for community in Community.objects.all():
        assert community.name in html and community.get_absolute_url() in html


def test_street_listing_paginates_newest_first(client, make_article):
    street = Street.objects.create(name="测试街道", slug="ceshi")
    now = timezone.now()
    for n in range(25):
        make_article(
            headline=f"稿件{n:02d}",
            street=street,
            published_at=now - timezone.timedelta(hours=n + 1),
        )
    first = client.get("/streets/ceshi/").content.decode()
    assert "稿件00" in first and "稿件19" in first and "稿件20" not in first
    assert first.index("稿件00") < first.index("稿件01")
    second = client.get("/streets/ceshi/?page=2").content.decode()
    assert "稿件20" in second and "稿件24" in second and "稿件19" not in second
    assert 'aria-current="page">2<' in second


@pytest.mark.parametrize(
    "url",
    [
        "/news/999/",
        "/news/0/",
        "/news/abc/",
        "/streets/nowhere/",
        "/streets/yingbin/nowhere/",
        "/reporters/nobody/",
        "/streets/yingbin/?page=abc",
        "/streets/yingbin/?page=0",
        "/streets/yingbin/?page=999",
        "/streets/yingbin/?page=-1",
        "/streets/yingbin/yonganli/?page=2",
        "/reporters/zheng-lin/?page=99999999999999999999",
        "/no-such-page/",
    ],
)
def test_bad_input_is_a_chinese_404(client, bulletin, url):
    response = client.get(url)
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面没有找到" in html
    assert 'href="/"' in html  # leads back into the site


def test_server_error_is_a_chinese_page_without_traceback(client, bulletin, monkeypatch):
    from news.views import ArticleDetailView

    def broken(self, queryset=None):
        raise RuntimeError("数据库出错的模拟")

    monkeypatch.setattr(ArticleDetailView, "get_object", broken)
    client.raise_request_exception = False
    response = client.get("/news/1/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "网站出了点问题" in html and 'href="/"' in html and 'lang="zh-Hans"' in html
    assert "Traceback" not in html and "RuntimeError" not in html


def test_forged_host_header_gets_a_400_page_not_a_500(client, bulletin):
    client.raise_request_exception = False
    response = client.get("/news/1/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "请求有误" in response.content.decode()


def test_stored_control_characters_never_break_a_page(client, legacy_text):
    """Text stored before the fields refused control characters (tests/conftest.py)."""
    article = legacy_text.article
    week = article.published_at.strftime("%G-W%V")
    pages = {
        article.get_absolute_url(): "枯树",
        "/": "枯树",
        "/streets/": "北馨园",
        "/streets/yingbin/": "枯树",
        "/streets/yingbin/beixinyuan/": "枯树",
        "/reporters/zheng-lin/": "枯树",
        f"/archive/{article.published_at:%Y/%m}/": "枯树",
        f"/streets/yingbin/digest/?week={week}": "枯树",
        "/sitemap.xml": article.get_absolute_url(),
    }
    for url, expected in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert expected in response.content.decode(), url
