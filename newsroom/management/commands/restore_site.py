from django.core.management.base import BaseCommand, CommandError

from newsroom import backup


class Command(BaseCommand):
    help = (
        "用 backup_site 做的备份文件恢复整个网站：先检查备份（清单、校验和、不安全的路径），"
        "再在一个事务里清空数据库、载入备份、重建搜索索引，并换上备份里的图片。"
        "恢复会替换现有的全部数据和图片，所以必须加 --yes。所有人需要重新登录。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="备份文件（pingcheng-backup-….tar.gz）")
        parser.add_argument("--yes", action="store_true", help="确认用备份替换现有的全部数据和图片")
        parser.add_argument(
            "--check", action="store_true", help="只检查备份文件是否完好，不做任何改动"
        )

    def handle(self, *args, file, yes=False, check=False, **options):
        try:
            if check:
                manifest = backup.check(file)
                self.stdout.write(
                    self.style.SUCCESS(f"备份文件完好：{backup.describe(manifest)}。")
                )
                return
            if not yes:
                raise CommandError(
                    "恢复会用备份替换数据库里的全部内容和所有上传的图片，现有的改动都会丢失。"
                    f"确定要恢复，请加上 --yes：python manage.py restore_site {file} --yes"
                )
            manifest = backup.restore(file)
        except backup.BackupError as error:
            raise CommandError(f"{error}\n没有做任何改动。") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"已恢复 {manifest['created']} 的备份：{backup.describe(manifest)}；"
                "搜索索引已重建。所有人需要重新登录。"
            )
        )
