"""更正 notes: shown under the text with their date, oldest first, carried by the feeds, the
sitemap and JSON-LD, escaped everywhere; Correction.objects.record for the publishing service."""

import html as htmllib
import json
import re

import feedparser
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from news.models import Article, Correction

pytestmark = pytest.mark.django_db


def beijing(month, day, hour=9, minute=0):
    return timezone.make_aware(timezone.datetime(2022, month, day, hour, minute))


def visible_text(fragment):
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def corrections_block(page):
    """The text of the page's 更正 block, one string per line, or None when there is none."""
    match = re.search(r'<section class="corrections"[^>]*>(.*?)</section>', page, re.S)
    if not match:
        return None
    return [visible_text(item) for item in re.findall(r"<li>(.*?)</li>", match[1], re.S)]


@pytest.fixture
def article(bulletin):
    return Article.objects.get(headline="清理枯树 保障出行")  # published 2022年9月30日 08:00


def test_note_is_shown_under_the_text_with_its_date(client, article):
    assert corrections_block(client.get(article.get_absolute_url()).content.decode()) is None
    Correction.objects.record(
        article, "原稿把“北馨园社区”误写为“北馨社区”，现已改正。", beijing(10, 3, 23, 30)
    )
    page = client.get(article.get_absolute_url()).content.decode()
    assert corrections_block(page) == [
        "更正：原稿把“北馨园社区”误写为“北馨社区”，现已改正。（2022年10月3日）"
    ]
    # Under the text, before the sharing block; a named region with a heading for screen readers.
    assert page.index('class="story-body"') < page.index('class="corrections"')
    assert page.index('class="corrections"') < page.index('class="share"')
    assert '<section class="corrections" aria-labelledby="corrections-heading">' in page
    assert '<h2 class="visually-hidden" id="corrections-heading">更正</h2>' in page
    assert '<time datetime="2022-10-03T23:30:00+0800">2022年10月3日</time>' in page
    assert "更新时间" not in page  # the vague line is gone: the note says what and when


def test_several_notes_oldest_first_whatever_order_they_were_recorded_in(client, article):
    Correction.objects.record(article, "第二次更正。", beijing(10, 5))
    Correction.objects.record(article, "第一次更正。", beijing(10, 3))
    Correction.objects.record(article, "第三次更正。", beijing(10, 5, 10))
    assert corrections_block(client.get(article.get_absolute_url()).content.decode()) == [
        "更正：第一次更正。（2022年10月3日）",
        "更正：第二次更正。（2022年10月5日）",
        "更正：第三次更正。（2022年10月5日）",
    ]
    assert article.corrected_at == beijing(10, 5, 10)
    assert article.last_changed == beijing(10, 5, 10)


def full_text(entry):
    """An entry's full text: Atom's <content>, RSS's <description>."""
    return entry.content[0].value if "content" in entry else entry.summary


def test_markup_in_a_note_is_shown_as_text_everywhere(client, article):
    note = '<script>alert("x")</script> & <b>粗体</b>'
    Correction.objects.record(article, note, beijing(10, 3))
    page = client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert" not in page and "<b>粗体</b>" not in page
    assert corrections_block(page) == [f"更正：{note}（2022年10月3日）"]
    data = json.loads(re.search(r'ld\+json">(.*?)</script>', page, re.S)[1])
    assert data["correction"][0]["text"] == note
    for kind in ("rss", "atom"):
        feed = feedparser.parse(client.get(reverse(f"news:feed_{kind}")).content)
        assert feed.bozo == 0
        entry = next(e for e in feed.entries if e.title == article.headline)
        text = full_text(entry)
        assert "<script>" not in text and "<b>" not in text
        assert visible_text(text).endswith(f"更正：{note}（2022年10月3日）")


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_feeds_carry_the_correction_as_the_entrys_update(client, article, kind):
    def entry():
        feed = feedparser.parse(client.get(reverse(f"news:feed_{kind}")).content)
        assert feed.bozo == 0
        return feed, next(e for e in feed.entries if e.title == article.headline)

    _, before = entry()
    assert before.updated_parsed == before.published_parsed  # never corrected: its publication
    assert "更正" not in full_text(before)
    article.is_lead = True  # a save that changes nothing a reader reads is no update
    article.save()
    assert entry()[1].updated_parsed == before.published_parsed
    Correction.objects.record(article, "补充了清理时间。", beijing(10, 3, 9, 15))
    feed, after = entry()
    assert tuple(after.updated_parsed[:6]) == (2022, 10, 3, 1, 15, 0)  # UTC
    assert after.published_parsed == before.published_parsed
    assert full_text(after).endswith("<p><em>更正：补充了清理时间。（2022年10月3日）</em></p>")
    assert tuple(feed.feed.updated_parsed[:6]) == (2022, 10, 3, 1, 15, 0)  # lastBuildDate too


def test_json_ld_date_modified_and_correction(client, article):
    def data():
        page = client.get(article.get_absolute_url()).content.decode()
        return json.loads(re.search(r'ld\+json">(.*?)</script>', page, re.S)[1])

    assert data()["dateModified"] == data()["datePublished"] == "2022-09-30T08:00:00+08:00"
    assert "correction" not in data()
    Correction.objects.record(article, "补充了清理时间。", beijing(10, 3, 9, 15))
    assert data()["dateModified"] == "2022-10-03T09:15:00+08:00"
    assert data()["correction"] == [
        {
            "@type": "CorrectionComment",
            "text": "补充了清理时间。",
            "datePublished": "2022-10-03T09:15:00+08:00",
        }
    ]


def test_record_keeps_one_line_and_refuses_empty_or_overlong_notes(article):
    correction = Correction.objects.record(article, "  第一行\n第二行  ")
    assert correction.note == "第一行 第二行" and correction.pk
    assert abs(correction.corrected_at - timezone.now()) < timezone.timedelta(minutes=1)
    for note, message in [(" \n ", "此字段不能为空。"), ("字" * 201, "200")]:
        with pytest.raises(ValidationError) as error:
            Correction.objects.record(article, note)
        assert message in str(error.value.message_dict["note"])
    assert list(article.corrections.all()) == [correction]
    assert str(correction) == "更正：第一行 第二行"


def test_notes_go_with_their_article(article):
    Correction.objects.record(article, "补充了清理时间。")
    article.delete()
    assert not Correction.objects.exists()


def test_a_note_retires_cached_pages(
    client, article, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE = True
    settings.PAGE_GENERATION_FILE = tmp_path / "page-generation.json"
    client.get(article.get_absolute_url())
    assert client.get(article.get_absolute_url())["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        Correction.objects.record(article, "补充了清理时间。", beijing(10, 3))
    response = client.get(article.get_absolute_url())
    assert response["X-Page-Cache"] == "miss"
    assert corrections_block(response.content.decode()) == [
        "更正：补充了清理时间。（2022年10月3日）"
    ]
