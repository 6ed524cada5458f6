"""Uploaded photos, served by Django in the single-machine default (`make run`).

Only image files under MEDIA_ROOT: `serve` joins the path safely (no "../" escapes) and sets
the content type from the extension; anything else is a 404. Every stored name is unique
(images.photo_upload_to), so browsers may keep a file for a year.
"""

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404
from django.views.static import serve

SERVED_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")
ONE_YEAR = 365 * 24 * 60 * 60


def serve_media(request, path):
    if not path.lower().endswith(SERVED_SUFFIXES):
        raise Http404("不提供这种文件")
    try:
        response = serve(request, path, document_root=settings.MEDIA_ROOT)
    except SuspiciousFileOperation as exc:
        raise Http404("文件不存在") from exc
    response["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    return response
