from django.core.management import call_command
from django.core.management.base import BaseCommand

from news.models import Article


class Command(BaseCommand):
    help = (
        "载入公报样稿（fixtures/bulletin.json）。"
        "数据库里已有稿件时不做任何改动，以免覆盖编辑的修改。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="即使已有稿件也重新载入（会用原稿覆盖这八篇稿件的修改）",
        )

    def handle(self, *args, force=False, **options):
        if Article.objects.exists() and not force:
            self.stdout.write("数据库里已有稿件，未重新载入公报样稿（需要时加 --force）。")
            return
        call_command("loaddata", "bulletin", verbosity=0)
        self.stdout.write(self.style.SUCCESS(f"已载入公报样稿：{Article.objects.count()} 篇稿件。"))
