"""What a cached page shows, by name, so that a save retires only the pages that show it.

A page rendered for the page cache (news/cache.py) collects tags while it renders: the views
name the listing and the owner they show, news/fragments.py the article, street, community and
reporter of every card and body. A page that names nothing depends on ANY, which every change
retires (feeds, search, the sitemap …). A write names what it touches (news/retire.py) and
each of those tags gets the time of the write in the shared cache; a stored page is good only
while every one of its tags is older than the moment its render began.

Why times and not tokens: a page whose render overlapped a save (it may have read the row just
before the save committed) began before the tag's time, so it is never served; and a tag's time
is the page's Last-Modified. On one machine every worker reads the same clock; several web
servers on one Redis set PAGE_CACHE_CLOCK_SKEW to the most their clocks may differ.

A tag the cache does not hold is written by the first page that needs it, as changed just before
that page's render began. (Had the record been evicted, a page rendered in the moment before
that and before the lost write could come back; the record of a write is among the most recently
used keys, the last an LRU cache drops.)

With local memory each worker has its own cache, and a tag written in one worker is unknown to
the others: there the page cache skips tags and a write starts a new generation for every worker
(news/cache.py).
"""

import time

from django.conf import settings
from django.core.cache import cache

from .cache_store import CacheUnavailable

ANY = "any"  # every change: the default of a page that names nothing
LIST_ALL = "list:all"  # which items are public, and their order (front page, archive)
PLACES = "places"  # the list of streets, communities and reporters, and their names
PREFIX = "tag:"


def article(pk):
    """An item's own fields: its card, its body, its headline in a neighbour's 上一篇/下一篇."""
    return f"a:{pk}"


def notes(pk):
    """An item's 更正 notes (shown on its own page only)."""
    return f"notes:{pk}"


def neighbours(pk):
    """Which items are this item's 上一篇 and 下一篇."""
    return f"nb:{pk}"


def owner(kind, pk):
    """A street's, community's or reporter's name and address (kind "s", "c" or "r")."""
    return f"{kind}:{pk}"


def listing(kind, pk):
    """Which items an owner's listing holds, in what order, and how many."""
    return f"list:{kind}:{pk}"


def depend(request, *tags):
    """Record that the page being rendered shows what `tags` name (no-op when uncached)."""
    collected = getattr(request, "page_tags", None)
    if collected is not None:
        collected.update(tags)


def retire(tags):
    """Mark `tags` changed now. Raises CacheUnavailable when the cache cannot be reached."""
    now = time.time()
    cache.set_many({PREFIX + tag: now for tag in tags}, None)


def last_changed(tags, rendered_at=None):
    """The newest time among `tags`. A tag the cache does not hold (never written, or evicted)
    is written as changed just before `rendered_at` (or now): the page being stored is good
    from its next request on, and a write that commits during its render still retires it."""
    keys = [PREFIX + tag for tag in tags]
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        moment = (rendered_at or time.time()) - 2 * settings.PAGE_CACHE_CLOCK_SKEW - 0.001
        for key in missing:
            cache.add(key, moment, None)  # add: a write's time set meanwhile wins
        found.update(cache.get_many(missing))
        if len(found) < len(keys):
            raise CacheUnavailable("tag records not kept")
    return max(found.values(), default=0.0)


def still_good(tags, rendered_at):
    """The page's last change if a page rendered at `rendered_at` still shows what its tags
    name now, else None."""
    changed = last_changed(tags)
    return changed if changed < rendered_at - settings.PAGE_CACHE_CLOCK_SKEW else None
