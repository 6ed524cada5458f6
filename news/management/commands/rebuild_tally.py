from django.core.management.base import BaseCommand
from django.db import connection, transaction

from news import tally


class Command(BaseCommand):
    help = (
        "重建稿件计数表（全站以及各街道、社区、记者每月的稿件数）和维护它的触发器。"
        "平时由数据库触发器自动维护，只在计数规则改变或怀疑计数有误时运行。"
    )

    def handle(self, *args, **options):
        with transaction.atomic(), connection.cursor() as cursor:
            tally.install(cursor)
        months = tally.months()
        total = sum(n for _, n in months)
        self.stdout.write(f"稿件计数已重建：公开稿件 {total} 篇，分布在 {len(months)} 个月份。")
