"""下线时间 and the states in the editors' admin: set in the form, kept by the versions, shown
in the list with their times."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from news.models import Article
from newsroom import publishing, versions
from tests.admin_forms import form_of
from tests.review import approve

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:news_article_changelist"


def change(admin_client, article, **fields):
    url = reverse("admin:news_article_change", args=[article.pk])
    return admin_client.post(url, form_of(article, **fields))


def test_a_take_down_time_set_on_a_public_item_waits_to_be_published(
    admin_client, client, bulletin
):
    article = Article.objects.get(pk=7)
    down = timezone.localtime() - timezone.timedelta(minutes=5)
    response = change(
        admin_client,
        article,
        unpublish_at_0=down.strftime("%Y-%m-%d"),
        unpublish_at_1=down.strftime("%H:%M:%S"),
    )
    assert response.status_code == 302
    # A working version: the public still sees the item until the change is published.
    assert Article.objects.get(pk=7).unpublish_at is None
    assert client.get(article.get_absolute_url()).status_code == 200
    assert versions.content(versions.latest(article)).unpublish_at is not None

    approve(article)
    publishing.publish(7, user=User.objects.get(username="admin"))  # no text changed: no 更正
    assert client.get(article.get_absolute_url()).status_code == 404
    changelist = admin_client.get(reverse(CHANGELIST)).content.decode()
    assert f"已下线（{down.month}月{down.day}日 {down:%H:%M}）" in changelist


def test_a_take_down_before_the_publication_is_a_form_error(admin_client, bulletin):
    article = Article.objects.get(pk=7)
    before = timezone.localtime(article.published_at) - timezone.timedelta(hours=1)
    response = change(
        admin_client,
        article,
        unpublish_at_0=before.strftime("%Y-%m-%d"),
        unpublish_at_1=before.strftime("%H:%M:%S"),
    )
    assert response.status_code == 200
    assert "必须晚于发布时间" in response.content.decode()
    assert Article.objects.get(pk=7).edit_version == article.edit_version


def test_the_list_shows_scheduled_and_pending_states_with_times(admin_client, bulletin):
    later = timezone.localtime() + timezone.timedelta(days=1)
    Article.objects.filter(pk=8).update(published_at=later)
    change(admin_client, Article.objects.get(pk=7), headline="清理倒伏枯树 保障居民出行")
    html = admin_client.get(reverse(CHANGELIST)).content.decode()
    assert f"已排期（{later.month}月{later.day}日 {later:%H:%M}）" in html
    assert "已发布，有未发布的修改" in html
