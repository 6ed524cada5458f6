"""字号 and 长者模式 without JavaScript: links that set a cookie, pages that render the choice."""

import pytest

pytestmark = pytest.mark.django_db


def test_choosing_large_type_sets_a_cookie_and_returns_to_the_page(client, bulletin):
    response = client.get("/prefs/", {"size": "large", "next": "/news/2/"})
    assert response.status_code == 302 and response["Location"] == "/news/2/"
    cookie = response.cookies["pc_size"]
    assert cookie.value == "large" and cookie["httponly"] and cookie["samesite"] == "Lax"
    html = client.get("/news/2/").content.decode()
    assert '<html lang="zh-Hans" class="size-large contrast-normal">' in html
    assert 'aria-current="true"><span class="visually-hidden">字号</span>大</a>' in html


def test_high_contrast_survives_navigation(client, bulletin):
    client.get("/prefs/", {"contrast": "high", "next": "/"})
    for url in ("/", "/streets/", "/news/5/", "/reporters/yang-cuiye/"):
        assert 'class="size-medium contrast-high"' in client.get(url).content.decode()


def test_links_keep_the_current_page(client, bulletin):
    # (its own query string; parameters the page does not read are not part of it)
    html = client.get("/search/?q=社区&street=yingbin&utm_source=x").content.decode()
    here = "/search/%3Fq%3D%25E7%25A4%25BE%25E5%258C%25BA%26street%3Dyingbin"
    assert f"/prefs/?size=large&amp;next={here}" in html


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "", "news/1/"]
)
def test_never_redirects_off_the_site(client, db, target):
    response = client.get("/prefs/", {"size": "small", "next": target})
    assert response.status_code == 302 and response["Location"] == "/"


def test_unknown_values_are_ignored(client, bulletin):
    response = client.get("/prefs/", {"size": "<script>", "contrast": "max", "next": "/"})
    assert response.status_code == 302
    assert "pc_size" not in response.cookies and "pc_contrast" not in response.cookies
    client.cookies["pc_size"] = "<b>huge</b>"
    html = client.get("/").content.decode()
    assert 'class="size-medium contrast-normal"' in html


def test_pages_vary_on_cookie(client, bulletin):
    assert "Cookie" in client.get("/news/2/")["Vary"]
