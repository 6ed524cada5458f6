"""Anonymous pages from the cache, retired the moment anything on them changes.

A page's entry is named by the site's "generation", its path, its canonical query string
(news.querystring: only the parameters the page reads, so `?utm_source=…` is the plain page) and
the reader's reading choices (news.reading.variant). It holds the moment its render began and
the page tags it collected while rendering (news/page_tags.py: the items, places and listings it
shows). A write retires the tags it touches (news/retire.py, through news/signals.py); a stored
page is served only while all its tags are older than its render. So an editor's save makes
again only the pages that show what it changed, not the whole site.

The generation retires every page at once: when the next scheduled item's time or 下线时间
arrives (the record knows when that is, so an item appears and leaves on the minute with no job
to run and no write), when another database file is put in place, and on every write when the
cache is local memory: there each worker has its own cache, and only the generation (kept in a
file every worker checks) reaches them all. Staff (anyone with a session cookie) and previews
are never served from, or stored in, the cache. The backends bound their memory
(news.cache_store).

If the cache fails (Redis gone or hanging), the breaker in news.cache_store answers
CacheUnavailable at once and pages are served from the database as if uncached. A retirement
missed then is made, as a new generation, when the cache answers again, so no page outlives a
save. If Redis evicts the generation record, the next request starts a new generation: pages are
rendered afresh, never served stale.
"""

import hashlib
import json
import logging
import os
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from . import page_tags, querystring, reading
from .cache_store import CacheUnavailable

log = logging.getLogger(__name__)
GENERATION_KEY = "page-generation"
UNKNOWN = -1.0  # next_due not yet looked up (a process without a database may invalidate)
EXEMPT_PREFIXES = ("/prefs/", "/media/", "/static/")
# Headers that belong to the moment, not to the page: never stored with it.
FRESH_HEADERS = {
    "set-cookie",
    "content-length",
    "date",
    "etag",
    "last-modified",
    "cache-control",
    "expires",
    "x-page-cache",
}


@dataclass(frozen=True)
class Generation:
    token: str
    changed: float  # when content last changed (Last-Modified)
    next_due: float | None  # when the next scheduled item goes out, if any


def _next_due():
    """When the generation ends by the clock: the next scheduled item's time or the next
    下线时间, whichever is first, so that an item also leaves every page at its minute."""
    from .models import Article

    moment = Article.objects.next_change()
    return moment.timestamp() if moment else None


class SharedCacheGenerations:
    """The generation in the cache itself: right when the cache is shared (Redis)."""

    def get(self):
        return cache.get(GENERATION_KEY)

    def set(self, generation):
        cache.set(GENERATION_KEY, generation, None)


class FileGenerations:
    """The generation in a small file, for local-memory caches: each gunicorn worker keeps its
    own pages, and all must see an editor's save at once. A stat() per request tells whether
    another worker has written a new one; writes replace the file atomically."""

    def __init__(self, path):
        self.path = Path(path)
        self.seen = (None, None)  # (mtime_ns, Generation)

    def get(self):
        try:
            mtime = self.path.stat().st_mtime_ns
        except FileNotFoundError:
            return None
        if mtime != self.seen[0]:
            data = json.loads(self.path.read_text())
            self.seen = (mtime, Generation(**data))
        return self.seen[1]

    def set(self, generation):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        spare = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        spare.write_text(json.dumps(asdict(generation)))
        os.replace(spare, self.path)


_file_generations = {}


def generations():
    # In Redis, which every host shares; otherwise in a file, which every worker of this
    # machine sees and no cache cap can evict (the disk store evicts its oldest entries first).
    if "RedisCache" in settings.CACHES["default"]["BACKEND"]:
        return SharedCacheGenerations()
    path = settings.PAGE_GENERATION_FILE
    return _file_generations.setdefault(str(path), FileGenerations(path))


# Set when this process could not retire the pages (the cache was unreachable): the cache may
# still hold them (a network partition, not a restart), so the first request that reaches the
# cache again starts a new generation before it reads any page.
_missed_invalidation = threading.Event()


def _new_generation():
    return Generation(uuid.uuid4().hex[:16], time.time(), UNKNOWN)


def invalidate():
    """Retire every cached page. Safe to call without a database, and if the cache is down."""
    try:
        generations().set(_new_generation())
    except CacheUnavailable:  # the breaker has logged it; retried by current_generation()
        _missed_invalidation.set()
    except Exception:
        log.warning("page cache unavailable: could not invalidate", exc_info=True)


