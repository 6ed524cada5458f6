"""news.links: the same paths as reverse(), without reversing each time."""

import pytest
from django.test import override_settings
from django.urls import NoReverseMatch, include, path, reverse, set_script_prefix

from news import links

# A URLconf that serves the site one level down, for the test that changes ROOT_URLCONF.
urlpatterns = [path("elsewhere/", include("news.urls"))]

CASES = [
    ("news:article", {"pk": 1}),
    ("news:article", {"pk": 90817036254}),  # the marker itself, as a real id
    ("news:article", {"pk": 0}),
    ("news:street", {"street": "yingbin"}),
    ("news:community", {"street": "yingbin", "community": "yong-an_li2"}),
    ("news:reporter", {"reporter": "zheng-lin"}),
    ("news:front", {}),
    ("news:archive_month", {"year": "2022", "month": "09"}),  # [0-9]{4}: no template
]


@pytest.mark.parametrize("name, kwargs", CASES)
def test_paths_are_what_reverse_gives(name, kwargs):
    for _ in range(2):  # the first call makes the template, the second uses it
        assert links.path(name, **kwargs) == reverse(name, kwargs=kwargs)


def test_a_script_prefix_is_kept():
    try:
        set_script_prefix("/sub/")
        assert (
            links.path("news:article", pk=5)
            == "/sub/news/5/"
            == reverse("news:article", kwargs={"pk": 5})
        )
    finally:
        set_script_prefix("/")
    assert links.path("news:article", pk=5) == "/news/5/"


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("news:article", {"pk": -1}),
        ("news:street", {"street": "永泰"}),
        ("news:street", {"street": "a/b"}),
        ("news:reporter", {"reporter": ""}),
    ],
)
def test_what_reverse_refuses_is_refused(name, kwargs):
    with pytest.raises(NoReverseMatch):
        reverse(name, kwargs=kwargs)
    with pytest.raises(NoReverseMatch):
        links.path(name, **kwargs)


def test_a_new_urlconf_is_followed():
    assert links.path("news:street", street="yingbin") == "/streets/yingbin/"
    with override_settings(ROOT_URLCONF=__name__):
        assert links.path("news:street", street="yingbin") == "/elsewhere/streets/yingbin/"
        assert links.path("news:archive_month", year="2022", month="09") == (
            "/elsewhere/archive/2022/09/"
        )
    assert links.path("news:street", street="yingbin") == "/streets/yingbin/"
    assert links.path("news:archive_month", year="2022", month="09") == "/archive/2022/09/"
