"""Versions of articles, kept by django-reversion.

Every recorded save is one reversion `Revision` (who, when, the 修改说明 as its comment) holding
one `Version` of the article (every field serialized as JSON, the photo by its stored name) and
one `Edit` (newsroom.models: the version number, the kind of save, working or not). Versions are
recorded only through `record()`, called by newsroom.publishing, which holds the article's row
locked; reversion's own automatic recording on save is never switched on (manage_manually).

A version is *working* when its content was not written into the article's row: a change to a
published item waits beside the row, which the public keeps seeing, until it is published. The
newest version is what the editor's form opens on; it is working exactly when its Edit says so.
"""

import json

import reversion
from django.utils import timezone
from reversion.models import Revision, Version

from news.models import Article, Community, Reporter, Street

from .models import Edit

# What an editor sets, in the form's order: what a compare shows and a version carries back.
EDITOR_FIELDS = [
    "kicker", "headline", "subtitle", "dateline", "reporter", "street", "community", "body",
    "photo", "photo_caption", "photo_alt", "photo_credit", "status", "published_at",
    "unpublish_at", "is_lead",
]  # fmt: skip
# Travel with the photo, so that a version's photo is shown at its size.
PHOTO_SIZE_FIELDS = ["photo_width", "photo_height"]
# Whether and when an item is public: a revert restores content, never these.
STATE_FIELDS = ["status", "published_at", "unpublish_at"]
# What readers read of an item: a change to any of these in a public item is a correction,
# and publishing it needs a 更正 note (publishing.publish).
READER_FIELDS = [
    "kicker", "headline", "subtitle", "dateline", "reporter", "street", "community", "body",
    "photo", "photo_caption", "photo_alt", "photo_credit",
]  # fmt: skip


def register():
    """Put Article under reversion (NewsroomConfig.ready)."""
    if not reversion.is_registered(Article):
        reversion.register(Article)


def record(article, *, user, action, working, comment="", source=None):
    """Keep `article` as it is in memory as a new version numbered `article.edit_version`.

    The row may hold something else (a working version is never written into it). The caller
    holds the row's lock (newsroom.publishing), so numbers cannot collide; the database would
    refuse a duplicate anyway (edit_number_unique)."""
    with reversion.create_revision(manage_manually=True):
        reversion.set_user(user if user is not None and user.is_authenticated else None)
        reversion.set_comment(comment)
        reversion.add_to_revision(article)
        reversion.add_meta(
            Edit,
            article_id=article.pk,
            number=article.edit_version,
            action=action,
            working=working,
            source=source,
        )


def history(article):
    """Every version of `article`, newest first, with who saved it and which save it was."""
    return (
        Version.objects.get_for_object(article)
        .select_related("revision__user", "revision__edit")
        .order_by("-revision__edit__number")
    )


def latest(article):
    """The newest version, or None (an item saved before versions were kept)."""
    return history(article).first()


def get(article, version_id):
    """Version `version_id` of `article`, or None when it is not one of its versions."""
    try:
        return history(article).get(pk=version_id)
    except (Version.DoesNotExist, ValueError, TypeError):
        return None


def is_working(version):
    return version is not None and version.revision.edit.working


def content(version):
    """The article as `version` holds it: an unsaved Article (never save it directly)."""
    return Article(**version.field_dict)


def copy_fields(source, target, names):
    """Set the fields `names` (editor names) of `target` from `source`, FK ids and photo size
    included."""
    for name in names:
        attname = Article._meta.get_field(name).attname
        setattr(target, attname, getattr(source, attname))
        if name == "photo":
            for size in PHOTO_SIZE_FIELDS:
                setattr(target, size, getattr(source, size))


def open_latest(article):
    """`article` (a row) as the editor's form must show it: with the working version's content
    when there is one. Returns the newest version (or None)."""
    newest = latest(article)
    if is_working(newest):
        copy_fields(content(newest), article, EDITOR_FIELDS)
    return newest


def names_photo(name):
    """Does any version hold the photo stored as `name`? (news.images.PHOTO_KEEPERS)"""
    return (
        Version.objects.get_for_model(Article)
        .filter(serialized_data__contains=json.dumps(name))
        .exists()
    )


def forget(article):
    """Remove every version of a deleted article. Returns (photo name, width) for each photo its
    versions held, for the caller to release once the deletion commits."""
    versions = Version.objects.get_for_object_reference(Article, article.pk)
    photos = set()
    for version in versions:
        data = version.field_dict
        if data.get("photo"):
            photos.add((str(data["photo"]), data.get("photo_width")))
    Revision.objects.filter(pk__in=versions.values("revision_id")).delete()
    return photos


# --- showing a version's values to an editor ------------------------------------------------

PLACE_MODELS = {"reporter": Reporter, "street": Street, "community": Community}


def shown_values(article):
    """{field name: the value as an editor reads it} for every editor field of `article`."""
    values = {}
    for name in EDITOR_FIELDS:
        field = Article._meta.get_field(name)
        value = getattr(article, field.attname)
        if name in PLACE_MODELS:
            values[name] = _place_name(PLACE_MODELS[name], value)
        elif name == "status":
            values[name] = str(Article.Status(value).label) if value else ""
        elif name == "published_at":
            values[name] = (
                timezone.localtime(value).strftime("%Y年%-m月%-d日 %H:%M") if value else ""
            )
        elif name == "is_lead":
            values[name] = "是" if value else "否"
        elif name == "photo":
            values[name] = _photo_name(value)
        else:
            values[name] = value or ""
    return values


def _place_name(model, pk):
    if pk is None:
        return ""
    found = model.objects.filter(pk=pk).values_list("name", flat=True).first()
    return found if found is not None else f"（已删除的{model._meta.verbose_name}，编号 {pk}）"


def _photo_name(value):
    if not value:
        return ""
    if getattr(value, "_committed", True) is False:  # a new upload, not stored yet
        return f"新上传的图片 {value.name}"
    return str(value)
