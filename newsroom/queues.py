"""The admin index's queues: 待我审核 (items waiting at the user's steps, oldest first) and
我的稿件 (what the user wrote, with its state and the latest opinion); and the list's filter by
state. An item's state is read from its newest version's records (newsroom.review), so only
items that have records, or are drafts, are looked at."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from news.models import Article

from . import review, versions
from .models import Edit, Review


@dataclass
class Waiting:
    article: Article
    step: review.Step
    since: datetime

    @property
    def waited(self):
        """等了 3 小时 / 2 天: how long it has waited at this step."""
        seconds = (timezone.now() - self.since).total_seconds()
        if seconds < 3600:
            return f"{max(int(seconds // 60), 1)} 分钟"
        if seconds < 86400:
            return f"{int(seconds // 3600)} 小时"
        return f"{int(seconds // 86400)} 天"


def in_review():
    """Items with review records whose row is a draft or carries a working version."""
    return Article.objects.filter(pk__in=Review.objects.values("article_id")).select_related(
        "reporter"
    )


def waiting_for(user):
    """待我审核: items whose newest version waits at a step `user` holds, oldest first."""
    held = [step for step in review.steps() if review.may_act(user, step)]
    if not held:
        return []
    found = []
    for article in in_review():
        newest = versions.latest(article)
        step = review.waiting_step(newest)
        if step in held and not _live(article, newest):
            found.append(Waiting(article, step, review.records(newest)[-1].created_at))
    return sorted(found, key=lambda w: w.since)


def mine(user, limit=20):
    """我的稿件: items `user` saved a version of, newest first, with state and latest opinion."""
    pks = (
        Edit.objects.filter(revision__user=user)
        .order_by("-revision__date_created")
        .values_list("article_id", flat=True)
    )
    seen = list(dict.fromkeys(pks))[:limit]
    articles = Article.objects.in_bulk(seen)
    rows = []
    for pk in seen:
        article = articles[pk]
        opinion = (
            Review.objects.filter(article=article).exclude(opinion="").order_by("-created_at")
        ).first()
        rows.append({"article": article, "state": review.state(article), "opinion": opinion})
    return rows


def with_state(queryset, state):
    """`queryset` narrowed to the items in `state` (the list's filter)."""
    newest = Edit.objects.filter(article=OuterRef("pk")).order_by("-number")
    queryset = queryset.annotate(newest_working=Subquery(newest.values("working")[:1]))
    if state == review.LIVE:
        return queryset.filter(status=Article.Status.PUBLISHED).filter(
            Q(newest_working=False) | Q(newest_working__isnull=True)  # no versions: as loaded
        )
    candidates = queryset.filter(Q(status=Article.Status.DRAFT) | Q(newest_working=True))
    return queryset.filter(pk__in=[a.pk for a in candidates if review.state(a) == state])


def _live(article, newest):
    return article.status == Article.Status.PUBLISHED and not versions.is_working(newest)
