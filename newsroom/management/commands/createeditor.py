import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from newsroom.editors import EDITOR_GROUP

PASSWORD_VARIABLE = "PINGCHENG_EDITOR_PASSWORD"  # noqa: S105 (a variable name, not a password)


class Command(BaseCommand):
    help = (
        "创建一个编辑账号（加入“编辑”组，可以进入后台管理稿件，不能管理账号）。"
        f"密码会提示输入；在脚本里可以用环境变量 {PASSWORD_VARIABLE} 提供。"
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="登录名")
        parser.add_argument("--email", default="", help="电子邮箱（可选）")

    def handle(self, *args, username, email, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"用户名“{username}”已经存在，请换一个。")
        password = os.environ.get(PASSWORD_VARIABLE) or self.ask_password()
        user = User(username=username, email=email, is_staff=True)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError("密码不符合要求：" + " ".join(error.messages)) from error
        try:
            group = Group.objects.get(name=EDITOR_GROUP)
        except Group.DoesNotExist as error:
            raise CommandError("找不到“编辑”组：请先运行 python manage.py migrate。") from error
        with transaction.atomic():
            user.set_password(password)
            user.save()
            user.groups.add(group)
        self.stdout.write(self.style.SUCCESS(f"已创建编辑账号“{username}”，可以登录后台了。"))

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
