"""Full-text search for Chinese: one interface over SQLite FTS5 and PostgreSQL full text.

Text is cut into CJK bigrams (news/segment.py) before it is indexed and before it is searched,
so both databases see the same space-separated tokens. Every published article has one
SearchEntry row; its `sort_key` encodes the publication time (and, among equal times, the
site's order), so "newest first" is the index's own order and "not due yet" is a range limit:
a scheduled item is indexed when it is saved and found from its time on, with no job to run.

Ranking: articles where a word hits the headline, kicker or subtitle come first, then those
that hit only elsewhere; newest first within each tier.
"""

from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from . import segment
from .models import Article, SearchEntry

KEY_SPACE = 2**22  # article ids per second of publication time in the sort key
RESULT_CAP = 1000  # beyond this many hits we say "1000 多篇" instead of counting them all
FTS_TABLE = "news_search_fts"


def sort_key(article):
    """Newest first when sorted descending; equal times in ascending id (page order)."""
    seconds = int(article.published_at.timestamp())
    return seconds * KEY_SPACE + (KEY_SPACE - 1 - article.pk % KEY_SPACE)


def due_key(now=None):
    return int((now or timezone.now()).timestamp()) * KEY_SPACE + KEY_SPACE - 1


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
    )


class SqliteBackend:
    """A contentless FTS5 table whose rowid is the sort key, kept in step with SearchEntry by
    SQLite triggers (migration 0004) that call the bigram function `pc_bigrams` (registered on
    every connection, news/signals.py). FTS5 can only remove a contentless row given the exact
    text it indexed; a trigger gets exactly that from the row being deleted, once, whatever
    deletes it (the ORM, a cascade, `flush`)."""

    def write_vectors(self, entries):
        pass  # the triggers did it

    @staticmethod
    def _phrase(group):
        text = '"' + " ".join(token for token, _ in group) + '"'
        return text + " *" if group[-1][1] else text

    def expressions(self, words, street_pk, reporter_pk):
        word_exprs = [
            "(" + " AND ".join(self._phrase(g) for g in segment.query_groups(w)) + ")"
            for w in words
        ]
        base = " AND ".join(word_exprs)
        if street_pk:
            base += f' AND facets : "s{int(street_pk)}"'
        if reporter_pk:
            base += f' AND facets : "r{int(reporter_pk)}"'
        in_title = "{title} : (" + " OR ".join(word_exprs) + ")"
        return f"({base}) AND ({in_title})", f"({base}) NOT ({in_title})"

    def count(self, expression, due):
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM (SELECT rowid FROM {FTS_TABLE} "
                f"WHERE {FTS_TABLE} MATCH %s AND rowid <= %s LIMIT %s)",
                [expression, due, RESULT_CAP + 1],
            )
            return cursor.fetchone()[0]

    def keys(self, expression, due, offset, limit):
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND rowid <= %s "
                "ORDER BY rowid DESC LIMIT %s OFFSET %s",
                [expression, due, limit, offset],
            )
            return [row[0] for row in cursor.fetchall()]


class PostgresBackend:
    """tsvector columns on the SearchEntry row ('simple' configuration over the bigram text),
    with GIN indexes; phrases use the <-> operator and single characters a :* prefix."""

    def write_vectors(self, entries):
        with connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE news_searchentry SET title_tsv = to_tsvector('simple', %s), "
                "document = to_tsvector('simple', %s) WHERE article_id = %s",
                [
                    (
                        segment.index_text(e.title),
                        " ".join(segment.index_text(t) for t in (e.title, e.body, e.meta)),
                        e.article_id,
                    )
                    for e in entries
                ],
            )

    @staticmethod
    def _phrase(group):
        return " <-> ".join(f"'{token}'" + (":*" if prefix else "") for token, prefix in group)

    def expressions(self, words, street_pk, reporter_pk):
        word_exprs = [
            "(" + " & ".join(f"({self._phrase(g)})" for g in segment.query_groups(w)) + ")"
            for w in words
        ]
        filters = [("street_pk", street_pk), ("reporter_pk", reporter_pk)]
        base, in_title = " & ".join(word_exprs), " | ".join(word_exprs)
        return (base, in_title, True, filters), (base, in_title, False, filters)

    def _where(self, expression, due):
        base, in_title, title_tier, filters = expression
        sql = "document @@ to_tsquery('simple', %s) AND sort_key <= %s"
        params = [base, due]
        sql += " AND " if title_tier else " AND NOT "
        sql += "title_tsv @@ to_tsquery('simple', %s)"
        params.append(in_title)
        for column, value in filters:
            if value:
                sql += f" AND {column} = %s"
                params.append(int(value))
        return sql, params

    def count(self, expression, due):
        where, params = self._where(expression, due)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM news_searchentry WHERE {where} LIMIT %s) t",
                [*params, RESULT_CAP + 1],
            )
            return cursor.fetchone()[0]

    def keys(self, expression, due, offset, limit):
        where, params = self._where(expression, due)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT sort_key FROM news_searchentry WHERE {where} "
                "ORDER BY sort_key DESC LIMIT %s OFFSET %s",
                [*params, limit, offset],
            )
            return [row[0] for row in cursor.fetchall()]


def backend():
    return PostgresBackend() if connection.vendor == "postgresql" else SqliteBackend()


# --- keeping the index in step with the articles ---------------------------------------------


def index_article(article):
    """Put `article` in the index as it is now, or take it out if the public may never see it."""
    SearchEntry.objects.filter(article_id=article.pk).delete()
    if article.status == Article.Status.PUBLISHED:
        entry = entry_for(article)
        entry.save(force_insert=True)
        backend().write_vectors([entry])


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
        engine.write_vectors(SearchEntry.objects.bulk_create([entry_for(a) for a in chunk]))
        done, last = done + len(chunk), chunk[-1].pk
        if progress:
            progress(done)
    return done


# --- searching -----------------------------------------------------------------------------


@dataclass
class Hits:
    """The ranked hits of one search as a sequence a Paginator can slice."""

    words: list
    street_pk: int | None = None
    reporter_pk: int | None = None

    def __post_init__(self):
        self.engine = backend()
        self.due = due_key()
        self.title_tier, self.other_tier = self.engine.expressions(
            self.words, self.street_pk, self.reporter_pk
        )
        self.in_title = self.engine.count(self.title_tier, self.due)
        found = self.in_title + self.engine.count(self.other_tier, self.due)
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
            keys += self.engine.keys(
                self.title_tier, self.due, start, min(stop, self.in_title) - start
            )
        if stop > self.in_title:
            offset = max(start - self.in_title, 0)
            keys += self.engine.keys(
                self.other_tier, self.due, offset, stop - self.in_title - offset
            )
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
