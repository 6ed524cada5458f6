"""An item the public cannot see takes its photo files offline: the photo and every rendition
answer 404 (their URLs were in the feed and og:image) until it is public again; editors still
get them for previews. Through Django's media view, sending the file itself or, behind nginx,
handing it over with X-Accel-Redirect."""

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from news import images
from news.media import is_public, public_owners
from news.models import Article
from tests.clock import Clock
from tests.images import phone_photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, timezone.now().replace(microsecond=0))


def with_photo(make_article, **fields):
    return make_article(photo=phone_photo((1200, 900)), photo_alt="居民在广场上", **fields)


def urls(article):
    """The photo's URL and its six renditions' (480, 960, 1200 px; WebP and JPEG)."""
    names = [article.photo.name, *images.rendition_names(article.photo.name, article.photo_width)]
    assert len(names) == 7
    return [settings.MEDIA_URL + name for name in names]


def statuses(client, article):
    return {client.get(url).status_code for url in urls(article)}


def test_unpublishing_takes_every_file_offline_until_the_item_returns(
    client, admin_client, make_article
):
    article = with_photo(make_article)
    assert statuses(client, article) == {200}
    article.status = Article.Status.DRAFT
    article.save()
    assert statuses(client, article) == {404}
    for url in urls(article):  # an editor previewing the draft still sees it, privately
        response = admin_client.get(url)
        assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    article.status = Article.Status.PUBLISHED
    article.save()
    for url in urls(article):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Cache-Control"] == "public, max-age=31536000, immutable"


def test_a_scheduled_items_photo_goes_online_at_its_time(client, make_article, clock):
    article = with_photo(make_article, published_at=clock.now + timezone.timedelta(minutes=5))
    assert statuses(client, article) == {404}
    clock.forward(minutes=5)
    assert statuses(client, article) == {200}


def test_a_take_down_takes_the_photo_offline_on_its_minute(client, make_article, clock):
    article = with_photo(make_article, unpublish_at=clock.now + timezone.timedelta(minutes=5))
    assert statuses(client, article) == {200}
    clock.forward(minutes=5)
    assert statuses(client, article) == {404}
    page = client.get(settings.MEDIA_URL + article.photo.name)
    assert "页面没有找到" in page.content.decode()  # the site's Chinese 404 page


def test_a_file_no_item_claims_is_not_served_to_the_public(client, admin_client, make_article):
    article = with_photo(make_article)
    stray = article.photo.name.replace(article.photo.name.rsplit("/", 1)[1], "stray.jpg")
    article.photo.storage.save(stray, article.photo.open("rb"))
    assert client.get(settings.MEDIA_URL + stray).status_code == 404
    assert admin_client.get(settings.MEDIA_URL + stray).status_code == 200
    assert client.get("/media/renditions/2022/10/no-such-photo-480.webp").status_code == 404
    for someone in (client, admin_client):  # a NUL byte: a 404, never a 500 (PostgreSQL)
        assert someone.get("/media/photos/a%00b.jpg").status_code == 404


def test_a_public_photo_costs_one_query(client, make_article, django_assert_num_queries):
    article = with_photo(make_article)
    for url in urls(article)[:2]:
        with django_assert_num_queries(1):
            assert client.get(url).status_code == 200


def test_the_lookup_by_file_name_reads_the_photo_index(make_article):
    """The planner finds the item by its photo's name, not by walking every published item:
    with thousands of items, with fresh statistics, and on SQLite also without any (a database
    nobody has analysed yet)."""
    reporter = make_article().reporter
    Article.objects.bulk_create(
        Article(
            headline=f"稿件{n}",
            body="正文。",
            reporter=reporter,
            status="published",
            photo=f"photos/2022/10/{n:016x}.jpg",
            photo_width=1200,  # known: nothing opens the (absent) file
            photo_height=900,
        )
        for n in range(3000)
    )
    names = images.photo_names_for("renditions/2022/10/0000000000000abc-960.webp")
    sql, params = public_owners(names).only("id").query.sql_with_params()
    explain = "EXPLAIN" if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN"

    def plan():
        with connection.cursor() as cursor:
            cursor.execute(f"{explain} {sql}", params)
            return " ".join(str(row) for row in cursor.fetchall())

    if connection.vendor == "sqlite":
        assert "article_photo" in plan()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    assert "article_photo" in plan()
    assert public_owners(names).count() == 1


