"""RSS, Atom and OPML, read as a feed reader reads them (feedparser), and the /feeds/ page."""

import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from news.models import Article, Community, Correction, Reporter, Street
from tests.images import image_bytes, upload

pytestmark = pytest.mark.django_db

ORIGIN = "http://testserver"

# (URL name without _rss/_atom, URL kwargs, feed title, headlines it must hold; None = all)
FEEDS = [
    ("feed", {}, "平城社区新闻", None),
    (
        "street_feed",
        {"street": "yingbin"},
        "平城社区新闻 · 迎宾街道",
        {"清理枯树 保障出行", "污水外溢 快速处理"},
    ),
    (
        "community_feed",
        {"street": "yingbin", "community": "yonganli"},
        "平城社区新闻 · 迎宾街道 · 永安里社区",
        {"污水外溢 快速处理"},
    ),
    (
        "reporter_feed",
        {"reporter": "yang-cuiye"},
        "平城社区新闻 · 记者 杨翠叶",
        {"送学上门暖人心", "科创体验学科学", "暖“新”议事 认领服务"},
    ),
]
KINDS = {"rss": ("rss20", "application/rss+xml"), "atom": ("atom10", "application/atom+xml")}
EVERY_FEED = [(name, kwargs, kind) for name, kwargs, _, _ in FEEDS for kind in KINDS]


def feed_url(name, kwargs, kind):
    return reverse(f"news:{name}_{kind}", kwargs=kwargs)


def read(client, url):
    """The feed as a reader sees it; it must parse without a single complaint."""
    response = client.get(url)
    assert response.status_code == 200
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name, kwargs, title, headlines", FEEDS)
def test_every_feed_parses_and_holds_exactly_its_items(
    client, bulletin, name, kwargs, title, headlines, kind
):
    response = client.get(feed_url(name, kwargs, kind))
    version, content_type = KINDS[kind]
    assert response["Content-Type"] == f"{content_type}; charset=utf-8"
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == version
    assert parsed.feed.title == title
    assert parsed.feed.language == "zh-cn"
    if headlines is None:  # the district: every published item, in the site's order
        expected = list(Article.objects.published().values_list("headline", flat=True))
        assert [entry.title for entry in parsed.entries] == expected
    else:
        assert {entry.title for entry in parsed.entries} == headlines
        assert len(parsed.entries) == len(headlines)
    for entry in parsed.entries:
        article = Article.objects.get(headline=entry.title)
        assert entry.link == ORIGIN + article.get_absolute_url()
        assert entry.id == entry.link  # the permalink is the stable id


def test_feed_links_to_its_page_and_to_itself(client, bulletin):
    for kind in KINDS:
        parsed = read(client, feed_url("street_feed", {"street": "yingbin"}, kind))
        assert parsed.feed.link == ORIGIN + reverse("news:street", kwargs={"street": "yingbin"})
        assert parsed.feed.subtitle == "平城区迎宾街道的最新新闻，全文。"
        self_links = [link.href for link in parsed.feed.links if link.rel == "self"]
        assert self_links == [ORIGIN + feed_url("street_feed", {"street": "yingbin"}, kind)]


@pytest.mark.parametrize("kind", KINDS)
def test_entry_carries_full_text_author_dates_and_places(client, bulletin, kind):
    article = Article.objects.get(headline="清理枯树 保障出行")
    parsed = read(client, feed_url("street_feed", {"street": "yingbin"}, kind))
    entry = next(e for e in parsed.entries if e.title == article.headline)
    # The whole body, opened by the dateline as on the article page: RSS's description, Atom's
    # <content type="html"> (its <summary> is the opening sentence, test_atom_summary_…).
    first, *rest = article.paragraphs
    text = full_text(entry, kind)
    assert rest and "将枯树枝清理干净" in text
    assert text == f"<p>本报讯（记者 郑林）{first}</p>" + "".join(
        f"<p>{paragraph}</p>" for paragraph in rest
    )
    assert entry.author == "郑林"
    if kind == "atom":
        assert entry.author_detail.href == ORIGIN + reverse(
            "news:reporter", kwargs={"reporter": "zheng-lin"}
        )
    # 2022-09-30 08:00 in Pingcheng, written with its +08:00 offset; feedparser gives UTC.
    assert entry.published in ("Fri, 30 Sep 2022 08:00:00 +0800", "2022-09-30T08:00:00+08:00")
    assert tuple(entry.published_parsed[:6]) == (2022, 9, 30, 0, 0, 0)
    assert [tag.term for tag in entry.tags] == ["迎宾街道", "北馨园社区"]


