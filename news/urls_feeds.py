"""URL patterns for the feeds and OPML files (spliced into the `news` namespace by news/urls.py)
and for sitemap.xml and robots.txt (spliced into the root by pingcheng/urls.py)."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path

from . import feeds, sitemaps


def rss_and_atom(route, name, rss_feed, atom_feed):
    """One feed in both formats: `<route>rss/` named `<name>_rss`, `<route>atom/` `<name>_atom`."""
    return [
        path(f"{route}rss/", rss_feed(), name=f"{name}_rss"),
        path(f"{route}atom/", atom_feed(), name=f"{name}_atom"),
    ]


feed_urlpatterns = [
    path("feeds/", feeds.feeds_page, name="feeds"),
    *rss_and_atom("feeds/", "feed", feeds.DistrictFeed, feeds.DistrictAtomFeed),
    *rss_and_atom(
        "feeds/streets/<slug:street>/", "street_feed", feeds.StreetFeed, feeds.StreetAtomFeed
    ),
    *rss_and_atom(
        "feeds/streets/<slug:street>/<slug:community>/",
        "community_feed",
        feeds.CommunityFeed,
        feeds.CommunityAtomFeed,
    ),
    *rss_and_atom(
        "feeds/reporters/<slug:reporter>/",
        "reporter_feed",
        feeds.ReporterFeed,
        feeds.ReporterAtomFeed,
    ),
    path("feeds/all.opml", feeds.opml_all, name="opml_all"),
    path("feeds/streets/<slug:street>.opml", feeds.opml_street, name="opml_street"),
]

sitemap_urlpatterns = [
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps.SITEMAPS}, name="sitemap"),
    path("robots.txt", sitemaps.robots_txt, name="robots_txt"),
]
