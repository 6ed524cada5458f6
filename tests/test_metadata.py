"""Canonical links, descriptions, OpenGraph and the article's JSON-LD."""

import json
import re

import pytest

from news.models import Article

pytestmark = pytest.mark.django_db


def json_ld(html):
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "no JSON-LD"
    return json.loads(match.group(1))


def meta(html, attribute, name):
    match = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)"', html)
    return match.group(1) if match else None


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/news/2/",
        "/streets/",
        "/streets/yingbin/",
        "/streets/yingbin/yonganli/",
        "/reporters/zheng-lin/",
        "/archive/",
        "/archive/2022/09/",
        "/search/?q=社区",
    ],
)
def test_every_page_has_canonical_description_and_opengraph(client, bulletin, url):
    html = client.get(url).content.decode()
    path = url.split("?")[0]
    assert f'<link rel="canonical" href="http://testserver{path}">' in html
    assert meta(html, "name", "description")
    for prop in ("og:site_name", "og:title", "og:description", "og:type", "og:url", "og:locale"):
        assert meta(html, "property", prop), prop
    assert meta(html, "property", "og:url") == f"http://testserver{path}"


def test_canonical_keeps_the_page_number_only(client, make_article):
    from news.models import Street

    street = Street.objects.create(name="测试街道", slug="ceshi")
    for n in range(25):
        make_article(headline=f"稿件{n}", street=street)
    html = client.get("/streets/ceshi/?page=2&utm_source=wechat").content.decode()
    assert '<link rel="canonical" href="http://testserver/streets/ceshi/?page=2">' in html


def test_article_description_is_the_opening_sentence(client, bulletin):
    html = client.get("/news/7/").content.decode()
    assert meta(html, "name", "description") == (
        "小区枯树存在坠落风险，社区集中清理保障居民安全出行；居民家中漏水影响生活，社区及时协调帮助维修。"
    )
    assert meta(html, "property", "og:type") == "article"
    assert meta(html, "property", "og:title") == "清理枯树 保障出行"


def test_json_ld_news_article_with_author_publisher_dates_and_place_chain(client, bulletin):
    data = json_ld(client.get("/news/2/").content.decode())
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "文艺演出迎国庆"
    assert data["author"] == {
        "@type": "Person",
        "name": "郑林",
        "url": "http://testserver/reporters/zheng-lin/",
    }
    assert data["publisher"]["name"] == "平城社区新闻"
    assert data["publisher"]["logo"] == {
        "@type": "ImageObject",
        "url": "http://testserver/static/img/logo.png",
        "width": 512,
        "height": 512,
    }
    assert data["datePublished"].startswith("2022-09-30T08:00:00+08:00")
    chain, place = [], data["contentLocation"]
    while place:
        chain.append((place["@type"], place["name"]))
        place = place.get("containedInPlace")
    assert chain == [
        ("Place", "兴国寺社区"),
        ("AdministrativeArea", "永泰街道"),
        ("AdministrativeArea", "平城区"),
        ("City", "大同市"),
        ("State", "山西省"),
    ]


def test_district_wide_article_starts_its_place_chain_at_the_district(client, bulletin):
    data = json_ld(client.get("/news/1/").content.decode())
    assert data["contentLocation"]["name"] == "平城区"
    assert data["alternativeHeadline"] == "平城区社工总站开展培训建立督导体系"


def test_json_ld_cannot_be_broken_out_of(client, make_article):
    article = make_article(headline='</script><script>alert("x")</script>', body="正文&<b>。")
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<script>alert("x")</script>' not in html
    data = json_ld(html)
    assert data["headline"] == '</script><script>alert("x")</script>'


def test_article_with_photo_has_og_image_and_json_ld_image(client, make_article):
    from tests.images import phone_photo

    article = make_article(photo=phone_photo(), photo_alt="居民在广场上")
    html = client.get(article.get_absolute_url()).content.decode()
    image = meta(html, "property", "og:image")
    assert image.startswith("http://testserver/media/renditions/") and image.endswith(".jpg")
    assert json_ld(html)["image"] == [image]
    assert html.count('property="og:image"') == 1  # the photo replaces the site's image
    assert meta(html, "property", "og:image:alt") == "居民在广场上"
    assert client.get(image.replace("http://testserver", "")).status_code == 200


@pytest.mark.parametrize("url", ["/", "/news/1/", "/streets/yingbin/", "/search/?q=社区"])
def test_pages_without_a_photo_show_the_sites_own_image_when_shared(client, bulletin, url):
    html = client.get(url).content.decode()
    assert meta(html, "property", "og:image") == "http://testserver/static/img/og-image.png"
    assert meta(html, "property", "og:image:width") == "1200"
    assert meta(html, "property", "og:image:height") == "630"
    assert meta(html, "property", "og:image:alt") == "平城社区新闻：山西省大同市平城区"
    assert html.count('property="og:image"') == 1


@pytest.mark.parametrize(
    ("name", "size"), [("logo.png", (512, 512)), ("og-image.png", (1200, 630))]
)
def test_the_sites_own_images_are_real_pngs_of_their_stated_size(client, name, size):
    from io import BytesIO

    from PIL import Image

    response = client.get(f"/static/img/{name}")
    assert response.status_code == 200
    with Image.open(BytesIO(b"".join(response.streaming_content))) as image:
        assert image.format == "PNG" and image.size == size


def test_article_offers_a_qr_code_and_a_copy_link_that_works_without_javascript(client, bulletin):
    html = client.get("/news/3/").content.decode()
    assert 'class="share-qr" src="data:image/svg+xml' in html
    assert (
        '<a class="copy-link" href="http://testserver/news/3/" data-copy-link>复制链接</a>' in html
    )
    assert '<p class="print-url">本文网址：http://testserver/news/3/</p>' in html


def test_summary_of_an_empty_body_is_empty():
    assert Article(body="").summary == ""
    assert Article(body="没有句号的一段话").summary == "没有句号的一段话"
    assert Article(body="长" * 300).summary == "长" * 120 + "……"
    assert Article(body="他说：“好！”然后走了。").summary == "他说：“好！”"
