import time

from django.conf import settings
from django.core.management.base import BaseCommand

from news import qr
from news.models import Article


class Command(BaseCommand):
    help = (
        "为已发布但还没有二维码、或二维码指向的网址不是现在的网站地址（DJANGO_SITE_URL 改过）"
        "的稿件生成二维码。已有正确二维码的稿件不动，可以反复运行。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500, help="每批处理多少篇（默认 500）")

    def handle(self, *args, batch=500, **options):
        total = Article.objects.filter(status=Article.Status.PUBLISHED).count()
        started = time.perf_counter()

        def progress(done, made):
            if options["verbosity"] >= 1 and (done % (batch * 20) < batch or done == total):
                seconds = time.perf_counter() - started
                self.stdout.write(
                    f"  已检查 {done}/{total} 篇，新生成 {made} 个（{seconds:.0f} 秒）"
                )

        made = qr.make_missing(batch=batch, progress=progress)
        self.stdout.write(
            f"二维码已齐：{total} 篇已发布的稿件，这次新生成 {made} 个，"
            f"网址以 {settings.SITE_URL} 开头。"
        )
