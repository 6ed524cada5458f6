from argparse import RawDescriptionHelpFormatter

from django.core.management.base import BaseCommand, CommandError, DjangoHelpFormatter

from newsroom import importing

# The file format as editors and senders read it (`--help`); newsroom/importing.py enforces it.
FORMAT = """\
文件格式（UTF-8 编码的 JSON）：
  {"items": [稿件, 稿件, …]}        也可以直接写成列表 [稿件, 稿件, …]

每篇稿件是一个对象，字段如下：
  id             编号，必填。发稿方自定，文件内不能重复，例如 "2022-09-30-01"。再次导入
                 时按它找到同一篇稿件：内容没变就不动，变了就更新，不会重复。已发布
                 的稿件不会被直接改动：修改成为一个待发布的版本，由编辑在后台发布。
  headline       主题，必填，最多 100 字。
  kicker         引题，可选。
  subtitle       副题，可选。
  dateline       电头，可选，默认“本报讯”。
  reporter       记者，必填：已有记者的姓名或网址名（不会自动新建记者）。
  street         街道，可选：名称或网址名。
  community      社区，可选：名称或网址名，必须属于所写的街道；只写社区时自动取它的街道。
  body           正文，必填：纯文本，段与段之间空一行（"\\n\\n"），不写电头和记者署名。
  photo_caption  图片说明，可选。
  published_at   发布时间，ISO 8601，例如 "2022-09-30T08:00"；不带时区的按北京时间。
                 省略时：新稿件取导入的时间，已导入的稿件保持原来的时间。
  status         状态："draft"（草稿，默认）或 "published"（已发布）。

可选字段省略或写 null 即为空。文件里没有的内容（头条、图片及其替代文字和署名）导入时不会
改动，编辑在后台的设置会保留。文字里不能有控制字符（制表符、换行除外），也不能有
U+202A–U+202E、U+2066–U+2069 这些文字方向控制符。

例子：
  {"items": [{"id": "2022-10-08-01", "headline": "永安里社区开展消防演练",
              "reporter": "杨翠叶", "street": "迎宾街道", "community": "永安里社区",
              "body": "第一段。\\n\\n第二段。", "published_at": "2022-10-08T09:00",
              "status": "published"}]}
"""


class HelpFormatter(DjangoHelpFormatter, RawDescriptionHelpFormatter):
    """Django's option order, with the format description printed as written."""


class Command(BaseCommand):
    help = (
        "导入发稿方用 JSON 发来的稿件。先检查整个文件：有任何问题就一篇也不导入，\n"
        "并列出每个问题所在的条目和字段；没有问题才在一个事务里全部导入。\n"
        "同一个文件再导入一次不会有任何改动；内容有变化的稿件会被更新，不会重复。\n\n" + FORMAT
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        return super().create_parser(
            prog_name, subcommand, **{"formatter_class": HelpFormatter, **kwargs}
        )

    def add_arguments(self, parser):
        parser.add_argument("file", help="JSON 文件的路径")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="只检查文件，报告会新增、更新多少篇，不写入任何内容",
        )

    def handle(self, *args, file, dry_run=False, **options):
        try:
            outcome = importing.import_file(file, dry_run=dry_run)
        except importing.ImportFailed as failed:
            raise CommandError(
                f"没有导入任何稿件：文件“{file}”有 {len(failed.problems)} 处问题，"
                "请改正后重新导入。\n" + "\n".join(failed.problems)
            ) from None
        for item in outcome.created:
            self.stdout.write(f"  新增 {item.place}：{item.article.headline}")
        for item in outcome.updated:
            waiting = (
                f"（已发布的稿件：修改存为第 {item.saved.number} 版，编辑发布后读者才会看到）"
                if item.saved and item.saved.working
                else ""
            )
            self.stdout.write(f"  更新 {item.place}：{'、'.join(item.changed)}{waiting}")
        for warning in outcome.warnings:
            self.stdout.write(self.style.WARNING(f"  提醒 {warning}"))
        counts = (
            f"新增 {len(outcome.created)} 篇，更新 {len(outcome.updated)} 篇，"
            f"未变 {len(outcome.unchanged)} 篇"
        )
        if dry_run:
            self.stdout.write(f"检查通过（没有写入）：导入将{counts}。")
        else:
            self.stdout.write(self.style.SUCCESS(f"导入完成：{counts}。"))
