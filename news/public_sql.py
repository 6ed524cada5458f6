"""Queries around published(), compiled by the ORM once per shape, not per request.

Building and compiling a queryset costs 0.1–1 ms of Python each time, several times a page, for
SQL text that never changes: only its values do (the current time, a bound, an owner). So each
shape is compiled once with stand-in values; the parameters that hold a stand-in are noted, and
afterwards the real values, prepared for the database as the ORM prepares them, are put in their
places. The rule of what the public sees stays in one place, ArticleQuerySet.published().

- `public_where`: published()'s conditions, for SQL written around them (Article.neighbours,
  news/tally.py).
- `stamps_sql`: a listing's stamps (news/fragments.py), the page's ids and names in the site's
  order, for every listing of the site.
- `public_article`: the article page's item, its QR code and its 更正 notes, as instances.
"""

import datetime

from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators
from django.utils import timezone

from . import places
from .models import Article, Correction

# Stand-ins that no real value equals: instants long before the site's first item (each bound
# before "now", as published() needs it), ids no row has.
INSTANTS = {
    "since": datetime.datetime(1900, 1, 2, 3, 4, 5, 12345, tzinfo=datetime.UTC),
    "before": datetime.datetime(1901, 2, 3, 4, 5, 6, 123457, tzinfo=datetime.UTC),
    "now": datetime.datetime(1902, 3, 4, 5, 6, 7, 234567, tzinfo=datetime.UTC),
}
ID = -7_654_321

_shapes = {}  # (database alias, shape) → (SQL, parameter slots)


class Slot(str):
    """A parameter that takes a value at each call: an instant or an id, by name."""


def public_where(before=None, using="default", **owner):
    """(SQL, parameters) of `Article.objects.published(before).filter(**owner).where_sql()`
    (owner: conditions on the article's own id columns, e.g. street_id=3)."""

    def where(values):
        return _published(values, using).filter(**_pick(values, owner)).where_sql()

    return _prepared(("where", *sorted(owner)), where, using, _moments(before), owner)


def stamps_sql(fields, before=None, since=None, lead=False, exclude=None, using="default", **owner):
    """(SQL, parameters) of the published items' `fields` (values_list), newest first, in
    the site's order: those before `before` and from `since`, only 头条 (`lead`), without
    item `exclude`, of the owner (e.g. street_id=3). Without LIMIT: the caller adds its own."""
    ids = {**owner, **({"exclude": exclude} if exclude is not None else {})}
    moments = _moments(before)
    if since is not None:
        moments["since"] = since

    def listing(values):
        queryset = _published(values, using).filter(**_pick(values, owner))
        if "since" in values:
            queryset = queryset.filter(published_at__gte=values["since"])
        if lead:
            queryset = queryset.filter(is_lead=True)
        if "exclude" in values:
            queryset = queryset.exclude(pk=values["exclude"])
        return queryset.values_list(*fields).query.sql_with_params()

    shape = ("stamps", tuple(fields), lead, *sorted(ids))
    return _prepared(shape, listing, using, moments, ids)


def public_article(pk, using="default"):
    """The published item `pk` as its page shows it, or None: its row with its stored QR code
    (one query), its 更正 notes, oldest first (one more: what `with_corrections()` prefetches),
    and its street, community and reporter from the worker's copy (news/places.py). The ORM
    builds the same in 1.5–2.5 ms of Python."""

    def article(values):
        return _published(values, using).filter(pk=values["pk"]).select_related("qr_code")

    found = _objects(("article",), article, using, _moments(None), {"pk": pk})
    if not found:
        return None
    item, here = found[0], places.current()
    notes = _objects(("notes",), _notes_of, using, {}, {"pk": pk})
    corrections = item.corrections.all()  # (a queryset not run: its rows are these)
    corrections._result_cache, corrections._prefetch_done = notes, True
    item._prefetched_objects_cache = {"corrections": corrections}
    item.reporter = here.reporter_by_pk(item.reporter_id)
    item.street = item.street_id and here.street_by_pk(item.street_id)
    item.community = item.community_id and here.community_by_pk(item.community_id)
    return item


def _notes_of(values):
    return Correction.objects.filter(article_id=values["pk"])


def _moments(before):
    """The instants a query of published() takes: now, and `before` if it bounds anything
    (as published() decides: a bound after now is no bound)."""
    now = timezone.now()
    return {"now": now, "before": before} if before is not None and before <= now else {"now": now}


def _published(values, using):
    return Article.objects.using(using).published(before=values.get("before"), now=values["now"])


def _pick(values, names):
    return {name: values[name] for name in names}


def _prepared(shape, compile_with, using, moments, ids):
    """(SQL, parameters) of `compile_with(values)` for these instants and ids, compiled once
    per shape: the instants' names and the ids' names are part of the shape."""
    sql, params, _ = _prepared_query(shape, compile_with, using, moments, ids)
    return sql, params


def _objects(shape, queryset_with, using, moments, ids):
    """The model instances of the queryset `queryset_with(values)` (its select_related
    followed; no prefetch), its SQL compiled once per shape. The rows become instances as
    Django's ModelIterable makes them, through the compiler kept from the first call (its
    columns, converters and related populators): everything but compiling again."""
    sql, params, compiler = _prepared_query(shape, queryset_with, using, moments, ids)
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    select, klass_info = compiler.select, compiler.klass_info
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    names = [column[0].target.attname for column in select[start:end]]
    populators = get_related_populators(klass_info, select, using)
    found = []
    for row in compiler.results_iter([rows]):
        instance = klass_info["model"].from_db(using, names, row[start:end])
        for populator in populators:
            populator.populate(row, instance)
        found.append(instance)
    return found


def _prepared_query(shape, compile_with, using, moments, ids):
    connection = connections[using]
    key = (using, *shape, *sorted(moments))
    if key not in _shapes:
        _shapes[key] = _compile(connection, compile_with, sorted(moments), sorted(ids))
    sql, slots, compiler = _shapes[key]
    values = {name: _prepare(moment, connection) for name, moment in moments.items()}
    values.update((name, int(value)) for name, value in ids.items())
    return sql, [values[slot] if isinstance(slot, Slot) else slot for slot in slots], compiler


def _compile(connection, compile_with, moment_names, id_names):
    """`compile_with(stand-ins)` gives (SQL, parameters), or a queryset to compile here (its
    compiler is kept: it turns rows into instances)."""
    stand_ins = {name: INSTANTS[name] for name in moment_names}
    stand_ins.update((name, ID - n) for n, name in enumerate(id_names))
    compiled, compiler = compile_with(stand_ins), None
    if isinstance(compiled, QuerySet):
        compiler = compiled.query.get_compiler(connection.alias)
        compiled = compiler.as_sql()
    sql, params = compiled
    names = {_prepare(INSTANTS[name], connection): name for name in moment_names}
    names.update((stand_ins[name], name) for name in id_names)
    slots = [Slot(names[value]) if value in names else value for value in params]
    if {slot for slot in slots if isinstance(slot, Slot)} != set(names.values()):
        raise ValueError(f"a stand-in did not reach the SQL: {sorted(names.values())}")
    return sql, slots, compiler


def _prepare(moment, connection):
    """An instant as the ORM hands it to this database in a published_at condition."""
    return Article._meta.get_field("published_at").get_db_prep_value(moment, connection)
