"""Saving, publishing, taking down and reverting articles on behalf of editors.

Every path that saves an article (the admin form, the list's bulk actions, revert, import_bulletin)
comes through here, so that each save keeps a version (newsroom.versions) and the rules hold
whatever the path:

- A save is checked against the version number it started from, with the row locked
  (SELECT … FOR UPDATE on PostgreSQL; SQLite's write transactions, BEGIN IMMEDIATE, already run
  one at a time): a save from an older number is refused (`Conflict`), nothing is overwritten.
- A published item's row is what the public sees. A change to it becomes a *working* version
  and leaves the row alone; `publish()` applies the working version to the row.
- Drafts save to the row directly, with a version.
- `_write()` is the one function that changes an article's row.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from news import images
from news.models import Article, Correction

from . import review, versions
from .models import Edit

PUBLISH_PERMISSION = "news.publish_article"
PUBLISHED, DRAFT = Article.Status.PUBLISHED, Article.Status.DRAFT


class Refused(Exception):
    """An editor's request that cannot be carried out; the message says why, in Chinese."""


class NeedsCorrection(Refused):
    """A public item's text would change without a 更正 note for its readers."""


class Conflict(Refused):
    """Someone saved the item after the editor opened it."""

    def __init__(self, row, opened_on):
        self.row, self.opened_on = row, opened_on
        self.saves = list(
            Edit.objects.filter(article=row, number__gt=opened_on)
            .select_related("revision__user")
            .order_by("number")
        )
        super().__init__(self.describe())

    def describe(self):
        done = "；".join(
            f"{who(edit.revision.user)}在{when(edit.revision.date_created)}"
            f"{'保存了' if edit.action == Edit.Action.SAVE else edit.get_action_display()}"
            f"第 {edit.number} 版"
            for edit in self.saves[-3:]
        )
        earlier = f"（此前还有 {len(self.saves) - 3} 次保存）" if len(self.saves) > 3 else ""
        return (
            f"没有保存：你打开这篇稿件以后，{done or '稿件已经被修改'}{earlier}。"
            "为了不覆盖别人的修改，这次保存没有生效。"
        )


@dataclass
class Saved:
    number: int  # the version number the save made
    working: bool  # True: a working version beside the row; the public page is unchanged


def who(user):
    """An editor as colleagues call them: 王编辑 (family name first, no space), or the login."""
    if user is None:
        return "导入程序"
    return f"{user.last_name}{user.first_name}".strip() or user.get_username()


def when(moment):
    return timezone.localtime(moment).strftime("%Y年%-m月%-d日 %H:%M")


def may_publish(user):
    """`None` is a command run on the server (import_bulletin) by whoever runs the site."""
    return user is None or user.has_perm(PUBLISH_PERMISSION)


def _require_publish(user):
    if not may_publish(user):
        raise Refused("你没有发布权限：请保存为草稿，由有发布权限的编辑发布。")


def require_approved(pk, article=None):
    """先审后发, for every path that makes a version live: the item's newest version passed
    every review step (newsroom.review) and `article`, when given, is that version's content.
    A new item has no version yet, so it can never go out on its first save. Returns the
    approved version."""
    if pk is None:
        raise Refused(
            "没有发布：新稿件请先保存为草稿并提交审核，审核全部通过后才能发布（先审后发）。"
        )
    newest = versions.latest(Article(pk=pk))
    try:
        review.require_approved(newest, article)
    except review.ReviewRefused as refused:
        raise Refused(str(refused)) from None
    return newest


def lock(pk, opened_on=None):
    """The article's row, locked until the transaction ends. `Conflict` when it was saved
    since version `opened_on`."""
    row = Article.objects.select_for_update().get(pk=pk)
    if opened_on is not None and row.edit_version != opened_on:
        raise Conflict(row, opened_on)
    return row


