"""The conditions of published() as SQL, compiled by the ORM once per shape, not per request.

SQL written around the public rule (Article.neighbours, news/tally.py) takes it from
`where_sql()`, so the rule stays in one place; but building and compiling the queryset costs
0.1–0.3 ms of Python each time, several times a page, for text that never changes: only its
values do (the current time, the bound, the owner). `public_where` compiles each shape once
with stand-in values, notes which parameter holds which stand-in, and afterwards puts the real
values, prepared for the database as the ORM prepares them, in their places.
"""

import datetime

from django.db import connections
from django.utils import timezone

from .models import Article

# Stand-ins that no real value equals: instants long before the site's first item (the bound
# before "now", as published() needs it), ids no row has.
NOW = datetime.datetime(1902, 3, 4, 5, 6, 7, 234567, tzinfo=datetime.UTC)
BEFORE = datetime.datetime(1901, 2, 3, 4, 5, 6, 123457, tzinfo=datetime.UTC)
OWNER = -7_654_321

_shapes = {}  # (database alias, with a bound, owner fields) → (SQL, parameter slots)


class Slot(str):
    """A parameter that takes a value at each call: "now", "before" or an owner field."""


def public_where(before=None, using="default", **owner):
    """(SQL, parameters) of `Article.objects.published(before).filter(**owner).where_sql()`
    (owner: conditions on the article's own id columns, e.g. street_id=3)."""
    connection = connections[using]
    now = timezone.now()
    bounded = before is not None and before <= now  # as published() decides
    key = (using, bounded, tuple(sorted(owner)))
    if key not in _shapes:
        _shapes[key] = _compile(using, bounded, sorted(owner))
    sql, slots = _shapes[key]
    values = {"now": _prepare(now, connection), **{k: int(v) for k, v in owner.items()}}
    if bounded:
        values["before"] = _prepare(before, connection)
    return sql, [values[slot] if isinstance(slot, Slot) else slot for slot in slots]


def _compile(using, bounded, owner_fields):
    connection = connections[using]
    stand_in = {field: OWNER - n for n, field in enumerate(owner_fields)}
    queryset = Article.objects.using(using).published(before=BEFORE if bounded else None, now=NOW)
    sql, params = queryset.filter(**stand_in).where_sql()
    names = {_prepare(NOW, connection): "now", **{v: k for k, v in stand_in.items()}}
    if bounded:
        names[_prepare(BEFORE, connection)] = "before"
    return sql, [Slot(names[value]) if value in names else value for value in params]


def _prepare(moment, connection):
    """An instant as the ORM hands it to this database in a published_at condition."""
    return Article._meta.get_field("published_at").get_db_prep_value(moment, connection)