def full_text(entry, kind):
    if kind == "rss":
        return entry.summary
    [content] = entry.content
    assert content.type == "text/html"
    return content.value


def test_atom_summary_is_the_opening_sentence_and_the_full_text_is_its_content(client, bulletin):
    article = Article.objects.get(headline="清理枯树 保障出行")
    response = client.get(feed_url("feed", {}, "atom"))
    root = ET.fromstring(response.content)  # noqa: S314 -- our own output, not untrusted input
    atom = "{http://www.w3.org/2005/Atom}"
    entry = next(
        e for e in root.iter(atom + "entry") if e.findtext(atom + "title") == article.headline
    )
    summary, content = entry.find(atom + "summary"), entry.find(atom + "content")
    assert summary.text == article.summary
    assert summary.text.startswith("小区枯树存在坠落风险") and "<p>" not in summary.text
    assert content.get("type") == "html"
    assert content.text.startswith("<p>本报讯（记者 郑林）") and content.text.count("<p>") == len(
        article.paragraphs
    )
    assert len(summary.text) < len(content.text) / 2


def test_kicker_comes_above_the_body(client, bulletin):
    parsed = read(client, reverse("news:feed_rss"))
    lead = next(e for e in parsed.entries if e.title == "打造特色服务 提升社工能力")
    assert lead.summary.startswith(
        "<p><strong>平城区社工总站开展培训建立督导体系</strong></p><p>本报讯（记者 郑林）近日，"
    )
    assert "tags" not in lead  # a district-wide item has no street or community


@pytest.mark.parametrize("kind", KINDS)
def test_ids_stay_the_same_after_a_correction(client, bulletin, kind):
    url = feed_url("feed", {}, kind)
    before = [entry.id for entry in read(client, url).entries]
    article = Article.objects.get(headline="污水外溢 快速处理")
    article.headline = "污水外溢 快速处置"
    article.save()
    Correction.objects.record(article, "标题中的“处理”应为“处置”。")
    after = read(client, url)
    assert [entry.id for entry in after.entries] == before
    corrected = next(e for e in after.entries if e.title == "污水外溢 快速处置")
    assert corrected.id == ORIGIN + article.get_absolute_url()
    # The correction shows as the entry's update, after its publication (RSS: atom:updated).
    assert corrected.updated_parsed > corrected.published_parsed


def test_drafts_and_scheduled_items_never_appear(client, bulletin, make_article):
    street = Street.objects.get(slug="yingbin")
    places = {
        "street": street,
        "community": Community.objects.get(slug="yonganli"),
        "reporter": Reporter.objects.get(slug="yang-cuiye"),
    }
    make_article(headline="草稿稿件", status=Article.Status.DRAFT, **places)
    make_article(
        headline="定时稿件", published_at=timezone.now() + timezone.timedelta(hours=1), **places
    )
    due = make_article(
        headline="到点稿件", published_at=timezone.now() - timezone.timedelta(minutes=1), **places
    )
    for name, kwargs, kind in EVERY_FEED:
        titles = [entry.title for entry in read(client, feed_url(name, kwargs, kind)).entries]
        assert "草稿稿件" not in titles and "定时稿件" not in titles
        assert titles[0] == due.headline  # a due scheduled item is there, newest first


