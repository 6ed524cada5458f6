from django.apps import AppConfig


class NewsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "news"
    verbose_name = "社区新闻"

    def ready(self):
        from . import cache_store, signals  # noqa: F401  (registers the checks, connects receivers)
