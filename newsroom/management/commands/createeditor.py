import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from newsroom.editors import EDITOR_GROUP, ROLES

PASSWORD_VARIABLE = "PINGCHENG_EDITOR_PASSWORD"  # noqa: S105 (a variable name, not a password)


class Command(BaseCommand):
    help = (
        "创建一个编辑账号（默认加入“编辑”组，可以进入后台管理稿件，不能管理账号）。"
        f"用 --role 给出审核角色（{'、'.join(ROLES)}），可以给多个，"
        "例如 --role 撰稿 --role 发布；给了 --role 就只加入这些角色的组。"
        f"密码会提示输入；在脚本里可以用环境变量 {PASSWORD_VARIABLE} 提供。"
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="登录名")
        parser.add_argument("--email", default="", help="电子邮箱（可选，审核通知发到这里）")
        parser.add_argument(
            "--role",
            action="append",
            default=[],
            dest="roles",
            help=f"审核角色：{'、'.join(ROLES)}；可以重复，一人兼几个角色",
        )

    def handle(self, *args, username, email, roles, **options):
        unknown = [role for role in roles if role not in ROLES]
        if unknown:
            raise CommandError(f"没有“{'、'.join(unknown)}”这个角色，角色是：{'、'.join(ROLES)}。")
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"用户名“{username}”已经存在，请换一个。")
        password = os.environ.get(PASSWORD_VARIABLE) or self.ask_password()
        user = User(username=username, email=email, is_staff=True)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError("密码不符合要求：" + " ".join(error.messages)) from error
        names = list(dict.fromkeys(roles)) or [EDITOR_GROUP]
        groups = list(Group.objects.filter(name__in=names))
        if len(groups) != len(names):
            missing = "、".join(sorted(set(names) - {g.name for g in groups}))
            raise CommandError(f"找不到“{missing}”组：请先运行 python manage.py migrate。")
        with transaction.atomic():
            user.set_password(password)
            user.save()
            user.groups.add(*groups)
        self.stdout.write(
            self.style.SUCCESS(
                f"已创建编辑账号“{username}”（{'、'.join(names)}），可以登录后台了。"
            )
        )

    def ask_password(self):
        try:
            first = getpass.getpass("密码：")
            second = getpass.getpass("再输入一次：")
        except (EOFError, KeyboardInterrupt) as error:
            raise CommandError(
                f"没有输入密码。在脚本里请用环境变量 {PASSWORD_VARIABLE} 提供密码。"
            ) from error
        if first != second:
            raise CommandError("两次输入的密码不一样。")
        if not first:
            raise CommandError("密码不能为空。")
        return first
