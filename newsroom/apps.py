from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    """The editors' side: admin, versions, checks, import, backup and editor commands. It uses
    `news`; `news` never imports it (tests/newsroom/test_layout.py)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "newsroom"
    verbose_name = "编辑部"

    def ready(self):
        from news import images

        from . import (
            signals,  # noqa: F401  (connects the receivers)
            versions,
        )

        versions.register()
        # The index shows the review queues (newsroom/templatetags/review_queues.py).
        from django.contrib import admin

        admin.site.index_template = "newsroom/admin_index.html"
        # A replaced photo stays on disk while a version names it, so a revert can bring it back.
        if versions.names_photo not in images.PHOTO_KEEPERS:
            images.PHOTO_KEEPERS.append(versions.names_photo)
