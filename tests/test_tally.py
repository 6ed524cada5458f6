"""The tally (news/tally.py) against a real COUNT, after every kind of write, on the database
the suite runs on (SQLite, and PostgreSQL with DATABASE_URL)."""

from collections import Counter
from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import F, Q
from django.utils import timezone

from news import tally
from news.models import Article, Community, Reporter, Street

pytestmark = pytest.mark.django_db
PUBLISHED, DRAFT = Article.Status.PUBLISHED, Article.Status.DRAFT
# The rows the triggers keep (news/tally.py: TALLIED_SQL): an item with a 下线时间 is counted live.
TALLIED = Q(status=PUBLISHED, unpublish_at__isnull=True)
OWNER_FIELD = {Street: "street", Community: "community", Reporter: "reporter"}


def local_month(moment):
    local = timezone.localtime(moment)
    return local.year * 100 + local.month


def real_count(owner=None, month=None):
    """What the public sees, counted row by row: the truth the tally must match."""
    articles = Article.objects.published()
    if owner is not None:
        articles = articles.filter(**{OWNER_FIELD[type(owner)]: owner})
    if month is not None:
        articles = [a for a in articles if local_month(a.published_at) == month]
        return len(articles)
    return articles.count()


def tally_rows():
    with connection.cursor() as cursor:
        cursor.execute("SELECT kind, owner, month, n FROM news_article_tally WHERE n <> 0")
        return {(kind, owner, month): n for kind, owner, month, n in cursor.fetchall()}


def expected_rows(rule=TALLIED):
    """The tally as it must stand: every row the rule holds for, under each of its keys."""
    rows = Counter()
    for article in Article.objects.filter(rule):
        month = local_month(article.published_at)
        rows["all", 0, month] += 1
        for kind in ("street", "community", "reporter"):
            if (owner := getattr(article, f"{kind}_id")) is not None:
                rows[kind, owner, month] += 1
    return dict(rows)


