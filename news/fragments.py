"""Cards, the front page's lead and article bodies, cached by what they show.

A fragment's key holds everything its HTML depends on: the item's id and `changes` (a count the
database raises on every write of the row, migration 0012), the names and addresses of the
street, community and reporter it shows, the 更正 notes it shows, and a digest of the templates
and code that shape it. So no fragment is ever retired: a write or a rename makes the next key
different, and the old entry ages out of the byte-capped cache. No fragment can show another
item's text (the id is in its key), nor an old text (its count is). This works whether or not
the page cache is on.

A listing asks the database for its page's stamps only (ids, counts, names: no text), then the
full rows of the fragments the cache misses. Each fragment also names its page tags
(news/page_tags.py), so that the page holding it is retired when it changes.
"""

import functools
import hashlib
import logging
from collections import namedtuple
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.template.loader import get_template

from . import page_tags
from .public_sql import stamps_sql

log = logging.getLogger(__name__)

# The stamp of a card: what its key needs, read without the item's text.
STAMP_FIELDS = {
    "pk": "pk",
    "changes": "changes",
    "street_id": "street_id",
    "street_name": "street__name",
    "street_slug": "street__slug",
    "community_id": "community_id",
    "community_name": "community__name",
    "community_slug": "community__slug",
    "community_street_slug": "community__street__slug",
    "reporter_id": "reporter_id",
    "reporter_name": "reporter__name",
    "reporter_slug": "reporter__slug",
}
Stamp = namedtuple("Stamp", STAMP_FIELDS)
# What shapes a fragment besides its row: changing any of these files makes new keys.
TEMPLATES = [
    "includes/article_card.html",
    "includes/article_meta.html",
    "includes/photo.html",
    "includes/lead.html",
    "includes/story.html",
]
CODE = ["models.py", "images.py", "links.py", "text.py"]


@functools.cache
def version():
    """A digest of the fragments' templates, the code that fills them and the settings they
    read, so that a deploy never serves a fragment made by the code before it."""
    digest = hashlib.sha256()
    for name in TEMPLATES:
        digest.update(get_template(name).template.source.encode())
    for name in CODE:
        digest.update((Path(__file__).parent / name).read_bytes())
    for setting in ("MEDIA_URL", "TIME_ZONE", "LANGUAGE_CODE", "USE_TZ"):
        digest.update(repr(getattr(settings, setting)).encode())
    return digest.hexdigest()[:12]


class Stamps:
    """The stamps of a listing's published items, in the site's order, read a slice at a time
    (what a Paginator asks for) by SQL the ORM compiled once for this shape of listing
    (news/public_sql.py: compiling it each time cost more than running it). Keyword
    arguments: which items, as `public_sql.stamps_sql` takes them (e.g. street_id=3)."""

    def __init__(self, **listing):
        self.listing = listing

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step or index.stop is None:
            raise TypeError("Stamps are read by a slice with an end, e.g. [0:20]")
        start = index.start or 0
        if index.stop <= start:
            return []
        sql, params = stamps_sql(list(STAMP_FIELDS.values()), **self.listing)
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} LIMIT %s OFFSET %s", [*params, index.stop - start, start])
            return [Stamp(*row) for row in cursor.fetchall()]

    def first(self):
        return next(iter(self[:1]), None)


def stamp_of(article):
    """The stamp of an item in hand (its places joined in by with_places())."""
    street, community, reporter = article.street, article.community, article.reporter
    return Stamp(
        article.pk,
        article.changes,
        article.street_id,
        street and street.name,
        street and street.slug,
        article.community_id,
        community and community.name,
        community and community.slug,
        community and community.street.slug,
        article.reporter_id,
        reporter.name,
        reporter.slug,
    )


def _key(kind, stamp, *extra):
    stamp = Stamp(*stamp)
    shown = hashlib.sha256(repr((stamp[2:], extra)).encode()).hexdigest()[:16]
    return f"frag:{kind}:{version()}:{stamp.pk}:{stamp.changes}:{shown}"


def _depend(request, stamp):
    stamp = Stamp(*stamp)
    tags = [page_tags.article(stamp.pk), page_tags.owner("r", stamp.reporter_id)]
    if stamp.street_id:
        tags.append(page_tags.owner("s", stamp.street_id))
    if stamp.community_id:
        tags.append(page_tags.owner("c", stamp.community_id))
    page_tags.depend(request, *tags)


def _cache():
    """Each worker's own memory (settings: "fragments"), the fastest to fill: 20 cards stored
    in 0.3 ms, where the disk store takes 30 ms (README). Keyed on what they show, a worker's
    fragments are never stale. Without that alias, the default cache."""
    return caches["fragments" if "fragments" in settings.CACHES else "default"]


def _get_many(keys):
    try:
        return _cache().get_many(keys)
    except Exception:  # the cache is down (its breaker has said so): render everything
        return {}


def _set_many(entries):
    try:
        _cache().set_many(entries, settings.FRAGMENT_CACHE_SECONDS)
    except Exception:  # the breaker has said so once; the page is whole without the cache
        log.debug("fragments not stored", exc_info=True)


def cards(request, rows, level=3):
    """The card HTML of each item of `rows` (stamps), in order. One query for the misses."""
    from .models import Article

    rows = [Stamp(*row) for row in rows]
    keys = {row.pk: _key("card", row, level) for row in rows}
    found = _get_many(list(keys.values()))
    missing = [row.pk for row in rows if keys[row.pk] not in found]
    if missing:
        template = get_template("includes/article_card.html")
        made = {}
        for pk, article in Article.objects.with_places().defer("body").in_bulk(missing).items():
            html = template.render({"article": article, "level": level})
            made[_key("card", stamp_of(article), level)] = html  # keyed on the row it shows
            found[keys[pk]] = html
        _set_many(made)
    for row in rows:
        _depend(request, row)
    # An item deleted between the two queries is left out.
    return [found[keys[row.pk]] for row in rows if keys[row.pk] in found]


def lead(request, row):
    """The front page's lead block for the item of stamp `row`, or "" if it is gone."""
    from .models import Article

    key = _key("lead", row)
    html = _get_many([key]).get(key)
    if html is None:
        article = Article.objects.with_places().filter(pk=row[0]).first()
        if article is None:
            return ""
        html = get_template("includes/lead.html").render({"lead": article})
        _set_many({_key("lead", stamp_of(article)): html})
    _depend(request, row)
    return html


def story(request, article):
    """The article page's own part (headline to 更正 notes) for an item in hand (with its
    places and its notes prefetched)."""
    notes = [(n.pk, n.corrected_at.isoformat(), n.note) for n in article.corrections.all()]
    stamp = stamp_of(article)
    key = _key("story", stamp, notes)
    html = _get_many([key]).get(key)
    if html is None:
        html = get_template("includes/story.html").render({"article": article})
        _set_many({key: html})
    _depend(request, stamp)
    page_tags.depend(request, page_tags.notes(article.pk))
    return html