def current_generation():
    """The live generation, or None when the cache cannot be used."""
    store = generations()
    try:
        if _missed_invalidation.is_set():
            store.set(_new_generation())
            _missed_invalidation.clear()
        generation = store.get()
        if generation is None or (generation.next_due and time.time() >= generation.next_due):
            generation = _new_generation()  # none yet, evicted, or a scheduled item is due
        if generation.next_due == UNKNOWN:
            generation = Generation(generation.token, generation.changed, _next_due())
            store.set(generation)
        return generation
    except CacheUnavailable:
        return None
    except Exception:
        log.warning("page cache unavailable: serving from the database", exc_info=True)
        return None


def _is_staff_or_private(request):
    return settings.SESSION_COOKIE_NAME in request.COOKIES


def _eligible(request):
    path = request.path
    return (
        settings.PAGE_CACHE
        and request.method in ("GET", "HEAD")
        and not _is_staff_or_private(request)
        and not path.startswith(EXEMPT_PREFIXES)
        and not path.startswith("/" + settings.ADMIN_URL)
    )


def _validators(digest, rendered_at, changed, generation):
    """ETag and Last-Modified of one stored render of a page."""
    etag = f'"{digest[:16]}-{int(rendered_at * 1000):x}"'
    return etag, int(max(changed, generation.changed))


def _storable(response):
    control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in control
        and "no-store" not in control
    )


def tags_shared():
    """Whether tag records reach every worker: on disk and in Redis, not in per-worker local
    memory."""
    return "LocMemCache" not in settings.CACHES["default"]["BACKEND"]


def retire(tags):
    """After a write: retire the pages that show what `tags` name (news/page_tags.py). With
    per-worker local memory, where a tag written here would reach no other worker, every page."""
    if not tags_shared():
        invalidate()
        return
    try:
        page_tags.retire(tags)
    except CacheUnavailable:  # as in invalidate(): retried as a new generation later
        _missed_invalidation.set()
    except Exception:
        log.warning("page cache unavailable: could not retire pages", exc_info=True)
        _missed_invalidation.set()


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Before anything reads the query: the view renders, and the cache keys, only what the
        # page reads (news.querystring), for every visitor alike.
        querystring.canonicalize(request)
        if not _eligible(request):
            response = self.get_response(request)
            if _is_staff_or_private(request):
                patch_cache_control(response, private=True)
            return response
        generation = current_generation()
        if generation is None:
            return self.get_response(request)

        name = f"{generation.token}:{reading.variant(request)}:{request.build_absolute_uri()}"
        digest = hashlib.sha256(name.encode()).hexdigest()
        key = f"page:{digest}"
        started = time.time()
        try:
            stored = cache.get(key)
            changed = stored and page_tags.still_good(stored[1], stored[0])
        except Exception:
            stored = changed = None
        if changed is not None and stored:
            rendered_at, _tags, headers, content = stored
            # The ETag names this page and this render; a 304 costs no render.
            etag, last_modified = _validators(digest, rendered_at, changed, generation)
            not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
            if not_modified is not None:
                return self._mark(not_modified, etag, last_modified)
            response = HttpResponse(content, headers=headers)
            response["X-Page-Cache"] = "hit"
            return self._mark(response, etag, last_modified)

        request.page_tags = set()
        response = self.get_response(request)
        if request.method == "GET" and _storable(response):
            tags = tuple(sorted(request.page_tags or {page_tags.ANY})) if tags_shared() else ()
            headers = {k: v for k, v in response.items() if k.lower() not in FRESH_HEADERS}
            try:
                changed = page_tags.last_changed(tags, started)
                entry = (started, tags, headers, response.content)
                cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
            except CacheUnavailable:
                return response
            except Exception:
                log.warning("page cache unavailable: page not stored", exc_info=True)
                return response
            response["X-Page-Cache"] = "miss"
            self._mark(response, *_validators(digest, started, changed, generation))
        return response

    @staticmethod
    def _mark(response, etag, last_modified):
        response["ETag"] = etag
        response["Last-Modified"] = http_date(last_modified)
        patch_cache_control(response, public=True, max_age=settings.PAGE_MAX_AGE)
        if response.status_code == 304:
            response["Vary"] = "Cookie"
        return response