def save(article, *, user, opened_on=None, comment="", action=None, keep_time=False):
    """Save `article` (an unsaved copy holding the editor's values) as the item's newest version.

    A published item gets a working version; a draft or a new item is written to the row (a
    draft whose status becomes 已发布 is published, which needs the publish permission).
    `keep_time`: the editor set 发布时间 on purpose; otherwise a draft going out late goes
    out now, as with the list's 发布 action. Returns `Saved`."""
    with transaction.atomic():
        if article.pk is None:
            if article.status == PUBLISHED:
                _require_publish(user)
                require_approved(None)
            return _write(
                article, 0, user=user, action=action or Edit.Action.CREATE, comment=comment
            )
        row = lock(article.pk, opened_on)
        _baseline(row)
        if row.status == PUBLISHED and article.status == PUBLISHED:
            return _keep_working(
                article, row, user=user, action=action or Edit.Action.SAVE, comment=comment
            )
        approved = None
        if article.status == PUBLISHED:
            _require_publish(user)
            approved = require_approved(row.pk, article)
            _publication_time(article, keep_time)
            default = Edit.Action.PUBLISH
        else:
            default = Edit.Action.TAKE_DOWN if row.status == PUBLISHED else Edit.Action.SAVE
        return _write(
            article,
            row.edit_version,
            user=user,
            action=action or default,
            comment=comment,
            source=approved,
        )


def publish(pk, *, user, version=None, correction="", comment=""):
    """Make the item's newest version live: a draft goes out, or a published item's working
    version replaces what the public sees. `version`, when given, must still be the newest
    (the editor looked at it before deciding). Returns `Saved`, or None when there was nothing
    to publish.

    `correction` says what was corrected, for the public: required when the item is public now
    and the version changes what readers read (typo fixes in the first minute too), and then
    shown under the article (news.models.Correction); it is also kept as the version's 修改说明
    unless `comment` gives one."""
    with transaction.atomic():
        _require_publish(user)
        row = lock(pk)
        _baseline(row)
        newest = versions.latest(row)
        if version is not None and version.pk != newest.pk:
            edit = newest.revision.edit
            raise Refused(
                f"没有发布：第 {version.revision.edit.number} 版已经不是最新的，"
                f"{who(newest.revision.user)}在{when(newest.revision.date_created)}"
                f"又保存了第 {edit.number} 版。请看过最新的修改再发布。"
            )
        working = versions.is_working(newest)
        if row.status == PUBLISHED and not working:
            return None
        require_approved(row.pk)
        correction = " ".join(correction.split())
        corrected = working and _corrects_what_readers_read(row, versions.content(newest))
        if corrected and not correction:
            raise NeedsCorrection(
                "没有发布：这篇稿件已经和读者见面，这次修改改动了读者看到的文字，"
                "请写明更正了什么（更正说明），它会显示在文末，例如“原稿把‘永安里社区’误写为"
                "‘永安社区’”。发布后一分钟内的改错字也算更正。"
            )
        if working:
            versions.copy_fields(versions.content(newest), row, versions.EDITOR_FIELDS)
        if row.status != PUBLISHED:
            row.status = PUBLISHED
            _publication_time(row, keep_time=False)
        saved = _write(
            row,
            row.edit_version,
            user=user,
            action=Edit.Action.PUBLISH,
            comment=comment or correction,
            source=newest,
        )
        if corrected:
            Correction.objects.record(row, correction)
        return saved


def take_down(pk, *, user, comment=""):
    """Take a published item off the site: it becomes a draft holding its newest text (a
    working version, if there was one). Returns `Saved`, or None when it was not published."""
    with transaction.atomic():
        row = lock(pk)
        if row.status != PUBLISHED:
            return None
        _baseline(row)
        newest = versions.latest(row)
        if versions.is_working(newest):
            versions.copy_fields(versions.content(newest), row, versions.EDITOR_FIELDS)
        row.status = DRAFT
        return _write(
            row, row.edit_version, user=user, action=Edit.Action.TAKE_DOWN, comment=comment
        )


