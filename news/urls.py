from django.urls import path, re_path

from . import digest, reading, views
from .urls_feeds import feed_urlpatterns

app_name = "news"

urlpatterns = [
    path("", views.front_page, name="front"),
    path("news/<int:pk>/", views.ArticleDetailView.as_view(), name="article"),
    path("streets/", views.street_directory, name="streets"),
    path("streets/<slug:street>/", views.StreetListView.as_view(), name="street"),
    path("streets/<slug:street>/digest/", digest.street_digest, name="street_digest"),
    path(
        "streets/<slug:street>/<slug:community>/",
        views.CommunityListView.as_view(),
        name="community",
    ),
    path("reporters/<slug:reporter>/", views.ReporterListView.as_view(), name="reporter"),
    path("archive/", views.archive_index, name="archive_index"),
    re_path(
        r"^archive/(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/$",
        views.MonthArchive.as_view(),
        name="archive_month",
    ),
    path("search/", views.search_page, name="search"),
    path("prefs/", reading.set_preferences, name="set_preferences"),
]

urlpatterns += feed_urlpatterns
