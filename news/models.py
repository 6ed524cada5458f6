from django.core.exceptions import ValidationError
from django.db import connections, models, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from . import images, links
from .text import PlainCharField, PlainSlugField, PlainTextField, opening_sentence, short_datetime


class StreetManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Street(models.Model):
    """街道: the district's sub-division, and the first level of every listing."""

    name = PlainCharField("名称", max_length=50, unique=True, help_text="例如：永泰街道")
    slug = PlainSlugField(
        "网址名", max_length=50, unique=True, help_text="拼音，小写字母，例如：yongtai"
    )
    position = models.PositiveSmallIntegerField("排序", default=0, help_text="数字小的排在前面")

    objects = StreetManager()

    class Meta:
        verbose_name = "街道"
        verbose_name_plural = "街道"
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return links.path("news:street", street=self.slug)

    def natural_key(self):
        return (self.slug,)


class CommunityManager(models.Manager):
    def get_by_natural_key(self, slug, street_slug):
        return self.get(slug=slug, street__slug=street_slug)


# Words a community's slug cannot be: they name pages under /streets/<street>/.
RESERVED_COMMUNITY_SLUGS = {"digest"}


def validate_community_slug(value):
    if value in RESERVED_COMMUNITY_SLUGS:
        raise ValidationError("“%(slug)s”是网站保留的网址名，请换一个。", params={"slug": value})


