"""How many items the public sees — the whole site, a street, a community, a reporter, a month —
read from a tally instead of counted row by row.

The table news_article_tally holds (kind, owner, month) → n: how many tallied articles each
owner has in each month (Beijing time), kind "all" (owner 0) for the whole site. The database
keeps it exact by itself: triggers on news_article (insert, delete, and an update that changes
whether a row is tallied, its month or its owners; on PostgreSQL also TRUNCATE), so the admin's
bulk actions, queryset.update(), imports, loaddata, restores and raw SQL all keep it right. No
Django model: Django never writes it, `flush` and backups leave it alone (the triggers empty it
with the articles and fill it again on load), and `manage.py rebuild_tally` recounts it.

A count now is the tally of the *settled* rows (months before the current one, summed: about
60 small rows for five years) plus a live count of every other public row (an index range over
the current month). A scheduled item becomes public by the clock alone, with no write, so rows
of the current month and later are never read from the tally.
"""

import datetime
import functools
import re
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property

from .models import Article, Community, Reporter, Street
from .public_sql import public_where

TABLE = "news_article_tally"
# kind → the article column that names the owner ("all": the whole site, owner 0).
OWNER_COLUMNS = {"street": "street_id", "community": "community_id", "reporter": "reporter_id"}
KIND_OF = {Street: "street", Community: "community", Reporter: "reporter"}

# ------------------------------------------------------------------------------------------
# SETTLED: the one rule for which public rows the tally answers for.
#
#   A row is settled when it is published, its time lies before the current month's start,
#   and only a write (never the clock) can change whether the public sees it.
#
# The triggers keep a row in the tally exactly while TALLIED_SQL holds (whatever its month);
# reading sums only the months before the current one (`settled` below says the same in the
# ORM, for the tests). Every public row that is not settled is counted live (`_live_parts`).
#
# An item with a 下线时间 leaves the public by the clock, so it is never settled: the tally
# leaves it out and it is counted live, found by the partial index article_takedown (few
# items have one). A change to this rule needs the triggers made again (`manage.py
# rebuild_tally`, or a migration that calls `install`).
# ------------------------------------------------------------------------------------------
TALLIED_SQL = "{row}.status = 'published' AND {row}.unpublish_at IS NULL"
NEVER_SETTLED = Q(unpublish_at__isnull=False)  # public rows the clock can change
# The partial index that holds exactly the NEVER_SETTLED rows: on SQLite, their counts are read
# through it (see _takedowns). None if a rule has no such index.
NEVER_SETTLED_INDEX = "article_takedown"


def settled(month_start):
    """The ORM twin of the rule above: the rows the tally answers for in a month whose first
    instant is `month_start`."""
    rule = Q(status=Article.Status.PUBLISHED, published_at__lt=month_start)
    return rule & ~NEVER_SETTLED if NEVER_SETTLED is not None else rule


def _live_parts(public, month_start):
    """The public rows that are not settled, as (SQL, parameters) of counts that each read one
    index range; `public` is published()'s conditions (news/public_sql.py)."""
    where, params = public
    parts = [
        (
            f"(SELECT count(*) FROM news_article WHERE {where} AND published_at >= %s)",
            [*params, month_start],
        )
    ]
    if NEVER_SETTLED is not None:
        rows, more = _never_settled(public, until=month_start)
        parts.append((f"(SELECT count(*) {rows})", more))
    return parts


def _never_settled(public, until, since=None):
    """`FROM … WHERE …` of the public rows that are never settled, published before `until`
    (and from `since`), with its parameters: one range of their own index."""
    where, params = public
    rows = f"FROM {_takedowns()} WHERE {where} AND {_condition_sql(NEVER_SETTLED)}"
    if since is not None:
        rows, params = f"{rows} AND published_at >= %s", [*params, since]
    return f"{rows} AND published_at < %s", [*params, until]


@functools.cache
def _condition_sql(rule):
    sql, params = Article.objects.filter(rule).where_sql()
    if params:
        raise ImproperlyConfigured("NEVER_SETTLED is written into SQL: it must carry no values")
    return sql


