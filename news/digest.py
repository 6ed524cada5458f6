"""The weekly notice-board digest of a street: /streets/<street>/digest/?week=2022-W39.

One printed A4 page (static/css/digest.css) with the week's headlines, a one-line summary of
each and a QR code to the article, for residents who read on paper. Two queries, whatever the
week holds: the street, then its items.
"""

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, OuterRef, Subquery, Window
from django.db.models.functions import Left
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from . import qr
from .models import Article, Street
from .text import opening_sentence

MAX_ITEMS = 12  # what one A4 page holds in two columns with 28 mm QR codes
SUMMARY_LENGTH = 60
# The summary needs only the body's opening; the database cuts it (the full body is not read).
OPENING_LENGTH = 300
# ISO 8601 week, strictly: four ASCII digits, "-W", two digits (re.ASCII: no full-width digits).
WEEK_PATTERN = re.compile(r"(\d{4})-W(\d{2})", re.ASCII)
# No bulletin is older than 1900 or newer than 2999; the bounds keep every week, its neighbours
# and their UTC times far from the limits of Python's and the databases' dates.
YEARS = range(1900, 3000)


@dataclass(frozen=True)
class Week:
    """An ISO week, Monday to Sunday, in the site's time zone (Asia/Shanghai)."""

    year: int
    number: int

    @classmethod
    def parse(cls, value):
        """`2022-W39` → Week; ValueError for anything else, or a week that does not exist."""
        match = WEEK_PATTERN.fullmatch(value)
        if not match:
            raise ValueError(f"not an ISO week: {value[:20]!r}")
        week = cls(int(match[1]), int(match[2]))
        if week.year not in YEARS:
            raise ValueError(f"year out of range: {week.year}")
        datetime.date.fromisocalendar(week.year, week.number, 1)  # W00, W54, W53 of a 52-week year
        return week

    @classmethod
    def of(cls, day):
        year, number, _ = day.isocalendar()
        return cls(year, number)

    def __str__(self):
        return f"{self.year}-W{self.number:02d}"

    @property
    def monday(self):
        return datetime.date.fromisocalendar(self.year, self.number, 1)

    @property
    def sunday(self):
        return self.monday + datetime.timedelta(days=6)

    @property
    def start(self):
        """Monday 00:00 local time, aware."""
        return timezone.make_aware(datetime.datetime.combine(self.monday, datetime.time.min))

    @property
    def end(self):
        """The next Monday 00:00 local time, aware (exclusive)."""
        return timezone.make_aware(
            datetime.datetime.combine(self.monday + datetime.timedelta(days=7), datetime.time.min)
        )

    def previous(self):
        week = Week.of(self.monday - datetime.timedelta(days=7))
        return week if week.year in YEARS else None

    def next(self):
        week = Week.of(self.monday + datetime.timedelta(days=7))
        return week if week.year in YEARS else None


@dataclass
class DigestItem:
    article: Article
    summary: str
    url: str  # absolute: it is printed and scanned away from the site
    qr: str | None  # SVG data URI of `url`; None while the item has no code for it


def street_digest(request, street):
    """A street's items of one ISO week (`?week=2022-W39`) as a printable notice-board page.

    Without `week`, a redirect to the week of the street's newest item (or the current week),
    so a URL pinned to a board always names its week. Malformed or impossible weeks are 404s.
    """
    value = request.GET.get("week")
    week = None
    if value is not None:
        try:
            week = Week.parse(value)
        except ValueError as error:
            raise Http404("没有这一周") from error

    # The street with its newest and oldest published item's time (index lookups, one query):
    # the redirect's target, and how far the previous/next links may lead.
    published = Article.objects.published().filter(street=OuterRef("pk")).values("published_at")
    street = get_object_or_404(
        Street.objects.annotate(
            newest=Subquery(published.order_by("-published_at")[:1]),
            oldest=Subquery(published.order_by("published_at")[:1]),
        ),
        slug=street,
    )
    if week is None:
        day = timezone.localdate(street.newest) if street.newest else timezone.localdate()
        url = reverse("news:street_digest", kwargs={"street": street.slug})
        return redirect(f"{url}?week={Week.of(day)}")

    # Newest first, like every listing on the site. for_listing(): published and due only,
    # places joined in, body deferred; `opening` is the body's start for the summary and
    # `week_total` counts the whole week in the same query (a window over the unlimited rows).
    articles = list(
        Article.objects.for_listing()
        .with_qr_code()
        .filter(street=street, published_at__gte=week.start, published_at__lt=week.end)
        .annotate(opening=Left("body", OPENING_LENGTH), week_total=Window(Count("pk")))
        .order_by("-published_at", "id")[:MAX_ITEMS]
    )
    items = []
    for article in articles:
        # The site's public address and the code stored when the item was published
        # (news/qr.py): neither comes from this request's Host, and no code is made here.
        url, code = qr.public_url(article), qr.shown(article)
        items.append(
            DigestItem(article, opening_sentence(article.opening, SUMMARY_LENGTH), url, code)
        )
    total = articles[0].week_total if articles else 0

    # Links to the neighbouring weeks only while the street has items beyond them: a crawler
    # cannot walk off into thousands of empty weeks.
    previous = week.previous() if street.oldest and street.oldest < week.start else None
    following = week.next() if street.newest and street.newest >= week.end else None
    return render(
        request,
        "news/digest.html",
        {
            "street": street,
            "week": week,
            "items": items,
            "more": total - len(items),
            "street_url": settings.SITE_URL + street.get_absolute_url(),  # printed, as above
            "previous_week": previous,
            "next_week": following,
        },
    )
