"""字号, 长者模式, 特大鼠标 and 十字线 without JavaScript: links that set a cookie, pages that
render the choice, and a page cache that keeps each combination apart."""

import re

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


def test_large_pointer_and_reading_guide_are_remembered_like_the_others(client, bulletin):
    response = client.get("/prefs/", {"pointer": "large", "guide": "on", "next": "/news/2/"})
    assert response.status_code == 302 and response["Location"] == "/news/2/"
    for name, value in (("pc_pointer", "large"), ("pc_guide", "on")):
        cookie = response.cookies[name]
        assert cookie.value == value and cookie["httponly"] and cookie["samesite"] == "Lax"
    html = client.get("/news/2/").content.decode()
    assert (
        '<html lang="zh-Hans" class="size-medium contrast-normal pointer-large guide-on">' in html
    )
    assert 'aria-current="true"><span class="visually-hidden">特大鼠标</span>开</a>' in html
    assert 'aria-current="true"><span class="visually-hidden">十字线</span>开</a>' in html
    assert '<script src="/static/js/guide.js" defer></script>' in html
    # Turned off again: the classes and the guide's script are gone.
    client.get("/prefs/", {"pointer": "normal", "guide": "off", "next": "/"})
    html = client.get("/news/2/").content.decode()
    assert '<html lang="zh-Hans" class="size-medium contrast-normal">' in html
    assert "guide.js" not in html


def test_every_page_offers_the_four_reading_choices_in_order(client, bulletin):
    html = client.get("/streets/").content.decode()
    labels = re.findall(r'<span class="reading-label" id="(\w+)-label">([^<]+)</span>', html)
    assert labels == [
        ("size", "字号"),
        ("contrast", "长者模式"),
        ("pointer", "特大鼠标"),
        ("guide", "十字线"),
    ]
    for query in ("size=small", "size=medium", "size=large", "contrast=high", "pointer=large"):
        assert f"/prefs/?{query}&amp;next=/streets/" in html
    assert "/prefs/?guide=on&amp;next=/streets/" in html
    # Without a choice the defaults are marked: 中, and 关 for the other three.
    current = re.findall(
        r'aria-current="true"><span class="visually-hidden">(\w+)</span>(\w)', html
    )
    assert current == [("字号", "中"), ("长者模式", "关"), ("特大鼠标", "关"), ("十字线", "关")]


def test_unknown_pointer_and_guide_values_are_ignored(client, bulletin):
    response = client.get("/prefs/", {"pointer": "huge", "guide": "1", "next": "/"})
    assert "pc_pointer" not in response.cookies and "pc_guide" not in response.cookies
    client.cookies["pc_pointer"] = "<b>huge</b>"
    client.cookies["pc_guide"] = "ON"
    assert 'class="size-medium contrast-normal">' in client.get("/").content.decode()


@pytest.mark.parametrize(
    ("cookies", "expected"),
    [
        ({}, "medium-normal-normal-off"),
        ({"pc_size": "large", "pc_contrast": "high"}, "large-high-normal-off"),
        ({"pc_pointer": "large"}, "medium-normal-large-off"),
        ({"pc_guide": "on", "pc_size": "small"}, "small-normal-normal-on"),
        ({"pc_pointer": "giant", "pc_guide": "yes"}, "medium-normal-normal-off"),
    ],
)
def test_the_page_variant_names_every_choice(rf, cookies, expected):
    from news import reading

    request = rf.get("/")
    request.COOKIES.update(cookies)
    assert reading.variant(request) == expected


def test_the_page_cache_keeps_each_pointer_and_guide_choice_apart(client, bulletin, settings):
    settings.PAGE_CACHE = True
    plain = client.get("/news/3/")
    assert plain["X-Page-Cache"] == "miss"
    client.cookies["pc_pointer"] = "large"
    large = client.get("/news/3/")
    assert large["X-Page-Cache"] == "miss" and "pointer-large" in large.content.decode()
    client.cookies["pc_guide"] = "on"
    guided = client.get("/news/3/")
    assert guided["X-Page-Cache"] == "miss" and "guide.js" in guided.content.decode()
    assert client.get("/news/3/")["X-Page-Cache"] == "hit"
    del client.cookies["pc_pointer"], client.cookies["pc_guide"]
    again = client.get("/news/3/")
    assert again["X-Page-Cache"] == "hit" and "pointer-large" not in again.content.decode()


@pytest.mark.parametrize(
    "address",
    ['/search/?q="><script>alert(1)</script>', "/no-such-page/\"'><img src=x onerror=alert(1)>/"],
)
def test_the_page_address_in_the_reading_tools_stays_inert(client, bulletin, address):
    """The reading tools are rendered once and marked safe; only the page's address is put in
    per request, percent-encoded. Markup in the address (a search query, a mistyped path)
    must come out as text in every link, never as a tag or a broken attribute."""
    response = client.get(address)
    assert response.status_code in (200, 404)
    html = response.content.decode()
    tools = html[
        html.index('<nav class="reading-tools"') : html.index(
            "</nav>", html.index('<nav class="reading-tools"')
        )
    ]
    nexts = re.findall(r'href="/prefs/\?\w+=\w+&amp;next=([^"]*)"', tools)
    assert len(nexts) == 9  # every option of the four choices
    for value in nexts:
        assert re.fullmatch(r"[A-Za-z0-9_.~/%-]+", value), value
    assert "<script>alert(1)" not in html and "<img src=x" not in html
