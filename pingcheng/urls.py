from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from news.media import serve_media
from news.urls_feeds import sitemap_urlpatterns

admin.site.site_header = "平城社区新闻 · 编辑后台"
admin.site.site_title = "平城社区新闻编辑后台"
admin.site.index_title = "稿件与栏目管理"
admin.site.site_url = "/"

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("news.urls")),
    *sitemap_urlpatterns,
]

if settings.SERVE_MEDIA:  # single-machine default; a proxy or object storage takes over later
    prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns.append(re_path(rf"^{prefix}(?P<path>.+)$", serve_media, name="media"))
