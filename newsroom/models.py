"""What the editors' side stores beside the articles: which save each version was.

The versions themselves are django-reversion's (`reversion.Version`: every field of the article,
serialized, and a `Revision` with who, when and the 修改说明). An `Edit` is reversion's "meta"
row for a revision: the article's version number after that save, what kind of save it was,
and whether it went into the article's row (what the public sees once it is published) or stayed
a *working* version beside it.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from reversion.models import Revision, Version

from news.models import Article


class Edit(models.Model):
    class Action(models.TextChoices):
        BASELINE = "baseline", "原有内容"  # the row as it was before its first recorded save
        CREATE = "create", "新建"
        SAVE = "save", "保存"
        PUBLISH = "publish", "发布"
        TAKE_DOWN = "take_down", "撤回"
        REVERT = "revert", "还原"
        IMPORT = "import", "导入"

    revision = models.OneToOneField(Revision, on_delete=models.CASCADE, related_name="edit")
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="edits", verbose_name="稿件"
    )
    number = models.PositiveIntegerField("第几版")
    action = models.CharField("操作", max_length=10, choices=Action.choices)
    working = models.BooleanField(
        "工作稿",
        default=False,
        help_text="没有写进稿件：读者看到的仍是已发布的内容，发布这一版后才生效",
    )
    # The version a publish or a revert took its content from.
    source = models.ForeignKey(
        Version, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "版本记录"
        verbose_name_plural = "版本记录"
        ordering = ["article", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="edit_number_unique"),
        ]

    def __str__(self):
        return f"第 {self.number} 版"


class Review(models.Model):
    """One step of 先审后发 (newsroom.review): a submission, or a reviewer's pass or send-back,
    for exactly one version of an item. A save after it makes a new version, which no record
    names: the approvals lapse by construction."""

    class Step(models.TextChoices):
        SUBMIT = "submit", "提交审核"
        FIRST = "first", "初审"
        SECOND = "second", "复审"
        FINAL = "final", "终审"

    class Decision(models.TextChoices):
        SUBMIT = "submit", "提交"
        PASS = "pass", "通过"
        RETURN = "return", "退回修改"

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="reviews", verbose_name="稿件"
    )
    version = models.ForeignKey(
        Version, on_delete=models.CASCADE, related_name="+", verbose_name="版本"
    )
    number = models.PositiveIntegerField("第几版")
    step = models.CharField("环节", max_length=10, choices=Step.choices)
    decision = models.CharField("结论", max_length=10, choices=Decision.choices)
    opinion = models.TextField("审核意见", blank=True)
    # SHA-256 of what readers would read of the version (newsroom.review.fingerprint).
    fingerprint = models.CharField("文字指纹", max_length=64)
    # Personal-data hits the 终审 reviewer confirmed: [{"kind", "text", "reason"}].
    confirmed_hits = models.JSONField("确认的个人信息", default=list, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审核人",
    )
    # The name as it was, so the record reads the same after the account is gone.
    reviewer_name = models.CharField("审核人姓名", max_length=150)
    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "审核记录"
        verbose_name_plural = "审核记录"
        ordering = ["created_at", "pk"]
        permissions = [
            ("submit_article", "提交审核"),
            ("review_first", "初审"),
            ("review_second", "复审"),
            ("review_final", "终审"),
        ]

    def __str__(self):
        return f"第 {self.number} 版 {self.get_step_display()} {self.get_decision_display()}"


class WrongWord(models.Model):
    """The 错敏词 list editors keep (newsroom.checks feeds it to proofing.run_checks); seeded
    from newsroom/data/wrong_words.tsv by a data migration."""

    class Level(models.TextChoices):
        WARN = "warn", "提醒（请核对）"
        BLOCK = "block", "拦截（须改正，终审不能通过）"

    word = models.CharField("错误写法", max_length=50, unique=True)
    suggestion = models.CharField("建议改为", max_length=50, blank=True)
    level = models.CharField("级别", max_length=5, choices=Level.choices, default=Level.WARN)

    class Meta:
        verbose_name = "错敏词"
        verbose_name_plural = "错敏词"
        ordering = ["word"]

    def __str__(self):
        return f"{self.word} → {self.suggestion}" if self.suggestion else self.word
