"""Photos: what an upload must be, what is stored, and what the public downloads."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from PIL import Image

from news.models import Article
from tests.admin_forms import article_form as form
from tests.admin_forms import change_form
from tests.images import SERIAL, image_bytes, phone_photo, upload
from tests.review import publish

pytestmark = pytest.mark.django_db


def media_files():
    return {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()}


def add(admin_client, **overrides):
    return admin_client.post(
        reverse("admin:news_article_add"), form(**{"headline": "带图片的稿件", **overrides})
    )


def public_files(article):
    return [article.photo.name, *_renditions(article)]


def _renditions(article):
    from news import images

    return images.rendition_names(article.photo.name, article.photo_width)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: upload(b"this is a text file, not a photo\n" * 10), "不是图片"),
        (lambda: upload(image_bytes()[:6000]), "不完整"),
        (
            lambda: upload(image_bytes(fmt="GIF", mode="L"), "photo.gif", "image/gif"),
            "只接受 JPEG、PNG 或 WebP",
        ),
        (
            lambda: upload(image_bytes((8000, 6000), fmt="PNG", mode="L"), "bomb.png", "image/png"),
            "像素太多",
        ),
        (
            lambda: upload(
                image_bytes((10000, 9000), fmt="PNG", mode="1"), "bomb.png", "image/png"
            ),
            "像素太多",
        ),
        (lambda: upload(b"\xff\xd8\xff" + b"0" * (20 * 1024 * 1024 + 1)), "最大 20 MB"),
    ],
    ids=[
        "text-renamed-jpg",
        "truncated-jpeg",
        "gif",
        "48-megapixels",
        "bomb-90-megapixels",
        "over-20MB",
    ],
)
def test_bad_uploads_get_a_chinese_form_error_and_nothing_is_saved(
    admin_client, bulletin, make, message
):
    before = media_files()
    response = add(admin_client, photo=make())
    assert response.status_code == 200
    html = response.content.decode()
    assert "errorlist" in html and message in html
    assert not Article.objects.filter(headline="带图片的稿件").exists()
    assert media_files() == before


def test_photo_needs_alt_text(admin_client, bulletin):
    response = add(admin_client, photo=phone_photo(), photo_alt="")
    assert "有图片时必须填写替代文字" in response.content.decode()
    assert not Article.objects.filter(headline="带图片的稿件").exists()


def test_upload_is_stored_upright_and_without_metadata(admin_client, bulletin):
    # Orientation 6: the camera held sideways; the picture must be turned to stand upright.
    response = add(admin_client, photo=phone_photo(size=(1200, 900), orientation=6))
    assert response.status_code == 302
    article = Article.objects.get(headline="带图片的稿件")
    assert (article.photo_width, article.photo_height) == (900, 1200)
    for name in public_files(article):
        path = Path(settings.MEDIA_ROOT) / name
        data = path.read_bytes()
        assert SERIAL.encode() not in data and b"TestCam" not in data, name
        with Image.open(io.BytesIO(data)) as image:
            assert not image.getexif(), name
            assert "exif" not in image.info and "xmp" not in image.info, name
            assert image.height > image.width, name
    assert not article.photo.name.endswith("photo.jpg")  # the editor's file name is not published


def test_renditions_are_made_once_at_save_in_webp_and_jpeg(admin_client, bulletin):
    add(admin_client, photo=phone_photo(size=(2400, 1800)))
    article = Article.objects.get(headline="带图片的稿件")
    publish(article)  # 先审后发: reviewed, then published (tests/review.py)
    article.refresh_from_db()
    names = _renditions(article)
    assert len(names) == 6
    for name in names:
        width = int(name.rsplit("-", 1)[1].split(".")[0])
        with Image.open(Path(settings.MEDIA_ROOT) / name) as image:
            assert image.width == width
            assert image.format == ("WEBP" if name.endswith(".webp") else "JPEG")
    assert sorted({int(n.rsplit("-", 1)[1].split(".")[0]) for n in names}) == [480, 960, 1600]


def test_small_photos_are_never_upscaled(admin_client, bulletin):
    add(admin_client, photo=phone_photo(size=(800, 600)))
    article = Article.objects.get(headline="带图片的稿件")
    widths = sorted({int(n.rsplit("-", 1)[1].split(".")[0]) for n in _renditions(article)})
    assert widths == [480, 800]


def test_article_page_serves_responsive_renditions(admin_client, client, bulletin):
    add(admin_client, photo=phone_photo(size=(2400, 1800)))
    article = Article.objects.get(headline="带图片的稿件")
    publish(article)  # 先审后发: reviewed, then published (tests/review.py)
    article.refresh_from_db()
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<source type="image/webp" srcset="' in html
    for width in (480, 960, 1600):
        assert f"-{width}.webp {width}w" in html and f"-{width}.jpg {width}w" in html
    assert 'width="2400" height="1800"' in html  # no layout shift
    assert 'sizes="(min-width: 48rem) 44rem, calc(100vw - 2rem)"' in html
    assert 'alt="居民在社区广场上"' in html and "杨翠叶 摄" in html
    listing = client.get("/streets/yingbin/").content.decode()
    assert 'loading="lazy"' in listing  # thumbnails in a listing wait until scrolled to


def test_media_is_served_with_type_and_long_cache(admin_client, client, bulletin):
    add(admin_client, photo=phone_photo())
    article = Article.objects.get(headline="带图片的稿件")
    publish(article)  # 先审后发: reviewed, then published (tests/review.py)
    article.refresh_from_db()
    for name, content_type in [
        (_renditions(article)[0], "image/webp"),
        (article.photo.name, "image/jpeg"),
    ]:
        response = client.get(settings.MEDIA_URL + name)
        assert response.status_code == 200
        assert response["Content-Type"] == content_type
        assert "max-age=31536000" in response["Cache-Control"]
        assert response["X-Content-Type-Options"] == "nosniff"


def test_media_serves_only_images_under_the_media_folder(client, db):
    secret = Path(settings.MEDIA_ROOT) / "notes.txt"
    secret.write_text("内部笔记")
    assert client.get("/media/notes.txt").status_code == 404
    client.raise_request_exception = False
    assert client.get("/media/../pingcheng/settings.py").status_code in (400, 404)
    assert client.get("/media/%2e%2e/%2e%2e/etc/passwd.jpg").status_code in (400, 404)
    assert client.get("/media/nothing-here.jpg").status_code == 404


def test_a_replaced_photo_is_kept_while_a_version_names_it_and_goes_with_the_item(
    admin_client, bulletin, django_capture_on_commit_callbacks
):
    add(admin_client, photo=phone_photo(), status="draft")
    article = Article.objects.get(headline="带图片的稿件")
    old = public_files(article)
    root = Path(settings.MEDIA_ROOT)
    assert all((root / name).exists() for name in old)

    change = reverse("admin:news_article_change", args=[article.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            change, change_form(article, status="draft", photo=phone_photo(size=(1000, 800)))
        )
    assert response.status_code == 302
    article.refresh_from_db()
    new = public_files(article)
    assert set(new).isdisjoint(old)
    # Version 1 still names the first photo: a revert must find its files.
    assert all((root / name).exists() for name in old + new)

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("admin:news_article_delete", args=[article.pk]), {"post": "yes"})
    assert not Article.objects.filter(pk=article.pk).exists()
    assert not any((root / name).exists() for name in old + new)  # deleting is final


def test_a_photo_no_version_names_is_removed_when_replaced(
    make_article, django_capture_on_commit_callbacks
):
    article = make_article(photo=phone_photo(), photo_alt="照片")  # saved outside the editors'
    old = public_files(article)  # side: no version names this photo
    with django_capture_on_commit_callbacks(execute=True):
        article.photo = phone_photo(size=(1000, 800))
        article.save()
    assert not any((Path(settings.MEDIA_ROOT) / name).exists() for name in old)


def test_clearing_a_photo_keeps_its_files_for_the_versions(
    admin_client, bulletin, django_capture_on_commit_callbacks
):
    add(admin_client, photo=phone_photo(), status="draft")
    article = Article.objects.get(headline="带图片的稿件")
    old = public_files(article)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:news_article_change", args=[article.pk]),
            change_form(article, status="draft", **{"photo-clear": "on"}),
        )
    article.refresh_from_db()
    assert not article.photo
    assert all((Path(settings.MEDIA_ROOT) / name).exists() for name in old)


def test_png_with_transparency_and_webp_uploads_work(admin_client, bulletin):
    png = image_bytes((900, 600), fmt="PNG", mode="RGBA")
    assert add(admin_client, photo=upload(png, "logo.png", "image/png")).status_code == 302
    webp = image_bytes((900, 600), fmt="WEBP")
    response = add(admin_client, photo=upload(webp, "x.webp", "image/webp"), headline="第二张")
    assert response.status_code == 302
    assert Article.objects.get(headline="第二张").photo.name.endswith(".webp")


def test_saved_article_knows_its_upright_photo_size_at_once(make_article):
    article = make_article(
        photo=phone_photo(size=(1200, 900), orientation=6), photo_alt="竖拍的照片"
    )
    assert (article.photo_width, article.photo_height) == (900, 1200)
