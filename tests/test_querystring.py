"""Pages read only the query parameters declared for them (news/querystring.py), whoever asks,
cached or not; the admin's query strings are left alone."""

import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone

from news import querystring
from news.models import Street

pytestmark = pytest.mark.django_db


def test_every_declaration_names_a_page_of_ours():
    """(A page left out takes no parameters: its own tests fail at once, nothing leaks.)"""
    names = {
        f"news:{key}"
        for key in get_resolver().namespace_dict["news"][1].reverse_dict
        if isinstance(key, str)
    }
    assert set(querystring.PARAMETERS) <= names | querystring.ROOT_PAGES


@pytest.mark.parametrize(
    "value, written",
    [
        ("2", "2"),
        ("02", "2"),
        (" 3 ", "3"),
        ("1", None),
        ("0001", None),
        ("", None),
        ("last", "last"),
        ("abc", "abc"),  # kept: its page is a 404, which is never stored
        ("-1", "-1"),
    ],
)
def test_page_numbers_are_written_as_the_paginator_reads_them(value, written):
    assert querystring.page_number(value) == written


def test_junk_reaches_no_view_and_no_link(client, bulletin):
    html = client.get("/news/7/?utm_source=PROBE&from=singlemessage").content.decode()
    assert "PROBE" not in html and "singlemessage" not in html
    assert "next=/news/7/" in html  # the 字号 links lead back to the page itself


def test_the_canonical_link_of_a_page_written_oddly(client, make_article):
    street = Street.objects.create(name="测试街道", slug="ceshi")
    now = timezone.now()
    for n in range(25):
        make_article(street=street, published_at=now - timezone.timedelta(hours=n + 1))
    html = client.get("/streets/ceshi/?page=02&utm_medium=x").content.decode()
    assert '<link rel="canonical" href="http://testserver/streets/ceshi/?page=2">' in html
    assert 'href="?page=1"' in html and "utm_medium" not in html


def test_search_keeps_what_it_reads(client, bulletin):
    html = client.get("/search/", {"q": "社区", "street": "yingbin", "gclid": "x"}).content.decode()
    assert "（迎宾街道）" in html and "gclid" not in html
    assert 'value="yingbin" selected' in html


def test_the_preferences_link_keeps_its_own_parameters(client, bulletin):
    response = client.get("/prefs/", {"size": "large", "next": "/news/7/", "utm_source": "x"})
    assert response.status_code == 302 and response["Location"] == "/news/7/"
    assert response.cookies["pc_size"].value == "large"


def test_the_admin_query_string_is_left_alone(admin_client, bulletin):
    url = reverse("admin:news_article_changelist")
    html = admin_client.get(url, {"q": "永安里", "o": "-1"}).content.decode()
    assert 'value="永安里"' in html