class Community(models.Model):
    """社区: a residents' community within one street."""

    street = models.ForeignKey(
        Street, on_delete=models.PROTECT, related_name="communities", verbose_name="所属街道"
    )
    name = PlainCharField("名称", max_length=50, help_text="例如：兴国寺社区")
    slug = PlainSlugField(
        "网址名",
        max_length=50,
        help_text="拼音，小写字母，在街道内唯一",
        validators=[validate_community_slug],
    )

    objects = CommunityManager()

    class Meta:
        verbose_name = "社区"
        verbose_name_plural = "社区"
        ordering = ["street__position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["street", "slug"], name="community_slug_unique_in_street"
            ),
            models.UniqueConstraint(
                fields=["street", "name"], name="community_name_unique_in_street"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return links.path("news:community", street=self.street.slug, community=self.slug)

    def natural_key(self):
        return (self.slug, *self.street.natural_key())

    natural_key.dependencies = ["news.street"]


class ReporterManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Reporter(models.Model):
    """记者."""

    name = PlainCharField("姓名", max_length=30)
    slug = PlainSlugField(
        "网址名", max_length=50, unique=True, help_text="姓名拼音，用连字符，例如：zheng-lin"
    )
    bio = PlainTextField("简介", blank=True, help_text="可选，一两句话")

    objects = ReporterManager()

    class Meta:
        verbose_name = "记者"
        verbose_name_plural = "记者"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return links.path("news:reporter", reporter=self.slug)

    def natural_key(self):
        return (self.slug,)


class ArticleQuerySet(models.QuerySet):
    def published(self, before=None, now=None):
        """The one rule for what the public may see: published, due (scheduled items appear by
        themselves at their time) and not taken down (an item with a 下线时间 leaves at that
        time by itself). Pages, feeds, the sitemap, search and photo files all go by it.

        `before` keeps only items whose time is before it. Give it here, not as a filter
        afterwards: the query then carries one upper bound on the time, the tighter one.
        SQLite bounds an index range by only one of several upper bounds (the first written),
        so `published().filter(published_at__lt=x)` reads every item from now back to x.
        `now`: the instant to judge by (news/public_sql.py compiles the rule once with a
        stand-in); by default this one."""
        now = now or timezone.now()
        due = (
            {"published_at__lt": before}
            if before is not None and before <= now
            else {"published_at__lte": now}
        )
        return self.filter(
            Q(unpublish_at__isnull=True) | Q(unpublish_at__gt=now),
            status=Article.Status.PUBLISHED,
            **due,
        )

    def scheduled(self):
        """Published but not yet due: what will appear by itself later."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())

    def taken_down(self):
        """Published, but its 下线时间 has passed: gone from the site until an editor acts."""
        return self.filter(status=Article.Status.PUBLISHED, unpublish_at__lte=timezone.now())

    def next_change(self):
        """When what the public sees next changes by the clock alone: the next scheduled item's
        time or the next take-down, whichever comes first; None when nothing is pending. (Two
        index lookups: article_public_order and article_takedown.)"""
        now = timezone.now()
        going_out = self.scheduled().order_by("published_at").values_list("published_at")
        coming_down = (
            self.filter(status=Article.Status.PUBLISHED, unpublish_at__gt=now)
            .order_by("unpublish_at")
            .values_list("unpublish_at")
        )
        times = [row[0] for row in (going_out.first(), coming_down.first()) if row]
        return min(times, default=None)

    def with_corrections(self):
        """With the 更正 notes, oldest first, fetched in one more query for all the items."""
        return self.prefetch_related("corrections")

    def with_last_correction(self):
        """With `last_corrected` (the newest 更正 note's time, or None) from a subquery: for
        long lists such as the sitemap, where prefetching every note would be wasteful."""
        newest = Correction.objects.filter(article=OuterRef("pk")).order_by("-corrected_at")
        return self.annotate(last_corrected=Subquery(newest.values("corrected_at")[:1]))

    def for_listing(self, before=None):
        """Published items with everything a card shows, in one query (no body)."""
        return self.published(before).with_places().defer("body")

    def where_sql(self):
        """This queryset's conditions as SQL and parameters, for SQL written around them
        (Article.neighbours, news/tally.py): the rule of published() stays in one place.
        Conditions on the article's own columns only: a join would need its table."""
        compiler = self.query.get_compiler(self.db)
        sql, params = compiler.compile(self.query.where)
        if sum(1 for count in self.query.alias_refcount.values() if count) > 1:
            raise ValueError("where_sql() takes conditions on news_article's own columns only")
        return sql, params

    def with_qr_code(self):
        """With the stored QR code (news/qr.py) joined in: the article page shows it."""
        return self.select_related("qr_code")

    def with_places(self):
        """Street, community (with the street its URL needs) and reporter, joined in."""
        return self.select_related("street", "community__street", "reporter")


class Article(models.Model):
    """稿件: one item of the bulletin."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"

    kicker = PlainCharField("引题", max_length=100, blank=True, help_text="主题上方的引题，可留空")
    headline = PlainCharField("主题", max_length=100)
    subtitle = PlainCharField("副题", max_length=100, blank=True)
    dateline = PlainCharField("电头", max_length=20, default="本报讯")
    reporter = models.ForeignKey(
        Reporter, on_delete=models.PROTECT, related_name="articles", verbose_name="记者"
    )
    street = models.ForeignKey(
        Street,
        on_delete=models.PROTECT,
        related_name="articles",
        verbose_name="街道",
        null=True,
        blank=True,
        help_text="全区性的稿件留空",
    )
    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        related_name="articles",
        verbose_name="社区",
        null=True,
        blank=True,
        help_text="必须属于所选街道；不是社区的场所（如科创中心）写在正文里",
    )
    body = PlainTextField("正文", help_text="纯文本；段与段之间空一行。不要写电头和记者署名。")
    photo = images.PhotoField(
        "图片",
        upload_to=images.photo_upload_to,
        blank=True,
        help_text=(
            "JPEG、PNG 或 WebP，最大 20 MB、4000 万像素。"
            "保存时会去掉位置等隐私信息，并生成手机用的小图。"
        ),
        width_field="photo_width",
        height_field="photo_height",
    )
    # Kept by Django on upload so pages can state the size without opening the file.
    photo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_caption = PlainCharField("图片说明", max_length=200, blank=True)
    photo_alt = PlainCharField(
        "替代文字",
        max_length=200,
        blank=True,
        help_text="有图片时必填：为看不见图片的读者（读屏软件）描述图片内容",
    )
    photo_credit = PlainCharField("摄影", max_length=50, blank=True, help_text="例如：张三 摄")
    published_at = models.DateTimeField("发布时间", default=timezone.now, db_index=True)
    unpublish_at = models.DateTimeField(
        "下线时间",
        null=True,
        blank=True,
        help_text=(
            "可选：到这个时间，稿件连同图片自动从网站、订阅源、网站地图和搜索中撤下，"
            "不需要有人值守；必须晚于发布时间。留空则一直保留。"
        ),
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    is_lead = models.BooleanField("头条", default=False, help_text="在首页作为头条显示")
    # The sender's own key for an item received as JSON (import_bulletin): importing the same
    # file again finds the item instead of adding it twice.
    import_key = PlainCharField(
        "导入编号", max_length=100, unique=True, null=True, blank=True, editable=False
    )
    # Counts the saves recorded for this item, its working versions included (the editors'
    # side keeps them). A form carries the number it was opened on; a save from an older
    # number would overwrite someone else's work and is refused.
    edit_version = models.PositiveIntegerField("版本号", default=0, editable=False)
    # How many times the row has been written, raised by the database itself on every UPDATE
    # (migration 0012: admin, bulk actions, imports and shell alike), so that a cached card or
    # article body keyed on (id, changes) is never served after any change (news/fragments.py).
    changes = models.BigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = "稿件"
        verbose_name_plural = "稿件"
        permissions = [("publish_article", "可以发布稿件和稿件的修改")]
        # Newest first; among items of the same time, the earlier-entered one first
        # (the bulletin's page order).
        ordering = ["-published_at", "id"]
        # Every listing filters on published() and sorts by (-published_at, id): one index each,
        # so a page of 20 and its count read an index range, never the whole table. The index
        # ends in unpublish_at so that published()'s take-down test is answered from the index
        # too (without it a count of 20,000 items reads every row: 7 ms instead of 1 on SQLite).
        indexes = [
            models.Index(
                fields=["status", "-published_at", "id", "unpublish_at"],
                name="article_public_order",
            ),
            models.Index(
                fields=["street", "status", "-published_at", "id", "unpublish_at"],
                name="article_street_list",
            ),
            models.Index(
                fields=["community", "status", "-published_at", "id", "unpublish_at"],
                name="article_community_list",
            ),
            models.Index(
                fields=["reporter", "status", "-published_at", "id", "unpublish_at"],
                name="article_reporter_list",
            ),
            # Few items are 头条: a partial index holds just them, so the planner sees how few.
            # Its condition names no value the query passes as a parameter (SQLite uses a
            # partial index only when the query's own text implies its condition: with
            # `status = 'published'` in it the front page read the whole public index instead,
            # 3.5 s at 20,000 items whose one 头条 is old).
            models.Index(
                fields=["-published_at", "id"],
                condition=models.Q(is_lead=True),
                name="article_lead_order",
            ),
            # The next take-down (the page cache's generation ends there): few items have one.
            models.Index(
                fields=["unpublish_at"],
                condition=models.Q(unpublish_at__isnull=False),
                name="article_takedown",
            ),
            # A photo file's URL → its article (news/media.py: is the item public?).
            models.Index(fields=["photo"], name="article_photo"),
        ]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        stored_name, stored_width = getattr(self, "_stored_photo", (None, None))
        self.store_new_photo()
        written, self._written_files = getattr(self, "_written_files", []), []
        try:
            super().save(*args, **kwargs)
        except BaseException:
            images.delete_files(self.photo.storage, written)  # nothing half-saved
            raise
        if stored_name and stored_name != self.photo.name:
            storage = self.photo.storage
            transaction.on_commit(lambda: images.release_photo(storage, stored_name, stored_width))
        self._stored_photo = (self.photo.name or None, self.photo_width)

    def get_absolute_url(self):
        return links.path("news:article", pk=self.pk)

    def store_new_photo(self):
        """Write a new upload's files: the cleaned copy (upright, no metadata; never the
        original) and its renditions. Done by save(), or earlier by the admin form so that a
        full or read-only disk becomes a form error. Raises OSError with nothing left behind."""
        if not self.photo or self.photo._committed:
            return
        content, ext = images.clean_photo(self.photo)
        storage, written = self.photo.storage, []
        try:
            self.photo.save(f"photo.{ext}", content, save=False)
            written.append(self.photo.name)
            # The stored copy is upright: its size, not the upload's, is the photo's size.
            self._meta.get_field("photo").update_dimension_fields(self, force=True)
            written += images.write_renditions(self.photo)
        except BaseException:
            images.delete_files(storage, written)
            self.photo = None
            raise
        self._written_files = written

    def clean(self):
        errors = {}
        if self.community_id and self.community.street_id != self.street_id:
            errors["community"] = "所选社区不属于所选街道。"
        if self.unpublish_at and self.published_at and self.unpublish_at <= self.published_at:
            errors["unpublish_at"] = (
                f"下线时间（{short_datetime(self.unpublish_at)}）必须晚于"
                f"发布时间（{short_datetime(self.published_at)}）。"
            )
        if self.photo and not self.photo_alt.strip():
            errors["photo_alt"] = "有图片时必须填写替代文字，供读屏软件朗读。"
        if errors:
            raise ValidationError(errors)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # Remember the stored photo, to remove its files once it is replaced or cleared.
        if "photo" in field_names:
            instance._stored_photo = (instance.photo.name or None, instance.photo_width)
        return instance

    def photo_srcsets(self):
        """Rendition URLs for <picture>: WebP and JPEG srcsets and a JPEG fallback."""
        return images.srcsets(self.photo, self.photo_width) if self.photo else None

    @property
    def paragraphs(self):
        """The body's paragraphs: separated by a blank line, inner line breaks ignored."""
        return [
            " ".join(p.split()) for p in self.body.replace("\r\n", "\n").split("\n\n") if p.strip()
        ]

    @property
    def summary(self):
        """The opening sentence, for descriptions and link previews."""
        return opening_sentence(self.body, 120)

    @property
    def corrected_at(self):
        """The time of the newest 更正 note, or None. Reads `last_corrected` when the queryset
        annotated it (with_last_correction), else the notes (prefetched by with_corrections)."""
        if "last_corrected" in self.__dict__:
            return self.last_corrected
        notes = list(self.corrections.all())
        return notes[-1].corrected_at if notes else None

    @property
    def last_changed(self):
        """When the public text last changed: its publication, or its newest 更正 note. Feeds'
        updated time, the sitemap's lastmod and JSON-LD dateModified all say this."""
        corrected = self.corrected_at
        return max(self.published_at, corrected) if corrected else self.published_at

    def state(self, now=None):
        """ "draft", "scheduled", "published" or "offline" (taken down), by the same rule as
        ArticleQuerySet.published(), for one item already in hand."""
        now = now or timezone.now()
        if self.status != self.Status.PUBLISHED:
            return "draft"
        if self.unpublish_at and self.unpublish_at <= now:
            return "offline"
        return "scheduled" if self.published_at > now else "published"

    def state_label(self, now=None):
        """The state for the admin list, with its times in Beijing time: 草稿,
        已排期（10月8日 09:00）, 已发布, 已下线（10月9日 18:00）; a coming take-down is added."""
        now = now or timezone.now()
        state = self.state(now)
        down = f"{short_datetime(self.unpublish_at, now)} 下线" if self.unpublish_at else ""
        if state == "draft":
            return "草稿"
        if state == "offline":
            return f"已下线（{short_datetime(self.unpublish_at, now)}）"
        if state == "scheduled":
            times = filter(None, [short_datetime(self.published_at, now), down])
            return f"已排期（{'，'.join(times)}）"
        return f"已发布（{down}）" if down else "已发布"

    state_label.short_description = "状态"  # the admin list's column heading

    def neighbours(self):
        """(上一篇, 下一篇): the published items listed just before (newer) and just after
        (older) this one in the site's order (-published_at, id); None where there is none.

        One query. Four candidate ids, each one lookup in the index article_public_order that
        holds what it compares (status, published_at, id): the same time with the nearest id
        either way, and the nearest other time either way. Then just those rows by primary
        key, for their headlines. Written as SQL around the conditions of published() (the
        rule stays in one place): the same query built with the ORM costs 1.7 ms of Python,
        this 0.3 ms."""
        from .public_sql import public_where  # (it compiles this model's queries)

        using = self._state.db or "default"
        public, public_params = public_where(using=using)
        before, before_params = public_where(before=self.published_at, using=using)
        moment = Article._meta.get_field("published_at").get_db_prep_value(
            self.published_at, connections[using]
        )
        candidates = Article.objects.raw(
            "SELECT id, headline, published_at FROM news_article WHERE id IN ("  # noqa: S608
            f"(SELECT id FROM news_article WHERE {public} AND published_at = %s AND id < %s"
            " ORDER BY id DESC LIMIT 1),"
            f" (SELECT id FROM news_article WHERE {public} AND published_at > %s"
            " ORDER BY published_at, id DESC LIMIT 1),"
            f" (SELECT id FROM news_article WHERE {public} AND published_at = %s AND id > %s"
            " ORDER BY id LIMIT 1),"
            f" (SELECT id FROM news_article WHERE {before}"
            " ORDER BY published_at DESC, id LIMIT 1))",
            [
                *public_params, moment, self.pk,
                *public_params, moment,
                *public_params, moment, self.pk,
                *before_params,
            ],
        )  # fmt: skip
        order = lambda item: (item.published_at, -item.pk)  # noqa: E731 (the site's, reversed)
        newer = [item for item in candidates if order(item) > order(self)]
        older = [item for item in candidates if order(item) < order(self)]
        return min(newer, key=order, default=None), max(older, key=order, default=None)


class SearchEntry(models.Model):
    """One published article as the search index holds it (see news/search.py).

    The raw text is kept as it was indexed: SQLite's FTS5 needs it to take the row out again.
    On PostgreSQL the row also carries the tsvector columns (added by migration 0004).
    """

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="search_entry"
    )
    sort_key = models.BigIntegerField(unique=True)
    title = models.TextField()
    body = models.TextField()
    meta = models.TextField()
    street_pk = models.BigIntegerField(null=True)
    reporter_pk = models.BigIntegerField()
    # The 下线时间 in the sort key's terms (news/search.py): from then on the entry is no longer
    # found, as the publication time makes it found, with no job to take it out.
    offline_key = models.BigIntegerField(null=True)

    class Meta:
        verbose_name = "搜索索引条目"
        verbose_name_plural = "搜索索引条目"
        ordering = ["-sort_key"]
        indexes = [
            models.Index(fields=["street_pk", "-sort_key"], name="search_street_order"),
            models.Index(fields=["reporter_pk", "-sort_key"], name="search_reporter_order"),
            models.Index(
                fields=["offline_key"],
                condition=models.Q(offline_key__isnull=False),
                name="search_offline",
            ),
        ]

    def __str__(self):
        return self.title


# 更正 notes live in their own module; imported here so that Django registers the model and
# `from news.models import Correction` works like for every other model.
from .corrections import Correction  # noqa: E402, F401
from .qr import ArticleQRCode  # noqa: E402, F401