def _takedowns():
    """The table to read never-settled rows from: on SQLite, through the partial index that
    holds only them (items with a 下线时间). SQLite's planner has no statistics for that index
    while it is (nearly) empty and would read every public row before this month through a
    listing index instead (1 ms at 20,000 items, ~50 ms at a million). PostgreSQL's
    statistics find it by themselves."""
    if connection.vendor == "sqlite" and NEVER_SETTLED_INDEX:
        return f"news_article INDEXED BY {NEVER_SETTLED_INDEX}"
    return "news_article"


# ---- months -------------------------------------------------------------------------------


def _zone():
    return ZoneInfo(settings.TIME_ZONE)


def month_key(moment):
    """202209 for any instant in September 2022, Beijing time (the site's TIME_ZONE)."""
    local = timezone.localtime(moment, _zone())
    return local.year * 100 + local.month


def month_start(key):
    """The first instant (aware) of the month `key` names."""
    return datetime.datetime(key // 100, key % 100, 1, tzinfo=_zone())


def next_key(key):
    return key + 1 if key % 100 < 12 else (key // 100 + 1) * 100 + 1


def month_sql(row):
    """SQL for a row's month key, as month_key() computes it in Python."""
    if connection.vendor == "postgresql":
        zone = settings.TIME_ZONE
        if not re.fullmatch(r"[A-Za-z0-9_/+-]+", zone):
            raise ImproperlyConfigured(f"TIME_ZONE {zone!r} cannot be written into SQL")
        return f"CAST(to_char({row}.published_at AT TIME ZONE '{zone}', 'YYYYMM') AS integer)"
    # SQLite has no time-zone data: a fixed offset, right for a zone without daylight saving
    # (Asia/Shanghai has had none since 1991; an item dated earlier near a month's edge could
    # fall into the neighbouring month).
    year = timezone.now().year
    offsets = {_zone().utcoffset(datetime.datetime(year, m, 1)) for m in (1, 7)}
    if len(offsets) != 1:
        raise ImproperlyConfigured("SQLite's tally needs a TIME_ZONE without daylight saving.")
    minutes = int(offsets.pop().total_seconds() // 60)
    # (No strftime('%Y%m'): a % in SQL that also carries parameters trips Django's debug cursor.)
    local = f"datetime({row}.published_at, '{minutes:+d} minutes')"
    return f"CAST(substr({local}, 1, 4) || substr({local}, 6, 2) AS integer)"


# ---- reading ------------------------------------------------------------------------------


def _owner(owner):
    if owner is None:
        return "all", 0, {}
    kind = KIND_OF[type(owner)]
    return kind, owner.pk, {OWNER_COLUMNS[kind]: owner.pk}


SUM_SQL = (
    f"(SELECT coalesce(sum(n), 0) FROM {TABLE} WHERE kind = %s AND owner = %s AND month {{month}})"
)


def count(owner=None, month=None):
    """How many items the public sees now: the site's, or one street's, community's or
    reporter's (`owner`); in all months, or in the month `month` (a date or datetime in it).
    One query: the settled months from the tally plus the live rest."""
    kind, owner_pk, lookup = _owner(owner)
    current = month_key(timezone.now())
    public = public_where(**lookup)
    if month is None:
        parts = [(SUM_SQL.format(month="< %s"), [kind, owner_pk, current])]
        parts += _live_parts(public, month_start(current))
    else:
        key = month.year * 100 + month.month
        if key > current:
            return 0  # published() ends at now: nothing there yet
        if key == current:
            parts = _live_parts(public, month_start(current))[:1]
        else:
            parts = [(SUM_SQL.format(month="= %s"), [kind, owner_pk, key])]
            if NEVER_SETTLED is not None:
                rows, more = _never_settled(public, month_start(next_key(key)), month_start(key))
                parts.append((f"(SELECT count(*) {rows})", more))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + " + ".join(sql for sql, _ in parts),
            [value for _, params in parts for value in params],
        )
        return cursor.fetchone()[0]


def months():
    """Every month with public items, newest first, as (first day, count). One query."""
    current = month_key(timezone.now())
    public = public_where()
    sql = f"SELECT month, n FROM {TABLE} WHERE kind = 'all' AND owner = 0 AND month < %s AND n > 0"
    params = [current]
    (live_sql, live_params), *never_settled = _live_parts(public, month_start(current))
    sql += f" UNION ALL SELECT %s, {live_sql}"
    params += [current, *live_params]
    if never_settled:  # never-settled rows of past months, one by one (few)
        rows, more = _never_settled(public, until=month_start(current))
        sql += f" UNION ALL SELECT {month_sql('news_article')}, 1 {rows}"
        params += more
    totals = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for key, n in cursor.fetchall():
            totals[key] = totals.get(key, 0) + n
    return [
        (datetime.date(key // 100, key % 100, 1), n)
        for key, n in sorted(totals.items(), reverse=True)
        if n
    ]


def adjacent_months(month):
    """The nearest months before and after `month` (a date in it) that have public items, as
    first days, or None: the archive's 上个月/下个月. One query, each side one index lookup
    (Django's own probe carries two upper bounds, `< month` and `<= now`, and SQLite bounds
    the range by the first: it read every item from now back to the month)."""
    key = month.year * 100 + month.month
    since, until = month_start(key), month_start(next_key(key))
    earlier, earlier_params = public_where(before=since)
    later, later_params = public_where()
    later, later_params = f"{later} AND published_at >= %s", [*later_params, until]
    probe = (
        f"(SELECT {month_sql('news_article')} FROM news_article"
        " WHERE {} ORDER BY published_at {} LIMIT 1)"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {probe.format(earlier, 'DESC')}, {probe.format(later, 'ASC')}",
            [*earlier_params, *later_params],
        )
        keys = cursor.fetchone()
    return tuple(datetime.date(k // 100, k % 100, 1) if k else None for k in keys)


class TallyPaginator(Paginator):
    """A Paginator told its count by the tally instead of running COUNT(*) over the listing
    (which reads every one of a reporter's 500,000 rows)."""

    def __init__(self, object_list, per_page, *, count, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._count = count

    @cached_property
    def count(self):
        return self._count()


# ---- keeping it: the triggers -------------------------------------------------------------


def _tallied(row):
    return "(" + TALLIED_SQL.format(row=row) + ")"


def _key_rows(row, table, delta):
    """SELECT kind, owner, month, delta for each tally key of every tallied row of `table`."""
    month, where = month_sql(row), _tallied(row)
    selects = [
        f"SELECT 'all' AS kind, 0 AS owner, {month} AS month, {delta} AS delta"
        f" FROM {table} {row} WHERE {where}"
    ]
    for kind, column in OWNER_COLUMNS.items():
        selects.append(
            f"SELECT '{kind}', {row}.{column}, {month}, {delta} FROM {table} {row}"
            f" WHERE {row}.{column} IS NOT NULL AND {where}"
        )
    return " UNION ALL ".join(selects)


def _sqlite_apply(row, delta):
    """One trigger statement: add `delta` to every key of NEW or OLD, if it is tallied."""
    month = month_sql(row)
    keys = ", ".join(["('all', 0)", *(f"('{k}', {row}.{c})" for k, c in OWNER_COLUMNS.items())])
    return (
        f"INSERT INTO {TABLE} (kind, owner, month, n)"
        f" SELECT column1, column2, {month}, {delta} FROM (VALUES {keys})"
        f" WHERE column2 IS NOT NULL AND {_tallied(row)}"
        " ON CONFLICT (kind, owner, month) DO UPDATE SET n = n + excluded.n;"
    )


def _sqlite_statements():
    changed = " OR ".join(
        [f"{month_sql('old')} IS NOT {month_sql('new')}"]
        + [f"old.{c} IS NOT new.{c}" for c in OWNER_COLUMNS.values()]
    )
    return [
        f"CREATE TABLE IF NOT EXISTS {TABLE} (kind text NOT NULL, owner integer NOT NULL,"
        " month integer NOT NULL, n integer NOT NULL, PRIMARY KEY (kind, owner, month))"
        " WITHOUT ROWID",
        f"CREATE TRIGGER news_article_tally_insert AFTER INSERT ON news_article"
        f" BEGIN {_sqlite_apply('new', 1)} END",
        f"CREATE TRIGGER news_article_tally_delete AFTER DELETE ON news_article"
        f" BEGIN {_sqlite_apply('old', -1)} END",
        # Every UPDATE is looked at (no column list: the rule may read any column), but only
        # one that changes whether the row is tallied, its month or an owner does anything.
        f"CREATE TRIGGER news_article_tally_update AFTER UPDATE ON news_article"
        f" WHEN {_tallied('old')} IS NOT {_tallied('new')}"
        f" OR ({_tallied('new')} AND ({changed}))"
        f" BEGIN {_sqlite_apply('old', -1)} {_sqlite_apply('new', 1)} END",
    ]


def _postgres_statements():
    """Statement-level triggers with transition tables: a bulk UPDATE of 100,000 rows is one
    grouped upsert, not 100,000."""

    def function(name, deltas):
        return (
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            f" INSERT INTO {TABLE} AS t (kind, owner, month, n)"
            f" SELECT kind, owner, month, sum(delta) FROM ({' UNION ALL '.join(deltas)}) AS d"
            " GROUP BY kind, owner, month HAVING sum(delta) <> 0"
            " ON CONFLICT (kind, owner, month) DO UPDATE SET n = t.n + excluded.n;"
            " RETURN NULL; END $$"
        )

    old, new = _key_rows("o", "old_rows", -1), _key_rows("r", "new_rows", 1)
    return [
        f"CREATE TABLE IF NOT EXISTS {TABLE} (kind text NOT NULL, owner bigint NOT NULL,"
        " month integer NOT NULL, n integer NOT NULL,"
        " PRIMARY KEY (kind, owner, month) INCLUDE (n))",
        function("news_article_tally_insert", [new]),
        function("news_article_tally_delete", [old]),
        function("news_article_tally_update", [old, new]),
        f"CREATE FUNCTION news_article_tally_truncate() RETURNS trigger LANGUAGE plpgsql AS $$"
        f" BEGIN DELETE FROM {TABLE}; RETURN NULL; END $$",
        "CREATE TRIGGER news_article_tally_insert AFTER INSERT ON news_article"
        " REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT"
        " EXECUTE FUNCTION news_article_tally_insert()",
        "CREATE TRIGGER news_article_tally_delete AFTER DELETE ON news_article"
        " REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT"
        " EXECUTE FUNCTION news_article_tally_delete()",
        "CREATE TRIGGER news_article_tally_update AFTER UPDATE ON news_article"
        " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT"
        " EXECUTE FUNCTION news_article_tally_update()",
        "CREATE TRIGGER news_article_tally_truncate AFTER TRUNCATE ON news_article"
        " FOR EACH STATEMENT EXECUTE FUNCTION news_article_tally_truncate()",
    ]


TRIGGERS = ["insert", "delete", "update", "truncate"]


def uninstall(cursor):
    for event in TRIGGERS:
        cursor.execute(
            f"DROP TRIGGER IF EXISTS news_article_tally_{event}"
            + (" ON news_article" if connection.vendor == "postgresql" else "")
        )
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP FUNCTION IF EXISTS news_article_tally_{event}()")
    cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def install(cursor):
    """(Re)make the table and its triggers and count every article into it. In a transaction
    (the caller's), so no write falls between the count and the triggers."""
    uninstall(cursor)
    statements = (
        _postgres_statements() if connection.vendor == "postgresql" else _sqlite_statements()
    )
    for statement in statements:
        cursor.execute(statement)
    cursor.execute(
        f"INSERT INTO {TABLE} (kind, owner, month, n)"
        f" SELECT kind, owner, month, sum(delta) FROM ({_key_rows('a', 'news_article', 1)}) AS d"
        " GROUP BY kind, owner, month"
    )
