"""The admin's article add/change form as an editor fills it in (POST data), for the tests."""

from news.models import Community, Reporter, Street


def article_form(**overrides):
    """A complete, valid 稿件 form for 迎宾街道 永安里社区; keyword arguments replace fields."""
    data = {
        "kicker": "",
        "headline": "第九篇稿件",
        "subtitle": "",
        "dateline": "本报讯",
        "reporter": Reporter.objects.get(slug="yang-cuiye").pk,
        "street": Street.objects.get(slug="yingbin").pk,
        "community": Community.objects.get(slug="yonganli").pk,
        "body": "近日，永安里社区开展活动。\n\n居民纷纷称赞。",
        "photo_caption": "活动现场",
        "photo_alt": "居民在社区广场上",
        "photo_credit": "杨翠叶 摄",
        "status": "draft",  # 先审后发: a new item is saved as a draft and submitted for review
        "published_at_0": "2022-10-08",
        "published_at_1": "09:00:00",
    }
    return {**data, **overrides}


def change_form(article, **overrides):
    """The same form as posted from `article`'s change page: it carries the version number the
    page was opened on (a save from an older number is refused)."""
    return article_form(opened_on=article.edit_version, **overrides)


def form_of(article, **overrides):
    """`article`'s change form as it opens, unchanged, with its version number; keyword
    arguments are what the editor changes."""
    from django.utils import timezone

    published = timezone.localtime(article.published_at)
    data = {
        **{name: getattr(article, name) for name in ("kicker", "headline", "subtitle", "body")},
        **{name: getattr(article, name) for name in ("dateline", "photo_caption", "photo_alt")},
        "photo_credit": article.photo_credit,
        "reporter": article.reporter_id,
        "street": article.street_id or "",
        "community": article.community_id or "",
        "status": article.status,
        "published_at_0": published.strftime("%Y-%m-%d"),
        "published_at_1": published.strftime("%H:%M:%S"),
        # 发布时间 has a callable default, so the form also carries its initial value (hidden),
        # which tells Django whether the editor changed it.
        "initial-published_at_0": published.strftime("%Y-%m-%d"),
        "initial-published_at_1": published.strftime("%H:%M:%S"),
        "opened_on": article.edit_version,
    }
    if article.unpublish_at:
        down = timezone.localtime(article.unpublish_at)
        data["unpublish_at_0"] = down.strftime("%Y-%m-%d")
        data["unpublish_at_1"] = down.strftime("%H:%M:%S")
    if article.is_lead:
        data["is_lead"] = "on"
    return {**data, **overrides}