def test_with_the_page_cache_the_answer_is_kept_until_the_content_changes(
    client,
    settings,
    tmp_path,
    make_article,
    clock,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
):
    settings.PAGE_CACHE = True
    settings.PAGE_GENERATION_FILE = tmp_path / "page-generation.json"
    with django_capture_on_commit_callbacks(execute=True):
        article = with_photo(make_article, unpublish_at=clock.now + timezone.timedelta(minutes=5))
    url = urls(article)[1]
    clock.forward(seconds=1)  # (an answer found at the very time of a write is not kept)
    assert client.get(url).status_code == 200
    with django_assert_num_queries(0):  # kept: no database
        assert client.get(url).status_code == 200
    for status, code in ((Article.Status.DRAFT, 404), (Article.Status.PUBLISHED, 200)):
        article.status = status
        with django_capture_on_commit_callbacks(execute=True):
            article.save()  # a save retires the answer at once
        assert client.get(url).status_code == code
    clock.forward(minutes=5)  # and so does the 下线时间, with no save
    assert client.get(url).status_code == 404


def test_every_rendition_name_leads_back_to_its_photo():
    for photo in ("photos/2026/11/3f2a9c0d1e4b5a6c.png", "photos/2026/11/ab-cd_x1.jpg"):
        for name in images.rendition_names(photo, 2000):
            assert photo in images.photo_names_for(name)
        assert images.photo_names_for(photo) == [photo]
    for other in (
        "notes.jpg",
        "renditions/x.webp",
        "renditions/2026/11/abc.webp",
        "x/photos/a.jpg",
    ):
        assert images.photo_names_for(other) == []


def test_is_public_follows_the_one_rule(make_article):
    article = with_photo(make_article)
    assert is_public(article.photo.name)
    Article.objects.filter(pk=article.pk).update(unpublish_at=timezone.now())
    assert not is_public(article.photo.name)


class TestBehindNginx:
    """DJANGO_MEDIA_ACCEL_REDIRECT: Django decides, nginx sends the file from an internal
    location (deploy/nginx.conf)."""

    @pytest.fixture(autouse=True)
    def accel(self, settings):
        settings.MEDIA_ACCEL_REDIRECT = "/internal-media/"

    def test_a_public_file_is_handed_to_nginx(self, client, make_article):
        article = with_photo(make_article)
        webp = urls(article)[1]
        assert webp.endswith(".webp")
        response = client.get(webp)
        assert response.status_code == 200 and response.content == b""
        assert response["X-Accel-Redirect"] == "/internal-media/" + webp.removeprefix("/media/")
        assert response["Content-Type"] == "image/webp"
        assert response["Cache-Control"] == "public, max-age=31536000, immutable"

    def test_an_offline_file_is_a_404_without_the_header(self, client, admin_client, make_article):
        article = with_photo(make_article, status=Article.Status.DRAFT)
        for url in urls(article):
            response = client.get(url)
            assert response.status_code == 404 and "X-Accel-Redirect" not in response
        preview = admin_client.get(urls(article)[0])
        assert preview["X-Accel-Redirect"] == "/internal-media/" + article.photo.name
        assert preview["Cache-Control"] == "private, no-store"

    def test_a_missing_or_escaping_path_is_our_404(self, admin_client, make_article):
        article = with_photo(make_article)
        admin_client.raise_request_exception = False
        for path in ("photos/2022/10/gone.jpg", "photos/../../etc/passwd.jpg", "a%00b.jpg"):
            response = admin_client.get(settings.MEDIA_URL + path)
            assert response.status_code in (400, 404) and "X-Accel-Redirect" not in response
        assert article.photo.name  # the real file next to them is still served
        assert admin_client.get(urls(article)[0]).status_code == 200
