"""QR codes: made and stored when an item is published, by every path that makes one public;
read, never made, by a reader's request; for the site's address (DJANGO_SITE_URL), not the Host."""

import re
from io import StringIO
from pathlib import Path
from urllib.parse import unquote

import pytest
import segno
from django.core.management import call_command
from django.urls import reverse

from news import qr
from news.models import Article, ArticleQRCode
from tests.admin_forms import form_of
from tests.review import approve, publish

pytestmark = pytest.mark.django_db
SITE = "https://news.example.cn"  # tests/settings.py


def share_image(html):
    found = re.findall(r'<img class="share-qr" src="([^"]+)"', html)
    return found[0] if found else None


@pytest.fixture
def no_code_making(monkeypatch):
    """segno.make raises: anything that still makes a code fails loudly."""

    def refuse(*args, **kwargs):
        raise AssertionError("a QR code was made")

    monkeypatch.setattr(segno, "make", refuse)


@pytest.fixture
def draft(make_article):
    return make_article(headline="等待发布的稿件", status=Article.Status.DRAFT)


def test_the_article_page_shows_the_code_stored_for_the_sites_address(client, bulletin):
    article = Article.objects.get(pk=3)
    assert article.qr_code.url == f"{SITE}/news/3/"  # the setting's, not http://testserver
    html = client.get("/news/3/").content.decode()
    assert share_image(html) == article.qr_code.data_uri == qr.make(f"{SITE}/news/3/").data_uri
    # The copy link and the printed address stay as they were.
    assert '<a class="copy-link" href="http://testserver/news/3/" data-copy-link>' in html
    assert '<p class="print-url">本文网址：http://testserver/news/3/</p>' in html


def test_reading_pages_never_makes_a_code(client, bulletin, no_code_making):
    for url in ("/news/3/", "/", "/streets/yingbin/", "/streets/yingbin/digest/?week=2022-W39"):
        response = client.get(url)
        assert response.status_code == 200, url
    assert share_image(client.get("/news/3/").content.decode())
    ArticleQRCode.objects.filter(article_id=3).delete()  # and not for an item without one
    assert client.get("/news/3/").status_code == 200


