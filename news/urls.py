from django.urls import path

from . import views

app_name = "news"

urlpatterns = [
    path("", views.front_page, name="front"),
    path("news/<int:pk>/", views.ArticleDetailView.as_view(), name="article"),
    path("streets/", views.street_directory, name="streets"),
    path("streets/<slug:street>/", views.StreetListView.as_view(), name="street"),
    path(
        "streets/<slug:street>/<slug:community>/",
        views.CommunityListView.as_view(),
        name="community",
    ),
    path("reporters/<slug:reporter>/", views.ReporterListView.as_view(), name="reporter"),
    path("search/", views.search_page, name="search"),
]
