"""先审后发 in tests: a quick way through review for tests that only need an item live (the
guard itself is tested in tests/newsroom/test_review.py). The accounts hold their permissions
directly, so they work in transactional tests too (a flush removes the migration's groups)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from news.models import Article
from newsroom import publishing, review, versions

ROLE_PERMISSIONS = {
    "writer": ["submit_article", "add_article", "change_article", "view_article"],
    "first": ["review_first", "view_article"],
    "second": ["review_second", "view_article"],
    "final": ["review_final", "view_article"],
    "publisher": ["publish_article", "change_article", "view_article"],
}


def account(role):
    """The test account for `role` (writer, first, second, final, publisher)."""
    user, made = get_user_model().objects.get_or_create(
        username=f"review-{role}", defaults={"is_staff": True, "last_name": role}
    )
    if made:
        user.user_permissions.set(Permission.objects.filter(codename__in=ROLE_PERMISSIONS[role]))
    return get_user_model().objects.get(pk=user.pk)  # fresh: no cached permissions


def approve(article):
    """Submit `article`'s newest version (unless it waits already) and pass it at every
    configured step it still waits at, each by a different account."""
    pk = getattr(article, "pk", article)
    if review.waiting_step(versions.latest(Article(pk=pk))) is None:
        review.submit(pk, user=account("writer"))
    newest = versions.latest(Article(pk=pk))
    for step in review.steps():
        if review.waiting_step(newest) == step:
            review.decide(pk, user=account(step.value), step=step, passed=True)


def publish(article, **kwargs):
    """Approve `article`'s newest version and publish it as 发布 (publishing.publish's
    keyword arguments, e.g. correction=…)."""
    approve(article)
    kwargs.setdefault("user", account("publisher"))
    return publishing.publish(getattr(article, "pk", article), **kwargs)
