from django.core.management.base import BaseCommand

from news import search
from news.models import Article, SearchEntry


class Command(BaseCommand):
    help = "重建全文搜索索引（所有已发布的稿件）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="只在索引为空而又有已发布稿件时重建（make run 每次启动时用）",
        )

    def handle(self, *args, if_empty=False, **options):
        if if_empty and (
            SearchEntry.objects.exists()
            or not Article.objects.filter(status=Article.Status.PUBLISHED).exists()
        ):
            return
        count = search.rebuild_index(progress=self.progress)
        self.stdout.write(self.style.SUCCESS(f"搜索索引已重建：{count} 篇稿件。"))

    def progress(self, done):
        if done % 20000 == 0:
            self.stdout.write(f"  已索引 {done} 篇……")
