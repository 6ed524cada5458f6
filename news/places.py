"""Streets, communities and reporters as the reader's pages name them: a copy in each worker's
memory, read again only when the database says they changed.

They are a few hundred rows that nearly every page looks up (a street by its slug, its
communities, the front page's streets), and they change a few times a year; each lookup through
the ORM costs 0.4–1 ms of Python. The database keeps a token, news_places_version, that its own
triggers set to a new random value on every write to the three tables (insert, update, delete;
on PostgreSQL also TRUNCATE), so the admin, bulk updates, loaddata, the shell, raw SQL and a
restored file all change it. A page reads the token (one tiny query) and uses the copy it holds
for that token, or loads a new one (three queries). The token is random, not a counter: a
database restored from a backup can never show an old token with new rows.

The copies' model instances are shared by every request of the worker: read them, never change
them (the admin works on its own instances).
"""

from django.db import connection
from django.http import Http404

TABLE = "news_places_version"
TABLES = ["news_street", "news_community", "news_reporter"]
EVENTS = ["insert", "update", "delete"]

_copy = None  # the Places of the token last read


class Places:
    """One load of the three tables, with the lookups the pages make (built once, here)."""

    def __init__(self, token, streets, communities, reporters):
        self.token, self.streets, self.reporters = token, streets, reporters  # site's order
        self.communities = communities
        streets_by_pk = {street.pk: street for street in streets}
        self._streets = {street.slug: street for street in streets}
        self._reporters = {reporter.slug: reporter for reporter in reporters}
        self._communities, self._by_street = {}, {}
        for community in communities:
            community.street = streets_by_pk[community.street_id]  # the copy's own: no query
            self._communities[community.street.slug, community.slug] = community
            self._by_street.setdefault(community.street_id, []).append(community)
        self._by_pk = {
            (kind, row.pk): row
            for kind, rows in (
                ("street", streets),
                ("community", communities),
                ("reporter", reporters),
            )
            for row in rows
        }

    def street(self, slug):
        return _found(self._streets.get(slug))

    def community(self, street_slug, slug):
        return _found(self._communities.get((street_slug, slug)))

    def reporter(self, slug):
        return _found(self._reporters.get(slug))

    def communities_of(self, street):
        return self._by_street.get(street.pk, [])

    def street_by_pk(self, pk):
        return self._by_pk["street", pk]

    def community_by_pk(self, pk):
        return self._by_pk["community", pk]

    def reporter_by_pk(self, pk):
        return self._by_pk["reporter", pk]


def _found(place):
    if place is None:
        raise Http404("没有这个地方")
    return place


def current():
    """The places as the database holds them now (one query while they are unchanged)."""
    global _copy
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {TABLE}")
        token = cursor.fetchone()[0]
    # The token is read before the rows: a write between the two makes the next page's token
    # differ from the one this copy is kept under, so the copy is loaded again, never kept stale.
    if _copy is None or _copy.token != token:
        _copy = _load(token)
    return _copy


def _load(token):
    from .models import Community, Reporter, Street

    return Places(
        token,
        list(Street.objects.all()),
        list(Community.objects.all()),
        list(Reporter.objects.all()),
    )


# ---- keeping the token: the triggers --------------------------------------------------------


def _statements(vendor):
    if vendor == "postgresql":
        new = "md5(random()::text || clock_timestamp()::text)"
        statements = [
            f"CREATE TABLE {TABLE} (id integer PRIMARY KEY CHECK (id = 1), token text NOT NULL)",
            f"INSERT INTO {TABLE} VALUES (1, {new})",
            "CREATE FUNCTION news_places_changed() RETURNS trigger LANGUAGE plpgsql AS $$"
            f" BEGIN UPDATE {TABLE} SET token = {new}; RETURN NULL; END $$",
        ]
        # Statement-level: a bulk update of every street sets the token once.
        statements += [
            f"CREATE TRIGGER {table}_places_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE"
            f" ON {table} FOR EACH STATEMENT EXECUTE FUNCTION news_places_changed()"
            for table in TABLES
        ]
        return statements
    new = "lower(hex(randomblob(16)))"
    return [
        f"CREATE TABLE {TABLE} (id integer PRIMARY KEY CHECK (id = 1), token text NOT NULL)",
        f"INSERT INTO {TABLE} VALUES (1, {new})",
        *(
            f"CREATE TRIGGER {table}_places_{event} AFTER {event.upper()} ON {table}"
            f" BEGIN UPDATE {TABLE} SET token = {new}; END"
            for table in TABLES
            for event in EVENTS
        ),
    ]


def uninstall(cursor):
    vendor = cursor.db.vendor
    for table in TABLES:
        if vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_places_changed ON {table}")
        else:
            for event in EVENTS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_places_{event}")
    if vendor == "postgresql":
        cursor.execute("DROP FUNCTION IF EXISTS news_places_changed()")
    cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def install(cursor):
    """(Re)make the token's table and the triggers that change it."""
    uninstall(cursor)
    for statement in _statements(cursor.db.vendor):
        cursor.execute(statement)