def test_a_feed_holds_the_newest_twenty(client, make_article):
    now = timezone.now()
    for n in range(25):
        make_article(headline=f"稿件{n:02d}", published_at=now - timezone.timedelta(hours=n + 1))
    titles = [entry.title for entry in read(client, reverse("news:feed_rss")).entries]
    assert titles == [f"稿件{n:02d}" for n in range(20)]


def test_markup_in_text_is_escaped(client, make_article):
    make_article(
        headline="<b>标题</b> & 1 < 2",
        kicker="<i>引题</i>",
        body="<script>alert(1)</script>第一段。\n\n<img src=x onerror=alert(1)>第二段。",
    )
    for kind in KINDS:
        response = client.get(feed_url("feed", {}, kind))
        entry = feedparser.parse(response.content).entries[0]
        assert entry.title == "<b>标题</b> & 1 < 2"  # the literal text, not markup
        # The full text is HTML in which the stored text appears only as text.
        root = ET.fromstring(response.content)  # noqa: S314 -- our own output, not untrusted input
        html = root.findtext(FULL_TEXT[kind])
        assert "<script>" not in html and "<img" not in html and "<i>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;第一段。" in html
        assert "<p><strong>&lt;i&gt;引题&lt;/i&gt;</strong></p>" in html
    # Atom's summary is HTML too (type="html"): the sentence is escaped as text there as well.
    atom = feedparser.parse(client.get(feed_url("feed", {}, "atom")).content).entries[0]
    assert atom.summary_detail.type == "text/html"
    assert atom.summary.startswith("&lt;script&gt;alert(1)&lt;/script&gt;第一段。")


FULL_TEXT = {
    "rss": "channel/item/description",
    "atom": "{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}content",
}


def make_photo_article(make_article, size=(1200, 900), **fields):
    article = make_article(headline="带图片的稿件", **fields)
    article.photo = upload(image_bytes(size))
    article.photo_alt = "居民在社区广场上"
    article.save()  # cleans the photo and writes its renditions
    article.refresh_from_db()  # save() leaves photo_width unset on the instance; the row has it
    return article


@pytest.mark.parametrize("kind", KINDS)
def test_photo_is_an_enclosure_of_its_960_px_jpeg(client, bulletin, make_article, kind):
    article = make_photo_article(make_article, street=Street.objects.get(slug="yingbin"))
    parsed = read(client, feed_url("street_feed", {"street": "yingbin"}, kind))
    entry = next(e for e in parsed.entries if e.title == article.headline)
    [enclosure] = entry.enclosures
    assert enclosure.type == "image/jpeg"
    assert enclosure.href == ORIGIN + article.photo_srcsets()["src"]  # the page's plain <img>
    path = Path(settings.MEDIA_ROOT) / enclosure.href.removeprefix(ORIGIN + settings.MEDIA_URL)
    assert int(enclosure.length) == path.stat().st_size > 0
    with Image.open(path) as image:
        assert (image.format, image.width) == ("JPEG", 960)
    others = [e for e in parsed.entries if e.title != article.headline]
    assert others and all(not e.enclosures for e in others)  # no photo, no enclosure


def test_small_photo_encloses_its_largest_rendition(client, make_article):
    article = make_photo_article(make_article, size=(600, 400))
    [entry] = read(client, reverse("news:feed_rss")).entries
    assert entry.enclosures[0].href == ORIGIN + article.photo_srcsets()["src"]
    assert entry.enclosures[0].href.endswith("-600.jpg")  # never upscaled


def test_missing_rendition_drops_only_the_enclosure(client, make_article):
    article = make_photo_article(make_article)
    name = article.photo_srcsets()["src"].removeprefix(settings.MEDIA_URL)
    article.photo.storage.delete(name)
    [entry] = read(client, reverse("news:feed_rss")).entries
    assert entry.title == article.headline and not entry.enclosures


