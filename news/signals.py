"""What follows a save or a delete: photo files and the search index stay in step."""

from django.db import transaction
from django.db.backends.signals import connection_created
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from pingcheng.sqlite import database_replaced

from . import cache, images, qr, retire, search, segment
from .models import Article, Community, Correction, Reporter, SearchEntry, Street


@receiver(post_delete, sender=Article)
def remove_photo_files(sender, instance, **kwargs):
    """A deleted item takes its photo and renditions along (also for bulk deletes)."""
    if instance.photo:
        name, width, storage = instance.photo.name, instance.photo_width, instance.photo.storage
        transaction.on_commit(lambda: images.release_photo(storage, name, width))


@receiver(post_save, sender=Article)
def index_article(sender, instance, raw=False, **kwargs):
    search.index_article(instance)


@receiver(post_save, sender=Article)
def make_qr_code(sender, instance, raw=False, **kwargs):
    """A published item gets its QR code now (every path that makes an item public saves its
    row, loading fixtures too), so that no reader's request ever makes one (news/qr.py)."""
    if instance.status == Article.Status.PUBLISHED:
        qr.store(instance)


@receiver(post_save, sender=Street)
@receiver(post_save, sender=Community)
@receiver(post_save, sender=Reporter)
def reindex_renamed_place_or_reporter(sender, instance, raw=False, **kwargs):
    """A renamed street, community or reporter: index its articles under the new name."""
    field = {Street: "street", Community: "community", Reporter: "reporter"}[sender]
    stale = SearchEntry.objects.filter(**{f"article__{field}": instance}).exclude(
        meta__contains=instance.name
    )
    for article in Article.objects.filter(search_entry__in=stale).with_places():
        search.index_article(article)


@receiver(pre_save, sender=Article)
def note_where_an_item_was_listed(sender, instance, **kwargs):
    instance._listed_before = retire.stored_listing(instance)


@receiver(pre_delete, sender=Article)
def note_where_a_deleted_item_was_listed(sender, instance, **kwargs):
    instance._listed_before = retire.stored_listing(instance, deleting=True)


@receiver(post_save, sender=Article)
def retire_pages_of_a_saved_item(sender, instance, **kwargs):
    before = getattr(instance, "_listed_before", None)
    _retire_on_commit(retire.article_write(instance, before))


@receiver(post_delete, sender=Article)
def retire_pages_of_a_deleted_item(sender, instance, **kwargs):
    before = getattr(instance, "_listed_before", None)
    _retire_on_commit(retire.article_write(instance, before, deleted=True))


@receiver(post_save, sender=Correction)
@receiver(post_delete, sender=Correction)
def retire_pages_of_a_corrected_item(sender, instance, **kwargs):
    _retire_on_commit(retire.correction_write(instance.article_id))


@receiver(post_save, sender=Street)
@receiver(post_delete, sender=Street)
@receiver(post_save, sender=Community)
@receiver(post_delete, sender=Community)
@receiver(post_save, sender=Reporter)
@receiver(post_delete, sender=Reporter)
def retire_pages_of_a_place_or_reporter(sender, instance, **kwargs):
    kind = {Street: "s", Community: "c", Reporter: "r"}[sender]
    _retire_on_commit(retire.place_write(kind, instance.pk))


def _retire_on_commit(tags):
    """No reader may get the old page once the write commits (and none is retired for a write
    that is rolled back)."""
    transaction.on_commit(lambda: cache.retire(tags))


@receiver(database_replaced)
def retire_pages_of_a_replaced_database(sender, **kwargs):
    """Another SQLite file was put in place (a restored copy): no page of the old one stays."""
    cache.invalidate()


@receiver(connection_created)
def register_bigram_function(sender, connection, **kwargs):
    """SQLite's search triggers (migration 0004) cut text into bigrams with this function."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "pc_bigrams", 1, segment.index_text, deterministic=True
        )
