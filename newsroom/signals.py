"""What follows a deletion on the editors' side."""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from news import images
from news.models import Article

from . import versions


@receiver(post_delete, sender=Article)
def forget_versions(sender, instance, **kwargs):
    """Deleting an item is final: its versions go, and with them every photo they kept
    (news.signals releases the row's own photo; the versions' photos are released here)."""
    photos = versions.forget(instance)
    storage = Article._meta.get_field("photo").storage
    for name, width in photos:
        transaction.on_commit(lambda n=name, w=width: images.release_photo(storage, n, w))
