from django.core.management.base import BaseCommand
from django.db import connection


class Command(BaseCommand):
    help = (
        "更新数据库的统计信息（ANALYZE），让查询计划选对索引。"
        "SQLite 不会自动做这件事：make run 每次启动时运行它；大量导入稿件后也应运行。"
    )

    def handle(self, *args, **options):
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(self.style.SUCCESS("数据库统计信息已更新。"))
