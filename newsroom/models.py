"""What the editors' side stores beside the articles: which save each version was.

The versions themselves are django-reversion's (`reversion.Version`: every field of the article,
serialized, and a `Revision` with who, when and the 修改说明). An `Edit` is reversion's "meta"
row for a revision: the article's version number after that save, what kind of save it was,
and whether it went into the article's row (what the public sees once it is published) or stayed
a *working* version beside it.
"""

from django.db import models
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
