from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

admin.site.site_header = "平城社区新闻 · 编辑后台"
admin.site.site_title = "平城社区新闻编辑后台"
admin.site.index_title = "稿件与栏目管理"
admin.site.site_url = "/"

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("news.urls")),
]

if settings.SERVE_MEDIA:
    # Single-machine default: uploaded photos served by Django. `serve` joins the path safely
    # under MEDIA_ROOT (no "../" escapes) and guesses the content type from the extension.
    prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns.append(
        re_path(rf"^{prefix}(?P<path>.+)$", serve, {"document_root": settings.MEDIA_ROOT})
    )