def revert(pk, version, *, user, opened_on=None, comment=""):
    """Bring back `version`'s content as a new version (history is never rewritten). Whether
    and when the item is public (状态, 发布时间) stays as it is: a published item gets a working
    version to publish, a draft is written to the row. Returns `Saved`."""
    with transaction.atomic():
        row = lock(pk, opened_on)
        _baseline(row)
        target = versions.content(versions.latest(row))
        old = versions.content(version)
        content_fields = [f for f in versions.EDITOR_FIELDS if f not in versions.STATE_FIELDS]
        versions.copy_fields(old, target, content_fields)
        target.import_key = row.import_key
        _check_restorable(target, version)
        comment = comment or f"还原到第 {version.revision.edit.number} 版"
        if row.status == PUBLISHED:
            return _keep_working(
                target, row, user=user, action=Edit.Action.REVERT, comment=comment, source=version
            )
        versions.copy_fields(target, row, versions.EDITOR_FIELDS)
        return _write(
            row,
            row.edit_version,
            user=user,
            action=Edit.Action.REVERT,
            comment=comment,
            source=version,
        )


# --- the steps ------------------------------------------------------------------------------


def _write(article, number, *, user, action, comment="", source=None):
    """THE one place where an article's row — what the public sees once it is published —
    changes on an editor's behalf: save it (search index and page cache follow through
    news.signals) and keep the version."""
    article.edit_version = number + 1
    article.save()
    versions.record(
        article, user=user, action=action, working=False, comment=comment, source=source
    )
    return Saved(article.edit_version, working=False)


def _keep_working(article, row, *, user, action, comment="", source=None):
    """Record `article` as a working version beside the published row, which stays as it is
    (only its number moves on, so that older forms are refused)."""
    article.store_new_photo()  # the admin form has done so already; other callers may not
    written = getattr(article, "_written_files", [])
    try:
        Article.objects.filter(pk=row.pk).update(edit_version=F("edit_version") + 1)
        article.edit_version = row.edit_version + 1
        versions.record(
            article, user=user, action=action, working=True, comment=comment, source=source
        )
    except BaseException:
        images.delete_files(article.photo.storage, written)
        raise
    return Saved(article.edit_version, working=True)


def _corrects_what_readers_read(row, newest):
    """Does publishing `newest` change what readers have already read? Only an item that is
    public now has readers; a scheduled or taken-down one is changed without a 更正 note."""
    if not Article.objects.published().filter(pk=row.pk).exists():
        return False
    return any(
        getattr(row, Article._meta.get_field(name).attname)
        != getattr(newest, Article._meta.get_field(name).attname)
        for name in versions.READER_FIELDS
    )


def _baseline(row):
    """An item saved before versions were kept (the loaded bulletin, a restored old backup)
    first gets its current content as version 0, so that nothing before the first recorded
    save is out of reach of compare and revert."""
    if row.edit_version == 0 and not Edit.objects.filter(article=row).exists():
        versions.record(row, user=None, action=Edit.Action.BASELINE, working=False)


def _publication_time(article, keep_time):
    """A draft written days ago goes out now, on top, unless the editor set the time on
    purpose; a future time (a schedule) is always kept."""
    now = timezone.now().replace(microsecond=0)
    if not keep_time and article.published_at < now:
        article.published_at = now


def _check_restorable(article, version):
    """A version may name a reporter, street or community deleted since, or a photo whose
    files are gone: say so instead of failing."""
    number = version.revision.edit.number
    for name, model in versions.PLACE_MODELS.items():
        pk = getattr(article, f"{name}_id")
        if pk is not None and not model.objects.filter(pk=pk).exists():
            label = model._meta.verbose_name
            raise Refused(f"第 {number} 版不能还原：它的{label}（编号 {pk}）已经删除了。")
    try:
        article.full_clean(validate_unique=False)
    except ValidationError as error:
        reasons = "；".join(m for messages in error.message_dict.values() for m in messages)
        raise Refused(f"第 {number} 版不能还原：{reasons}") from None
    if article.photo and not article.photo.storage.exists(article.photo.name):
        raise Refused(f"第 {number} 版不能还原：它的图片文件已经不在服务器上了。")
