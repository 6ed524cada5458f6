"""Full-text search for Chinese: one interface over SQLite FTS5 and PostgreSQL full text.

Text is cut into CJK n-grams (news/segment.py) before it is indexed and before it is searched;
news/search_backends.py holds what each database does with them. Every published article has one
SearchEntry row; its `sort_key` encodes the publication time (and, among equal times, the
site's order), so "newest first" is the index's own order and "not due yet" is a range limit:
a scheduled item is indexed when it is saved and found from its time on, with no job to run.
Its 下线时间 is kept the same way (`offline_key`): from that second on it is no longer found.

Ranking: articles where a word hits the headline, kicker or subtitle come first, then those
that hit only elsewhere; newest first within each tier.
"""

from django.utils import timezone

from . import search_backends
from .models import Article, SearchEntry
from .search_backends import RESULT_CAP  # noqa: F401  (beyond it we say "超过 1000 篇")

KEY_SPACE = 2**22  # article ids per second of publication time in the sort key


def sort_key(article):
    """Newest first when sorted descending; equal times in ascending id (page order)."""
    seconds = int(article.published_at.timestamp())
    return seconds * KEY_SPACE + (KEY_SPACE - 1 - article.pk % KEY_SPACE)


def due_key(now=None):
    return int((now or timezone.now()).timestamp()) * KEY_SPACE + KEY_SPACE - 1


def offline_key(article):
    """The first key of the 下线时间's second: an entry is found while offline_key > due_key()."""
    if article.unpublish_at is None:
        return None
    return int(article.unpublish_at.timestamp()) * KEY_SPACE


def entry_for(article):
    names = [article.reporter.name]
    names += [place.name for place in (article.street, article.community) if place]
    return SearchEntry(
        article_id=article.pk,
        sort_key=sort_key(article),
        title=" ".join(filter(None, [article.kicker, article.headline, article.subtitle])),
        body="\n".join(filter(None, [article.body, article.photo_caption])),
        meta=" ".join(names),
        street_pk=article.street_id,
        reporter_pk=article.reporter_id,
        offline_key=offline_key(article),
    )


def backend(words=(), street_pk=None, reporter_pk=None):
    return search_backends.backend_class()(words, street_pk, reporter_pk, due_key())


# --- keeping the index in step with the articles ---------------------------------------------


def index_article(article):
    """Put `article` in the index as it is now, or take it out if the public may never see it."""
    SearchEntry.objects.filter(article_id=article.pk).delete()
    if article.status == Article.Status.PUBLISHED:
        backend().store([entry_for(article)])


def rebuild_index(batch=2000, progress=None):
    """Index every published article again from scratch. Returns how many were indexed."""
    engine = backend()
    SearchEntry.objects.all().delete()
    articles = (
        Article.objects.filter(status=Article.Status.PUBLISHED)
        .select_related("street", "community", "reporter")
        .order_by("pk")
    )
    done, last = 0, 0
    while chunk := list(articles.filter(pk__gt=last)[:batch]):
        engine.store([entry_for(a) for a in chunk])
        done, last = done + len(chunk), chunk[-1].pk
        if progress:
            progress(done)
    return done


# --- searching -----------------------------------------------------------------------------


class Hits:
    """The ranked hits of one search, as a sequence a Paginator can count and slice."""

    def __init__(self, words, street_pk=None, reporter_pk=None):
        self.engine = backend(words, street_pk, reporter_pk)
        found = self.engine.count_all()
        self.in_title = min(self.engine.count_title(), found)
        self.capped = found > RESULT_CAP
        self.total = min(found, RESULT_CAP)

    def count(self):
        return self.total

    def __len__(self):
        return self.total

    def __getitem__(self, window):
        start, stop = window.start or 0, min(window.stop, self.total)
        keys = []
        if start < self.in_title:
            keys += self.engine.keys_title(start, min(stop, self.in_title) - start)
        if stop > self.in_title:
            offset = max(start - self.in_title, 0)
            keys += self.engine.keys_other(offset, stop - self.in_title - offset)
        return articles_in_order(keys)


def articles_in_order(keys):
    """The published articles for these sort keys, in the keys' order, in two queries.
    (published() again: even a stale index entry can never show a draft.)"""
    if not keys:
        return []
    position = {key: n for n, key in enumerate(keys)}
    ids = dict(SearchEntry.objects.filter(sort_key__in=keys).values_list("article_id", "sort_key"))
    articles = Article.objects.published().with_places().filter(pk__in=ids)
    return sorted(articles, key=lambda article: position[ids[article.pk]])
