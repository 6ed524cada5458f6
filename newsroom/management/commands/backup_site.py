from django.core.management.base import BaseCommand, CommandError

from newsroom import backup


class Command(BaseCommand):
    help = (
        "备份整个网站：数据库（稿件、街道、社区、记者、账号、用户组及其权限、后台修改记录）"
        "和上传的全部图片，写成一个文件 pingcheng-backup-年月日-时分秒.tar.gz，"
        "内附清单（各表行数、每个文件的大小和 SHA-256 校验和）。"
        "用 python manage.py restore_site 文件 --yes 恢复。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            metavar="DIR",
            help=f"备份文件放在哪个文件夹（默认 {backup.default_folder()}）",
        )

    def handle(self, *args, output=None, **options):
        try:
            path, manifest = backup.backup(output)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        size = path.stat().st_size
        shown = f"{size / 2**20:.1f} MB" if size >= 2**20 else f"{max(size // 1024, 1)} KB"
        self.stdout.write(
            self.style.SUCCESS(f"已备份到 {path}（{shown}）：{backup.describe(manifest)}。")
        )
