"""The two index structures behind news/search.py: SQLite FTS5 and PostgreSQL tsvector + GIN.

Both answer the same four questions for a list of search words, with optional street and
reporter filters, among entries that are due (sort_key <= due) and not taken down (offline_key
NULL or > due):

- count_all / keys_other: entries where every word occurs (keys_other: but none in the title);
- count_title / keys_title: entries where every word occurs and some word is in the title.

Counts stop at RESULT_CAP + 1; keys come newest first (sort_key descending).
The SQL names constant tables and columns in f-strings; every value a resident types travels as
a query parameter.
"""

from django.db import connection, transaction

from . import segment

RESULT_CAP = 1000
FTS = "news_search_fts"  # title, body and names of every due entry: all words must match here
TITLE_FTS = "news_search_title_fts"  # titles only: small, so the title tier is cheap to find


def _rows(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class SqliteBackend:
    """Contentless FTS5 tables whose rowid is the sort key, over CJK bigrams (a phrase of pairs
    for n ≥ 2 characters; a one-character prefix, served by `prefix='1'`, for a single one).

    SQLite triggers (migration 0004) keep both tables in step with SearchEntry, calling the
    bigram function `pc_bigrams` registered on every connection (news/signals.py). FTS5 can only
    remove a contentless row given the exact text it indexed: a trigger gets exactly that from
    the SearchEntry row being deleted, once, whatever deletes it (the ORM, a cascade, `flush`).
    """

    def store(self, entries):
        from .models import SearchEntry

        SearchEntry.objects.bulk_create(entries)  # the triggers index them

    @staticmethod
    def _phrase(group):
        text = '"' + " ".join(token for token, _ in group) + '"'
        return text + " *" if group[-1][1] else text

    def __init__(self, words, street_pk=None, reporter_pk=None, due=0):
        per_word = [
            "(" + " AND ".join(self._phrase(g) for g in segment.query_groups(w)) + ")"
            for w in words
        ]
        facets = [f'facets : "s{int(street_pk)}"'] if street_pk else []
        facets += [f'facets : "r{int(reporter_pk)}"'] if reporter_pk else []
        self.all = " AND ".join(per_word + facets)
        self.any_title = "(" + " OR ".join(f"title : {w}" for w in per_word) + ")"
        self.any_title = " AND ".join([self.any_title, *facets])
        self.single_word = len(words) == 1
        self.due = due

    # Taken down: the few entries whose 下线时间 has passed (the partial index search_offline
    # holds only entries with one), read once per statement and left out of the FTS5 hits.
    GONE = " AND +rowid NOT IN (SELECT sort_key FROM news_searchentry WHERE offline_key <= %s)"

    def _title_sql(self):
        titles = (
            f"SELECT rowid FROM {TITLE_FTS} WHERE {TITLE_FTS} MATCH %s AND rowid <= %s{self.GONE}"
        )
        if self.single_word:  # the word in the title is the word in the item
            return titles, [self.any_title, self.due, self.due]
        # Every word somewhere and some word in the title. `+rowid` keeps SQLite from pushing
        # the IN list into FTS5 as one full-text lookup per title hit (seconds, not ms).
        sql = (
            f"SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s AND rowid <= %s AND +rowid IN ({titles})"
        )
        return sql, [self.all, self.due, self.any_title, self.due, self.due]

    def count_all(self):
        sql = (
            f"SELECT count(*) FROM (SELECT rowid FROM {FTS} "
            f"WHERE {FTS} MATCH %s AND rowid <= %s{self.GONE} LIMIT %s)"
        )
        return _rows(sql, [self.all, self.due, self.due, RESULT_CAP + 1])[0][0]

    def count_title(self):
        sql, params = self._title_sql()
        return _rows(f"SELECT count(*) FROM ({sql} LIMIT %s)", [*params, RESULT_CAP + 1])[0][0]

    def keys_title(self, offset, limit):
        sql, params = self._title_sql()
        return [
            r[0]
            for r in _rows(
                f"{sql} ORDER BY rowid DESC LIMIT %s OFFSET %s", [*params, limit, offset]
            )
        ]

    def keys_other(self, offset, limit):
        sql = (
            f"SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s AND rowid <= %s{self.GONE} "
            f"AND +rowid NOT IN "
            f"(SELECT rowid FROM {TITLE_FTS} WHERE {TITLE_FTS} MATCH %s AND rowid <= %s) "
            "ORDER BY rowid DESC LIMIT %s OFFSET %s"
        )
        params = [self.all, self.due, self.due, self.any_title, self.due, limit, offset]
        return [r[0] for r in _rows(sql, params)]


class PostgresBackend:
    """Two tsvector columns on the SearchEntry row, each with a GIN index: the distinct CJK
    n-grams of one to four characters (segment.ngrams), without positions.

    A query word of up to four characters is then a single lexeme, which GIN answers exactly,
    with no recheck of the stored vectors; a longer word is all of its overlapping four-character
    pieces. (Bigrams with the <-> phrase operator, as on SQLite, made PostgreSQL re-read every
    candidate's vector: 0.7 s for a common three-character word at 100,000 articles.)
    """

    INSERT = (
        "INSERT INTO news_searchentry (article_id, sort_key, street_pk, reporter_pk, "
        "offline_key, title, body, meta, title_tsv, document) "
        "VALUES (%s, %s, %s, %s, %s, '', '', '', "
        "array_to_tsvector(%s::text[]), array_to_tsvector(%s::text[]))"
    )

    def store(self, entries):
        # PostgreSQL needs no copy of the text (SQLite's FTS5 does): only keys and vectors.
        rows = [
            (
                e.article_id,
                e.sort_key,
                e.street_pk,
                e.reporter_pk,
                e.offline_key,
                segment.ngrams(e.title),
                segment.ngrams(" ".join([e.title, e.body, e.meta])),
            )
            for e in entries
        ]
        with connection.cursor() as cursor:
            cursor.executemany(self.INSERT, rows)

    def __init__(self, words, street_pk=None, reporter_pk=None, due=0):
        per_word = [
            "(" + " & ".join(f"'{g}'" for g in segment.query_ngrams(w)) + ")" for w in words
        ]
        self.all, self.any_title = " & ".join(per_word), " | ".join(per_word)
        self.single_word = len(words) == 1
        # `+ 0`: no b-tree may serve these conditions, or the planner walks it testing every
        # row's vector in turn (see _rows); the GIN indexes find hits, the b-tree only orders.
        self.due = due
        self.filters, self.params = "sort_key + 0 <= %s", [due]
        # Taken down (下线时间 passed): a test on the row the GIN hit already fetched.
        self.filters += " AND (offline_key IS NULL OR offline_key > %s)"
        self.params.append(due)
        for column, value in (("street_pk", street_pk), ("reporter_pk", reporter_pk)):
            if value:
                self.filters += f" AND {column} + 0 = %s"
                self.params.append(int(value))

    def _where(self, tier):
        if tier == "other":
            return (
                f"document @@ %s::tsquery AND NOT title_tsv @@ %s::tsquery AND {self.filters}",
                [self.all, self.any_title, *self.params],
            )
        if tier == "title" and self.single_word:  # a word in the title is in the document
            return f"title_tsv @@ %s::tsquery AND {self.filters}", [self.any_title, *self.params]
        if tier == "title":
            return (
                f"title_tsv @@ %s::tsquery AND document @@ %s::tsquery AND {self.filters}",
                [self.any_title, self.all, *self.params],
            )
        return f"document @@ %s::tsquery AND {self.filters}", [self.all, *self.params]

    @staticmethod
    def _rows(sql, params, bitmap=True):
        # The planner cannot see that testing a row's vector means unpacking kilobytes from
        # TOAST, and misjudges how many rows n-gram queries match: left alone it scans the
        # table, or walks an index, testing every row (0.1–1 s). For this statement only it
        # must use the GIN indexes (bitmap), which test nothing row by row, or, in _walk,
        # fetch a given batch of rows by key.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            if not bitmap:
                cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute(sql, params)
            return cursor.fetchall()

    def _count(self, tier):
        where, params = self._where(tier)
        sql = f"SELECT count(*) FROM (SELECT 1 FROM news_searchentry WHERE {where} LIMIT %s) hits"
        return self._rows(sql, [*params, RESULT_CAP + 1])[0][0]

    def _keys(self, tier, offset, limit, found):
        where, params = self._where(tier)
        if found > RESULT_CAP:
            return self._walk(where, params, offset + limit)[offset:]
        # A rarer word: all its hits (at most RESULT_CAP) from the GIN index, then sorted.
        sql = (
            f"WITH hits AS MATERIALIZED (SELECT sort_key FROM news_searchentry WHERE {where}) "
            "SELECT sort_key FROM hits ORDER BY sort_key DESC LIMIT %s OFFSET %s"
        )
        return [r[0] for r in self._rows(sql, [*params, limit, offset])]

    def _walk(self, where, params, wanted, batch=256):
        """A common word (over RESULT_CAP hits, so at least 1 % of entries): test the newest
        entries a batch at a time until `wanted` hits are found. Sorting all of a word's hits
        would cost 30 ms for one in every entry; a batch of 256 costs about 5 ms."""
        found, upper = [], self.due
        while len(found) < wanted:
            newest = self._rows(
                "SELECT sort_key FROM news_searchentry WHERE sort_key <= %s "
                "ORDER BY sort_key DESC LIMIT %s",
                [upper, batch],
            )
            if not newest:
                break
            keys = [row[0] for row in newest]
            hits = self._rows(
                f"SELECT sort_key FROM news_searchentry WHERE sort_key = ANY(%s) AND {where} "
                "ORDER BY sort_key DESC",
                [keys, *params],
                bitmap=False,
            )
            found += [row[0] for row in hits]
            upper, batch = keys[-1] - 1, min(batch * 2, 4096)
        return found[:wanted]

    def count_all(self):
        self.found_all = self._count("all")
        return self.found_all

    def count_title(self):
        self.found_title = self._count("title")
        return self.found_title

    def keys_title(self, offset, limit):
        return self._keys("title", offset, limit, self.found_title)

    def keys_other(self, offset, limit):
        # When both counts stop at the cap the size of this tier is unknown: take it as common.
        return self._keys(
            "other", offset, limit, self.found_all - min(self.found_title, RESULT_CAP)
        )


def backend_class():
    return PostgresBackend if connection.vendor == "postgresql" else SqliteBackend