@pytest.mark.parametrize(
    "url",
    [
        "/feeds/streets/nowhere/rss/",
        "/feeds/streets/nowhere/atom/",
        "/feeds/streets/yingbin/nowhere/rss/",
        "/feeds/streets/yongtai/yonganli/atom/",  # a community under the wrong street
        "/feeds/reporters/nobody/rss/",
        "/feeds/reporters/nobody/atom/",
        "/feeds/streets/nowhere.opml",
        "/feeds/streets/yingbin/yonganli.opml",
    ],
)
def test_unknown_slugs_are_404(client, bulletin, url):
    assert client.get(url).status_code == 404


# Queries per feed: the owner (none for the district), then the items with street, community
# and reporter joined in. The same with 60 more items: no query per item.
# The owner (none for the district), the items, their 更正 notes.
QUERIES = {"feed": 2, "street_feed": 3, "community_feed": 3, "reporter_feed": 3}


@pytest.mark.parametrize("name, kwargs, kind", EVERY_FEED)
def test_feed_query_count_is_small_and_constant(
    client, bulletin, make_article, django_assert_num_queries, name, kwargs, kind
):
    url = feed_url(name, kwargs, kind)
    with django_assert_num_queries(QUERIES[name]):
        assert client.get(url).status_code == 200
    places = {
        "street": Street.objects.get(slug="yingbin"),
        "community": Community.objects.get(slug="yonganli"),
        "reporter": Reporter.objects.get(slug="yang-cuiye"),
    }
    for n in range(60):
        make_article(headline=f"加量稿件{n}", **places)
    make_photo_article(make_article, **places)
    with django_assert_num_queries(QUERIES[name]):
        assert len(read(client, url).entries) == 20


def absolute(url):
    return ORIGIN + url


def every_feed_url():
    """The RSS address of the district and of every street, community and reporter."""
    urls = {absolute(reverse("news:feed_rss"))}
    urls |= {
        absolute(feed_url("street_feed", {"street": s.slug}, "rss")) for s in Street.objects.all()
    }
    urls |= {
        absolute(feed_url("community_feed", {"street": c.street.slug, "community": c.slug}, "rss"))
        for c in Community.objects.select_related("street")
    }
    urls |= {
        absolute(feed_url("reporter_feed", {"reporter": r.slug}, "rss"))
        for r in Reporter.objects.all()
    }
    return urls


