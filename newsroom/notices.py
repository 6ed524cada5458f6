"""Notices: when an item reaches a review step, the holders of that step's role get an e-mail
(Django's mail: the console backend unless settings choose SMTP). A step nobody holds gets no
message; the admin index says so instead (`unheld_steps`)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import send_mail
from django.db.models import Q

from . import review


def holders(step):
    """Active accounts holding `step`'s role through a group or directly (superusers are not
    written to unless they are in the group: a role is a job someone was given)."""
    app, codename = review.PERMISSIONS[step].split(".")
    permission = Permission.objects.filter(content_type__app_label=app, codename=codename)
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__permissions__in=permission) | Q(user_permissions__in=permission))
        .distinct()
        .order_by("pk")
    )


def unheld_steps():
    """The configured steps nobody holds: an item reaching one would wait for no one."""
    return [step for step in review.steps() if not holders(step).exists()]


def step_reached(article, version):
    step = review.waiting_step(version)
    if step is None or step == review.SIGNED:
        return 0
    addresses = [user.email for user in holders(step) if user.email]
    if not addresses:
        return 0
    number = version.revision.edit.number
    return send_mail(
        f"待{step.label}：{article.headline}",
        f"稿件《{article.headline}》第 {number} 版等待{step.label}。"
        "请登录网站后台，在首页的“待我审核”里打开它。",
        None,
        addresses,
    )