def assert_exact(rule=TALLIED):
    """The table itself, every owner's count, every month's count and the archive's months."""
    rows = tally_rows()
    assert rows == expected_rows(rule)
    now = timezone.now()
    current = local_month(now)
    owners = [None, *Street.objects.all(), *Community.objects.all(), *Reporter.objects.all()]
    for owner in owners:
        assert tally.count(owner) == real_count(owner), owner
        # The settled months of the tally are exactly the rows tally.settled() names.
        kind, pk = (OWNER_FIELD[type(owner)], owner.pk) if owner else ("all", 0)
        settled = Article.objects.filter(tally.settled(tally.month_start(current)))
        if owner:
            settled = settled.filter(**{kind: owner})
        tallied = sum(n for (k, o, m), n in rows.items() if (k, o) == (kind, pk) and m < current)
        assert tallied == settled.count(), owner
    months = {local_month(a.published_at) for a in Article.objects.all()}
    months |= {local_month(now), local_month(now + timedelta(days=31))}
    for month in sorted(months):
        first_day = timezone.datetime(month // 100, month % 100, 1).date()
        assert tally.count(month=first_day) == real_count(month=month), month
    public = Counter(local_month(a.published_at) for a in Article.objects.published())
    assert tally.months() == [
        (timezone.datetime(m // 100, m % 100, 1).date(), n) for m, n in sorted(public.items())[::-1]
    ]


@pytest.fixture
def items(bulletin, make_article):
    """The bulletin (September 2022) and items in last year, last month, this month (past and
    still to come), next month (scheduled) and a draft."""
    now = timezone.now()
    this_month = tally.month_start(tally.month_key(now))
    next_month = tally.month_start(tally.next_key(tally.month_key(now)))
    yingbin, yongtai = Street.objects.get(slug="yingbin"), Street.objects.get(slug="yongtai")
    yonganli = Community.objects.get(slug="yonganli")
    zheng, yang = Reporter.objects.get(slug="zheng-lin"), Reporter.objects.get(slug="yang-cuiye")
    make = {
        "last_year": dict(published_at=now - timedelta(days=400), street=yongtai),
        "last_month": dict(
            published_at=this_month - timedelta(days=3), street=yingbin, community=yonganli
        ),
        "this_month": dict(published_at=this_month + (now - this_month) / 2, street=yingbin),
        "later_this_month": dict(published_at=now + (next_month - now) / 2, street=yongtai),
        "next_month": dict(published_at=next_month + timedelta(days=2), street=yingbin),
        "draft": dict(published_at=now - timedelta(days=40), status=DRAFT, street=yingbin),
    }
    created = {
        name: make_article(headline=name, reporter=zheng if i % 2 else yang, **fields)
        for i, (name, fields) in enumerate(make.items())
    }
    assert_exact()
    return created


def save(article, **fields):
    for name, value in fields.items():
        setattr(article, name, value)
    article.save()


def raw_sql(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def copy_row_by_raw_sql(items):
    columns = [
        f.column for f in Article._meta.concrete_fields if f.column not in ("id", "import_key")
    ]
    names = ", ".join(columns)
    raw_sql(
        f"INSERT INTO news_article ({names}) SELECT {names} FROM news_article WHERE id = %s",  # noqa: S608
        [items["last_month"].pk],
    )


def reload_bulletin_over_changes(items):
    Article.objects.filter(pk__in=[1, 2]).update(status=DRAFT, published_at=timezone.now())
    call_command("loaddata", "bulletin", verbosity=0)  # puts both back as they were


WRITES = {
    "create a past item": lambda i: Article.objects.create(
        headline="新",
        body="正文。",
        reporter=i["draft"].reporter,
        status=PUBLISHED,
        published_at=timezone.now() - timedelta(days=90),
        street=i["draft"].street,
    ),
    "bulk_create": lambda i: Article.objects.bulk_create(
        Article(
            headline=f"批量{n}",
            body="正文。",
            reporter=i["draft"].reporter,
            status=PUBLISHED,
            published_at=timezone.now() - timedelta(days=20 * n),
            street=list(Street.objects.all())[n % 3],
        )
        for n in range(12)
    ),
    "publish a draft": lambda i: save(i["draft"], status=PUBLISHED),
    "unpublish a past item": lambda i: save(i["last_year"], status=DRAFT),
    "unpublish this month's item": lambda i: save(i["this_month"], status=DRAFT),
    "move to another street and community": lambda i: save(
        i["last_month"], street=Street.objects.get(slug="yongtai"), community=None
    ),
    "move to another community": lambda i: save(
        i["last_month"], community=Community.objects.get(slug="beixinyuan")
    ),
    "move to another reporter": lambda i: save(
        i["last_year"], reporter=Reporter.objects.get(slug="zheng-lin")
    ),
    "move to district-wide (no street)": lambda i: save(
        i["last_month"], street=None, community=None
    ),
    "change the time to another past month": lambda i: save(
        i["last_year"], published_at=i["last_year"].published_at - timedelta(days=60)
    ),
    "change the time from the past into this month": lambda i: save(
        i["last_month"], published_at=i["this_month"].published_at
    ),
    "change the time from this month into the past": lambda i: save(
        i["this_month"], published_at=i["last_year"].published_at
    ),
    "schedule a past item into next month": lambda i: save(
        i["last_month"], published_at=i["next_month"].published_at
    ),
    "an edit that changes nothing counted": lambda i: save(i["last_month"], headline="改标题"),
    "delete": lambda i: i["last_month"].delete(),
    "queryset delete": lambda i: Article.objects.filter(street__slug="yingbin").delete(),
    "queryset.update of the status": lambda i: Article.objects.filter(pk__lte=5).update(
        status=DRAFT
    ),
    "queryset.update of street and community": lambda i: Article.objects.filter(
        street__slug="yingbin"
    ).update(street=Street.objects.get(slug="yongtai"), community=None),
    "queryset.update of the reporter": lambda i: Article.objects.update(
        reporter=Reporter.objects.get(slug="zheng-lin")
    ),
    "queryset.update of the time": lambda i: Article.objects.update(
        published_at=F("published_at") - timedelta(days=40)
    ),
    "raw SQL update": lambda i: raw_sql(
        "UPDATE news_article SET status = %s WHERE id IN (3, 4)", [DRAFT]
    ),
    "raw SQL delete": lambda i: [
        raw_sql("DELETE FROM news_searchentry WHERE article_id > 6"),
        raw_sql("DELETE FROM news_articleqrcode WHERE article_id > 6"),  # as Django's cascade
        raw_sql("DELETE FROM news_article WHERE id > 6"),
    ],
    "raw SQL insert": copy_row_by_raw_sql,
    "loaddata over changed items": reload_bulletin_over_changes,
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_tally_stays_exact_after_every_kind_of_write(items, write):
    write(items)
    assert_exact()


@pytest.mark.django_db(transaction=True)
def test_tally_stays_exact_through_flush_and_loaddata(bulletin, make_article):
    """What restore_site does: flush (PostgreSQL: TRUNCATE; SQLite: DELETE of each table,
    in any order), then loaddata."""
    make_article(published_at=timezone.now() - timedelta(days=70))
    call_command("flush", interactive=False, verbosity=0)
    assert_exact()
    call_command("loaddata", "bulletin", verbosity=0)
    assert_exact()
    assert tally.count() == 8


def test_the_clock_alone_publishes_and_settles(items):
    """No write: a scheduled item becomes public at its time, and a month that ends moves
    its items from the live count to the tally, both without a step between."""
    later = items["later_this_month"].published_at
    with mock.patch("django.utils.timezone.now", return_value=later + timedelta(seconds=1)):
        assert_exact()
        assert tally.count(items["later_this_month"].street) == real_count(
            items["later_this_month"].street
        )
    next_month = items["next_month"].published_at
    for moment in (next_month - timedelta(days=3), next_month + timedelta(minutes=1)):
        with mock.patch("django.utils.timezone.now", return_value=moment):
            assert_exact()


def test_a_take_down_leaves_every_count_by_the_clock_alone(items):
    """Items with a 下线时间 stay out of the tally and are counted live: when the time comes,
    they leave 共 N 篇, the listings and /archive/ without a write."""
    old, recent = items["last_year"], items["this_month"]
    down = timezone.now() + timedelta(days=1)
    Article.objects.filter(pk__in=[old.pk, recent.pk, 1]).update(unpublish_at=down)
    assert_exact()
    before = tally.count(old.street)
    with mock.patch("django.utils.timezone.now", return_value=down + timedelta(minutes=1)):
        assert_exact()
        assert tally.count(old.street) == before - 1 == real_count(old.street)
    save(Article.objects.get(pk=old.pk), unpublish_at=None)  # brought back by an editor
    assert tally.count(old.street) == before


def test_months_follow_beijing_time(make_article):
    # 2022-09-30 23:30 in Beijing is 15:30 UTC: September, in the tally as on the page.
    make_article(published_at=timezone.make_aware(timezone.datetime(2022, 9, 30, 23, 30)))
    make_article(published_at=timezone.make_aware(timezone.datetime(2022, 10, 1, 0, 10)))
    assert tally_rows()["all", 0, 202209] == 1
    assert tally_rows()["all", 0, 202210] == 1
    assert_exact()


def test_rebuild_tally_repairs_a_damaged_tally(items, capsys):
    raw_sql("UPDATE news_article_tally SET n = n + 7")
    raw_sql("DELETE FROM news_article_tally WHERE kind = 'reporter'")
    assert tally.count(Street.objects.get(slug="yingbin")) != real_count(
        Street.objects.get(slug="yingbin")
    )
    call_command("rebuild_tally")
    assert_exact()
    assert f"公开稿件 {real_count()} 篇" in capsys.readouterr().out


def test_the_rule_can_leave_rows_unsettled(items, monkeypatch):
    """The merge with 下线时间 changes the settled rule in two lines (news/tally.py). Prove
    the counts stay exact under such a rule: here 头条 items stand in for items that leave by
    the clock — kept out of the tally, counted live in every month."""
    monkeypatch.setattr(tally, "TALLIED_SQL", "{row}.status = 'published' AND NOT {row}.is_lead")
    monkeypatch.setattr(tally, "NEVER_SETTLED", Q(is_lead=True))
    monkeypatch.setattr(tally, "NEVER_SETTLED_INDEX", None)  # no index holds just those
    Article.objects.filter(pk__in=[1, items["last_year"].pk, items["this_month"].pk]).update(
        is_lead=True
    )
    with connection.cursor() as cursor:
        tally.install(cursor)
    rule = Q(status=PUBLISHED, is_lead=False)
    assert_exact(rule)
    for write in (WRITES["queryset.update of the time"], WRITES["publish a draft"]):
        write(items)
        assert_exact(rule)
    Article.objects.filter(pk=2).update(is_lead=True)
    assert_exact(rule)


def test_listing_pages_show_the_tallys_counts(client, items):
    """共 N 篇 on street, community and reporter pages after a bulk move by raw SQL, counting
    this month's public item and none of the scheduled, draft or later ones."""
    yingbin, yongtai = Street.objects.get(slug="yingbin"), Street.objects.get(slug="yongtai")
    raw_sql(
        "UPDATE news_article SET street_id = %s, community_id = NULL WHERE id = %s",
        [yongtai.pk, items["last_month"].pk],
    )
    for owner in (
        yingbin,
        yongtai,
        Community.objects.get(slug="yonganli"),
        *Reporter.objects.all(),
    ):
        html = client.get(owner.get_absolute_url()).content.decode()
        assert f"共 {real_count(owner)} 篇" in html, owner
    assert real_count(yongtai) == 1 + 1 + 1  # the bulletin's, last year's, last month's


def test_counts_reach_items_with_a_take_down_through_their_own_index(items):
    """The live part for items with a 下线时间 is one range of the partial index article_takedown,
    never a walk over every public item before this month. On SQLite the planner, without
    statistics for that small index, chose a listing index (50 ms at a million items): the
    counts name the index (INDEXED BY), and the plans say it is used. PostgreSQL chooses by
    its statistics (on a table this small, a scan), so there the SQL must not carry the hint,
    which it would reject."""
    from django.test.utils import CaptureQueriesContext

    street = items["last_year"].street
    with CaptureQueriesContext(connection) as queries:
        tally.count()
        tally.count(street)
        tally.count(street, month=items["last_year"].published_at)
        tally.months()
    assert len(queries.captured_queries) == 4
    for query in queries.captured_queries:
        if connection.vendor == "postgresql":
            assert "INDEXED BY" not in query["sql"]
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {query['sql']}")
            plan = " ".join(str(row) for row in cursor.fetchall())
        assert "USING INDEX article_takedown" in plan, query["sql"]
