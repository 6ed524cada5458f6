from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    """The editors' side: admin, checks, import, backup and editor commands. It uses `news`;
    `news` never imports it (tests/newsroom/test_layout.py)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "newsroom"
    verbose_name = "编辑部"
