import pytest
from django.urls import resolve, reverse


@pytest.mark.parametrize(
    "name, kwargs, path",
    [
        ("news:front", {}, "/"),
        ("news:article", {"pk": 7}, "/news/7/"),
        ("news:streets", {}, "/streets/"),
        ("news:street", {"street": "yongtai"}, "/streets/yongtai/"),
        (
            "news:community",
            {"street": "yongtai", "community": "xingguosi"},
            "/streets/yongtai/xingguosi/",
        ),
        ("news:reporter", {"reporter": "zheng-lin"}, "/reporters/zheng-lin/"),
        ("news:search", {}, "/search/"),
        ("news:archive_index", {}, "/archive/"),
        ("news:archive_month", {"year": "2022", "month": "09"}, "/archive/2022/09/"),
        ("news:street_digest", {"street": "yingbin"}, "/streets/yingbin/digest/"),
        ("news:feeds", {}, "/feeds/"),
        ("news:feed_rss", {}, "/feeds/rss/"),
        ("news:street_feed_atom", {"street": "yingbin"}, "/feeds/streets/yingbin/atom/"),
        ("news:opml_street", {"street": "yingbin"}, "/feeds/streets/yingbin.opml"),
        ("news:set_preferences", {}, "/prefs/"),
    ],
)
def test_url_shapes(name, kwargs, path):
    assert reverse(name, kwargs=kwargs) == path
    match = resolve(path)
    assert f"{match.namespace}:{match.url_name}" == name
    assert match.kwargs == kwargs


def test_admin_is_mounted_at_its_configured_path(settings):
    assert settings.ADMIN_URL == "admin/"
    assert reverse("admin:index") == "/admin/"
