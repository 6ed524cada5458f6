"""更正: what was corrected in a published item, and when, shown to readers under its text.

The page lists an item's notes oldest first as 更正：…（2022年10月3日）; the feeds end the item's
text with them and take the newest as its updated time, as do the sitemap's lastmod and JSON-LD
dateModified (Article.last_changed). The publishing service records a note with
`Correction.objects.record(article, note)` when it makes a corrected version live.
"""

from django.db import models
from django.utils import timezone

from .text import PlainCharField


class CorrectionManager(models.Manager):
    def record(self, article, note, corrected_at=None):
        """Add a 更正 note to a published `article`, shown under its text and carried by the
        feeds. For the publishing service: call it in the transaction that makes the corrected
        version live. Raises ValidationError (in Chinese) for an empty or overlong note."""
        correction = self.model(
            article=article,
            note=" ".join(str(note).split()),  # one line, as it is shown
            corrected_at=corrected_at or timezone.now(),
        )
        correction.full_clean()
        correction.save()
        return correction


class Correction(models.Model):
    """更正: what was corrected in a published item, and when; shown under its text."""

    article = models.ForeignKey(
        "news.Article", on_delete=models.CASCADE, related_name="corrections", verbose_name="稿件"
    )
    note = PlainCharField(
        "更正说明",
        max_length=200,
        help_text="告诉读者改正了什么，例如：原稿把“兴国寺社区”误写为“兴国社区”，现已改正。",
    )
    corrected_at = models.DateTimeField("更正时间", default=timezone.now)

    objects = CorrectionManager()

    class Meta:
        verbose_name = "更正"
        verbose_name_plural = "更正"
        ordering = ["corrected_at", "id"]  # oldest first, as the page lists them
        indexes = [models.Index(fields=["article", "corrected_at"], name="correction_article")]

    def __str__(self):
        return f"更正：{self.note}"