def test_an_item_without_a_code_renders_without_an_image(client, bulletin, no_code_making):
    ArticleQRCode.objects.all().delete()
    response = client.get("/news/3/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "share-qr" not in html and "data:image" not in html
    assert "复制链接" in html and "本文网址：http://testserver/news/3/" in html
    digest = client.get("/streets/yingbin/digest/?week=2022-W39").content.decode()
    assert "data:image" not in digest and f"<figcaption>{SITE}/news/" in digest


def test_a_changed_site_url_shows_no_stale_code_until_the_command_remakes_them(
    client, bulletin, settings, no_code_making
):
    settings.SITE_URL = "https://pingcheng.example.org"
    html = client.get("/news/3/").content.decode()
    assert "share-qr" not in html and "data:image" not in html and "复制链接" in html
    digest = client.get("/streets/yingbin/digest/?week=2022-W39").content.decode()
    assert "data:image" not in digest
    assert "<figcaption>https://pingcheng.example.org/news/" in digest


def test_make_qr_codes_remakes_missing_and_stale_codes_once(client, bulletin, settings):
    ArticleQRCode.objects.filter(article_id=1).delete()
    settings.SITE_URL = "https://pingcheng.example.org"
    out = StringIO()
    call_command("make_qr_codes", "--batch", "3", stdout=out)
    assert "已检查 8/8 篇，新生成 8 个" in out.getvalue()
    assert "这次新生成 8 个" in out.getvalue()
    assert set(ArticleQRCode.objects.values_list("url", flat=True)) == {
        f"https://pingcheng.example.org/news/{pk}/" for pk in range(1, 9)
    }
    html = client.get("/news/3/").content.decode()
    assert share_image(html) == qr.make("https://pingcheng.example.org/news/3/").data_uri
    out = StringIO()
    call_command("make_qr_codes", stdout=out)  # again: nothing to do
    assert "这次新生成 0 个" in out.getvalue()


def test_made_codes_retire_the_cached_pages(client, bulletin, page_cache_on):
    ArticleQRCode.objects.filter(article_id=3).delete()
    assert share_image(client.get("/news/3/").content.decode()) is None
    assert client.get("/news/3/")["X-Page-Cache"] == "hit"
    call_command("make_qr_codes", stdout=StringIO())
    response = client.get("/news/3/")
    assert response["X-Page-Cache"] != "hit"
    assert share_image(response.content.decode()) == qr.make(f"{SITE}/news/3/").data_uri


def test_drafts_get_no_code_and_publishing_makes_one(draft):
    assert not ArticleQRCode.objects.filter(article=draft).exists()
    publish(draft)
    assert ArticleQRCode.objects.get(article=draft).url == f"{SITE}/news/{draft.pk}/"


def test_a_scheduled_item_has_its_code_before_it_appears(make_article):
    from django.utils import timezone

    later = make_article(published_at=timezone.now() + timezone.timedelta(days=1))
    assert later.qr_code.url == f"{SITE}{later.get_absolute_url()}"


def test_the_admin_form_publishing_a_draft_stores_its_code(admin_client, bulletin, draft):
    approve(draft)
    draft.refresh_from_db()
    response = admin_client.post(
        reverse("admin:news_article_change", args=[draft.pk]),
        form_of(draft, status="published"),
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED
    assert draft.qr_code.url == f"{SITE}/news/{draft.pk}/"


def test_the_bulk_publish_action_stores_codes(admin_client, draft):
    approve(draft)
    admin_client.post(
        reverse("admin:news_article_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    assert ArticleQRCode.objects.get(article=draft).url == f"{SITE}/news/{draft.pk}/"


def test_imported_items_get_their_code_when_they_are_published(bulletin, tmp_path):
    # 先审后发: an import never makes an item public by itself (it arrives 待初审); the
    # publication after review makes the code.
    path = Path(__file__).parent / "data" / "import_example.json"
    call_command("import_bulletin", str(path), stdout=StringIO())
    imported = Article.objects.filter(import_key__isnull=False)
    assert imported and not ArticleQRCode.objects.filter(article__in=imported).exists()
    for article in imported:
        publish(article)
    for article in imported:
        assert ArticleQRCode.objects.get(article=article).url == f"{SITE}/news/{article.pk}/"


def test_seed_bulletin_stores_every_items_code(db):
    call_command("seed_bulletin", stdout=StringIO())
    assert sorted(ArticleQRCode.objects.values_list("url", flat=True)) == sorted(
        f"{SITE}/news/{pk}/" for pk in range(1, 9)
    )


@pytest.mark.django_db(transaction=True)
def test_restore_brings_the_codes_back_and_makes_only_those_for_another_address(
    settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("loaddata", "bulletin", verbosity=0)
    call_command("backup_site", "--output", str(tmp_path / "b"), stdout=StringIO())
    (archive,) = (tmp_path / "b").glob("pingcheng-backup-*.tar.gz")
    stored = dict(ArticleQRCode.objects.values_list("article_id", "url"))

    ArticleQRCode.objects.all().delete()
    real_make = segno.make
    monkeypatch.setattr(segno, "make", lambda *a, **k: pytest.fail("made a code"))
    call_command("restore_site", str(archive), "--yes", stdout=StringIO())
    assert dict(ArticleQRCode.objects.values_list("article_id", "url")) == stored

    monkeypatch.setattr(segno, "make", real_make)
    settings.SITE_URL = "https://pingcheng.example.org"  # restored on another site
    call_command("restore_site", str(archive), "--yes", stdout=StringIO())
    assert set(ArticleQRCode.objects.values_list("url", flat=True)) == {
        f"https://pingcheng.example.org/news/{pk}/" for pk in range(1, 9)
    }


def test_the_path_data_draws_exactly_the_dark_modules():
    code = segno.make(f"{SITE}/news/123456/", error="m", micro=False, boost_error=False)
    stored = qr.make(f"{SITE}/news/123456/")
    assert stored.size == 37 == len(code.matrix) + 2 * qr.BORDER
    drawn, x, y = set(), 0, 0
    for command, dx, dy in re.findall(r"([Mmh])(\d+)(?:,(\d+(?:\.5)?))?", stored.path_data()):
        if command == "M":
            x, y = int(dx), int(float(dy))
        elif command == "m":
            x += int(dx)
        else:
            drawn |= {(x + i, y) for i in range(int(dx))}
            x += int(dx)
    dark = {
        (col + qr.BORDER, row + qr.BORDER)
        for row, modules in enumerate(code.matrix)
        for col, module in enumerate(modules)
        if module
    }
    assert drawn == dark


def test_the_data_uri_is_an_svg_with_a_white_quiet_zone():
    uri = qr.make(f"{SITE}/news/1/").data_uri
    header, _, data = uri.partition(",")
    assert header == "data:image/svg+xml"
    assert not re.search(r"[\s\"<>#]", data)  # nothing a URL or an HTML attribute must escape
    svg = unquote(data)
    assert svg.startswith("<svg xmlns='http://www.w3.org/2000/svg' viewBox='0,0,37,37'>")
    assert "fill='#fff' d='M0,0h37v37H0z'" in svg and "stroke='#000'" in svg
    assert svg.endswith("</svg>")


def test_the_site_url_must_be_an_origin(settings):
    settings.SITE_URL = "news.example.cn/site"
    assert [e.id for e in qr.check_site_url(None)] == ["news.E001"]
    settings.SITE_URL = SITE
    assert qr.check_site_url(None) == []
    assert qr.check_site_url_deployed(None) == []
    settings.SITE_URL = "http://127.0.0.1:8000"
    assert [w.id for w in qr.check_site_url_deployed(None)] == ["news.W001"]
