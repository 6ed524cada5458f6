"""Uploaded photos: only those of items the public can see, to the public.

A photo and its renditions are public while their article is (Article.objects.published()):
a draft's, a scheduled item's or a taken-down item's files answer 404 (their URLs were in the
feed and in og:image), until the item is public again. Logged-in editors still get them, for
previews, marked private so that no shared cache keeps them. The lookup from a file name to its
article is one indexed query (the article_photo index; images.photo_names_for), and with the
page cache on its answer is kept until the content changes (is_public).

Who sends the bytes:
- the single-machine default (`make run`): Django itself, `django.views.static.serve`, which
  joins the path safely (no "../" escapes) and sets the type from the extension;
- behind nginx (DJANGO_MEDIA_ACCEL_REDIRECT=/internal-media/): Django only decides and answers
  with an empty response whose X-Accel-Redirect header names the file; nginx sends it from its
  `internal` location (deploy/nginx.conf), so a worker is busy for the lookup, not the transfer.

Only image files are served; anything else is a 404. Every stored name is unique
(images.photo_upload_to), so browsers may keep a public file for a year.
"""

import hashlib
import logging
import mimetypes
import os
import time
from urllib.parse import quote

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404, HttpResponse
from django.utils._os import safe_join
from django.views.static import serve

from . import cache as page_cache
from . import images, page_tags
from .models import Article
from .views import can_preview

log = logging.getLogger(__name__)

SERVED_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")
ONE_YEAR = 365 * 24 * 60 * 60


def public_owners(names):
    """The public items whose photo is one of `names`. Found by name first (the article_photo
    index), then tested by published(): asked in one, a planner without fresh statistics may
    walk every published item instead (SQLite does, on the public-order index)."""
    by_name = Article.objects.filter(photo__in=names).values("pk")
    return Article.objects.published().filter(pk__in=by_name)


def is_public(path):
    """Does the media file at `path` belong to an item the public can see now?

    With the page cache on, the answer is kept until the next write of any item (the page tag
    ANY, news/page_tags.py) or the end of the generation (news/cache.py: the next scheduled or
    take-down time): exactly when an answer can change. A photo request is then one cache read,
    no database connection."""
    names = images.photo_names_for(path)
    if not names:
        return False
    generation = settings.PAGE_CACHE and page_cache.current_generation()
    if not generation:
        return public_owners(names).exists()
    key = f"media-public:{generation.token}:{hashlib.sha256(path.encode()).hexdigest()[:32]}"
    try:
        checked_at, known = cache.get(key) or (None, None)
        if known is not None and page_tags.still_good([page_tags.ANY], checked_at) is None:
            known = None  # a write since (news/page_tags.py): ask again
    except Exception:  # a stopped cache: ask the database
        known = None
    if known is None:
        checked_at = time.time()
        known = public_owners(names).exists()
        try:
            cache.set(key, (checked_at, known), settings.PAGE_CACHE_SECONDS)
        except Exception:
            log.warning("cache unavailable: photo check not kept", exc_info=True)
    return known


def serve_media(request, path):
    # A NUL byte can be in no stored name, and PostgreSQL refuses it in a query (a 500).
    if not path.lower().endswith(SERVED_SUFFIXES) or "\x00" in path:
        raise Http404("不提供这种文件")
    public = is_public(path)
    if not public and not can_preview(request.user):  # editors may preview any photo
        raise Http404("图片不存在，或者它所属的稿件已经下线")
    if settings.MEDIA_ACCEL_REDIRECT:
        response = accel_redirect(path)
    else:
        try:
            response = serve(request, path, document_root=settings.MEDIA_ROOT)
        except SuspiciousFileOperation as exc:
            raise Http404("文件不存在") from exc
    if public:
        response["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    else:  # a preview: never kept by a shared cache, nor for long by the editor's browser
        response["Cache-Control"] = "private, no-store"
    return response


def accel_redirect(path):
    """An empty response that tells nginx which file to send (its clean path under
    MEDIA_ACCEL_REDIRECT); a missing file is our Chinese 404, not nginx's."""
    try:
        full = safe_join(settings.MEDIA_ROOT, path)
    except SuspiciousFileOperation as exc:
        raise Http404("文件不存在") from exc
    if not os.path.isfile(full):
        raise Http404("文件不存在")
    clean = os.path.relpath(full, os.path.abspath(settings.MEDIA_ROOT)).replace(os.sep, "/")
    response = HttpResponse(content_type=mimetypes.guess_type(full)[0])
    response["X-Accel-Redirect"] = settings.MEDIA_ACCEL_REDIRECT.rstrip("/") + "/" + quote(clean)
    return response