def read_opml(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/x-opml; charset=utf-8"
    root = ET.fromstring(response.content)  # noqa: S314 -- our own output, not untrusted input
    assert root.tag == "opml" and root.get("version") == "2.0"
    return root


def xml_urls(element):
    return {o.get("xmlUrl") for o in element.iter("outline") if o.get("xmlUrl")}


def test_opml_lists_every_feed_grouped_by_street(client, bulletin):
    root = read_opml(client, reverse("news:opml_all"))
    assert root.findtext("head/title") == "平城社区新闻 · 全部订阅"
    assert xml_urls(root) == every_feed_url()
    for outline in root.iter("outline"):
        if outline.get("xmlUrl"):
            assert outline.get("type") == "rss" and outline.get("text")
            assert outline.get("htmlUrl").startswith(ORIGIN + "/")
    folders = {o.get("text"): o for o in root.find("body") if not o.get("xmlUrl")}
    assert list(folders) == [*Street.objects.values_list("name", flat=True), "记者"]
    yingbin = folders["迎宾街道"]
    assert [o.get("text") for o in yingbin] == [
        "平城社区新闻 · 迎宾街道",
        "平城社区新闻 · 迎宾街道 · 北馨园社区",
        "平城社区新闻 · 迎宾街道 · 永安里社区",
    ]


def test_street_opml_holds_only_that_street_and_its_communities(client, bulletin):
    root = read_opml(client, reverse("news:opml_street", kwargs={"street": "yingbin"}))
    assert root.findtext("head/title") == "平城社区新闻 · 迎宾街道"
    assert xml_urls(root) == {
        absolute("/feeds/streets/yingbin/rss/"),
        absolute("/feeds/streets/yingbin/beixinyuan/rss/"),
        absolute("/feeds/streets/yingbin/yonganli/rss/"),
    }
    # Every address in it is a feed that parses.
    for url in xml_urls(root):
        read(client, url.removeprefix(ORIGIN))


def test_opml_escapes_names(client, db):
    street = Street.objects.create(name='A&B "<街道>"', slug="ab")
    Community.objects.create(street=street, name="<b>社区</b> & 小区", slug="cd")
    root = read_opml(client, reverse("news:opml_street", kwargs={"street": "ab"}))
    texts = [o.get("text") for o in root.iter("outline")]
    assert texts == [
        'A&B "<街道>"',
        '平城社区新闻 · A&B "<街道>"',
        '平城社区新闻 · A&B "<街道>" · <b>社区</b> & 小区',
    ]


def test_opml_query_counts(client, bulletin, django_assert_num_queries):
    with django_assert_num_queries(3):  # streets, their communities, reporters
        client.get(reverse("news:opml_all"))
    with django_assert_num_queries(2):  # the street, its communities
        client.get(reverse("news:opml_street", kwargs={"street": "yingbin"}))


def test_feeds_page_lists_every_feed_and_opml(client, bulletin, django_assert_num_queries):
    with django_assert_num_queries(3):  # streets, their communities, reporters
        response = client.get(reverse("news:feeds"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1 and "<h1>订阅</h1>" in html
    assert "RSS 阅读器" in html
    for url in every_feed_url():
        path = url.removeprefix(ORIGIN)
        assert f'href="{path}"' in html
        assert f'href="{path.removesuffix("rss/")}atom/"' in html
    assert f'href="{reverse("news:opml_all")}"' in html
    for street in Street.objects.all():
        assert f'href="{reverse("news:opml_street", kwargs={"street": street.slug})}"' in html
    assert '<link rel="alternate" type="application/rss+xml"' in html


def test_feeds_page_without_any_street(client, db):
    response = client.get(reverse("news:feeds"))
    assert response.status_code == 200
    assert "还没有街道。" in response.content.decode()


# --- text stored before control characters were refused (tests/conftest.py legacy_text) ------

LEGACY_FEEDS = [
    ("feed", {}),
    ("street_feed", {"street": "yingbin"}),
    ("community_feed", {"street": "yingbin", "community": "beixinyuan"}),
    ("reporter_feed", {"reporter": "zheng-lin"}),
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name, kwargs", LEGACY_FEEDS, ids=[n for n, _ in LEGACY_FEEDS])
def test_stored_control_characters_never_take_a_feed_down(client, legacy_text, name, kwargs, kind):
    article, cannot = legacy_text.article, legacy_text.xml_cannot
    can = legacy_text.xml_can
    parsed = read(client, feed_url(name, kwargs, kind))  # 200, and a reader parses it
    (entry,) = [e for e in parsed.entries if e.link == ORIGIN + article.get_absolute_url()]
    # What XML cannot carry is dropped, and only that (read in the XML itself: feedparser
    # shows U+0085 as …).
    xml = client.get(feed_url(name, kwargs, kind)).content.decode()
    assert not set(cannot) & set(xml)
    assert f"清理{can}枯树" in xml and "第二段" in xml
    assert f"郑{can}林" in xml and f"迎宾{can}街道" in xml
    assert entry.title.startswith("清理") and entry.title.endswith("\u202e枯树")


def test_stored_control_characters_never_take_the_opml_down(client, legacy_text):
    cannot, can = legacy_text.xml_cannot, legacy_text.xml_can
    for url in (reverse("news:opml_all"), reverse("news:opml_street", args=["yingbin"])):
        root = read_opml(client, url)  # well-formed
        names = [o.get("text") for o in root.iter("outline")]
        assert f"北馨园{can}社区" in "".join(names) and not set(cannot) & set("".join(names))
