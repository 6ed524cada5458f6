"""What got in an editor's way in the admin (issue 11, item 6): the photo after a form error, a
thumbnail of the saved photo, searching by names, publishing an old draft from the form."""

import pytest
from django.urls import reverse
from django.utils import timezone

from news.models import Article, Street
from tests.admin_forms import article_form, form_of
from tests.images import phone_photo
from tests.review import approve

pytestmark = pytest.mark.django_db
ADD = "admin:news_article_add"


def test_after_a_form_error_the_editor_is_told_to_choose_the_photo_again(admin_client, bulletin):
    photo = phone_photo()
    wrong_street = Street.objects.get(slug="yongtai").pk
    response = admin_client.post(reverse(ADD), article_form(street=wrong_street, photo=photo))
    assert response.status_code == 200
    html = response.content.decode()
    assert "所选社区不属于所选街道" in html
    assert f"你选的图片“{photo.name}”也没有上传。改好错误后，请重新选择这张图片。" in html
    assert not Article.objects.filter(headline="第九篇稿件").exists()


def test_a_bad_photo_gets_its_own_message_only(admin_client, bulletin):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("x.jpg", b"not a photo", content_type="image/jpeg")
    html = admin_client.post(reverse(ADD), article_form(photo=fake)).content.decode()
    assert "也没有上传" not in html


def test_the_saved_photo_shows_as_a_thumbnail(admin_client, bulletin):
    data = article_form(photo=phone_photo(size=(1000, 750)), status="draft")
    response = admin_client.post(reverse(ADD), data)
    assert response.status_code == 302
    article = Article.objects.get(headline="第九篇稿件")
    html = admin_client.get(reverse("admin:news_article_change", args=[article.pk])).content
    small = article.photo.storage.url(article.photo.name.replace("photos/", "renditions/"))
    small = small.rsplit(".", 1)[0] + "-480.jpg"
    assert f'<img src="{small}" alt="居民在社区广场上" class="photo-thumbnail"' in html.decode()
    assert admin_client.get(small).status_code == 200


@pytest.mark.parametrize(
    "query, expected",
    [("杨翠叶", 3), ("迎宾街道", 2), ("永安里社区", 1), ("郑林", 5)],
)
def test_admin_search_finds_items_by_reporter_street_and_community(
    admin_client, bulletin, query, expected
):
    response = admin_client.get(reverse("admin:news_article_changelist"), {"q": query})
    found = response.context["cl"].result_count
    assert (
        found
        == expected
        == Article.objects.filter(
            **{
                "杨翠叶": {"reporter__name": query},
                "郑林": {"reporter__name": query},
                "迎宾街道": {"street__name": query},
                "永安里社区": {"community__name": query},
            }[query]
        ).count()
    )


def test_setting_an_old_draft_to_published_in_the_form_gives_it_the_current_time(
    admin_client, make_article
):
    old = make_article(status=Article.Status.DRAFT, published_at=timezone.now().replace(2022, 9, 1))
    approve(old)
    before = timezone.now().replace(microsecond=0)
    response = admin_client.post(
        reverse("admin:news_article_change", args=[old.pk]), form_of(old, status="published")
    )
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.status == Article.Status.PUBLISHED and old.published_at >= before


def test_a_time_the_editor_sets_while_publishing_is_kept(admin_client, make_article):
    old = make_article(status=Article.Status.DRAFT, published_at=timezone.now().replace(2022, 9, 1))
    approve(old)
    data = form_of(old, status="published", published_at_0="2022-09-30", published_at_1="08:00:00")
    assert (
        admin_client.post(reverse("admin:news_article_change", args=[old.pk]), data).status_code
        == 302
    )
    old.refresh_from_db()
    assert timezone.localtime(old.published_at).strftime("%Y-%m-%d %H:%M") == "2022-09-30 08:00"
