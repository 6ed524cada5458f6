"""Which cached pages a write touches, named as page tags (news/page_tags.py).

One place for the rule, read by the receivers in news/signals.py:
- any write of an item retires the pages that show it (its card, its body, its headline as a
  neighbour's 上一篇/下一篇): `article(pk)`;
- a write that changes which items are public, or where one is listed (its time, 头条, street,
  community or reporter), also retires the listings that held or now hold it, and the article
  pages whose 上一篇/下一篇 it was or now is;
- a 更正 note retires its item's own page;
- a street, community or reporter retires the pages that show its name or address, and the
  lists of places;
- every write retires the pages that name nothing finer (ANY: feeds, search, the sitemap …).
Items that become public or leave by the clock (scheduled, 下线时间) retire every page through
the page cache's generation (news/cache.py), with no write.
"""

from dataclasses import dataclass

from . import page_tags

# The fields that decide whether and where an item is listed.
LISTED_BY = ("status", "published_at", "unpublish_at", "is_lead")
OWNERS = {"s": "street_id", "c": "community_id", "r": "reporter_id"}


@dataclass(frozen=True)
class Listed:
    """Where a public item is listed, as stored before or after a write."""

    values: tuple
    owners: tuple  # (kind, pk) for each owner the item has
    neighbours: tuple = ()  # pks of its 上一篇 and 下一篇, looked up only when it moved


def listed(article, with_neighbours=False):
    """Where `article` (as in hand) is listed, or None when the public cannot see it now."""
    if article is None or article.pk is None or article.state() != "published":
        return None
    owners = tuple(
        (kind, getattr(article, field))
        for kind, field in OWNERS.items()
        if getattr(article, field) is not None
    )
    values = tuple(getattr(article, field) for field in LISTED_BY) + owners
    if not with_neighbours:
        return Listed(values, owners)
    return Listed(values, owners, tuple(item.pk for item in article.neighbours() if item))


def moved(before, after):
    """Whether a write changes whether or where an item is listed."""
    return (before is None) != (after is None) or (before and before.values != after.values)


def stored_listing(article, deleting=False):
    """Before a write of `article`: where the database lists it now, with its neighbours when
    the write moves it (a correction of its text, the common save, looks none up)."""
    from .models import Article

    if article.pk is None:
        return None
    stored = Article.objects.filter(pk=article.pk).first()
    before = listed(stored)
    if before and (deleting or moved(before, listed(article))):
        before = listed(stored, with_neighbours=True)
    return before


def article_write(article, before, deleted=False):
    """Tags a write of `article` retires, given where it was listed before (None: not
    public)."""
    after = None if deleted else listed(article)
    tags = {page_tags.ANY, page_tags.article(article.pk)}
    if moved(before, after):
        after = after and listed(article, with_neighbours=True)
        tags.update([page_tags.LIST_ALL, page_tags.neighbours(article.pk)])
        for where in filter(None, [before, after]):
            tags.update(page_tags.listing(kind, owner) for kind, owner in where.owners)
            tags.update(page_tags.neighbours(other) for other in where.neighbours)
    return tags


def correction_write(article_pk):
    return {page_tags.ANY, page_tags.notes(article_pk)}


def place_write(kind, pk):
    """A street ("s"), community ("c") or reporter ("r") saved or deleted."""
    return {page_tags.ANY, page_tags.PLACES, page_tags.owner(kind, pk)}
