from django.core.exceptions import ValidationError
from django.db import connections, models, transaction
from django.utils import timezone

from . import images, links
from .text import opening_sentence


class StreetManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Street(models.Model):
    """街道: the district's sub-division, and the first level of every listing."""

    name = models.CharField("名称", max_length=50, unique=True, help_text="例如：永泰街道")
    slug = models.SlugField(
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
    name = models.CharField("名称", max_length=50, help_text="例如：兴国寺社区")
    slug = models.SlugField(
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

    name = models.CharField("姓名", max_length=30)
    slug = models.SlugField(
        "网址名", max_length=50, unique=True, help_text="姓名拼音，用连字符，例如：zheng-lin"
    )
    bio = models.TextField("简介", blank=True, help_text="可选，一两句话")

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
    def published(self, before=None):
        """The one rule for what the public may see: published, and due (scheduled items
        appear by themselves at their time).

        `before` keeps only items whose time is before it. Give it here, not as a filter
        afterwards: the query then carries one upper bound on the time, the tighter one.
        SQLite bounds an index range by only one of several upper bounds (the first written),
        so `published().filter(published_at__lt=x)` reads every item from now back to x."""
        now = timezone.now()
        due = (
            {"published_at__lt": before}
            if before is not None and before <= now
            else {"published_at__lte": now}
        )
        return self.filter(status=Article.Status.PUBLISHED, **due)

    def scheduled(self):
        """Published but not yet due: what will appear by itself later."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())

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

    def with_places(self):
        """Street, community (with the street its URL needs) and reporter, joined in."""
        return self.select_related("street", "community__street", "reporter")


class Article(models.Model):
    """稿件: one item of the bulletin."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"

    kicker = models.CharField(
        "引题", max_length=100, blank=True, help_text="主题上方的引题，可留空"
    )
    headline = models.CharField("主题", max_length=100)
    subtitle = models.CharField("副题", max_length=100, blank=True)
    dateline = models.CharField("电头", max_length=20, default="本报讯")
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
    body = models.TextField("正文", help_text="纯文本；段与段之间空一行。不要写电头和记者署名。")
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
    photo_caption = models.CharField("图片说明", max_length=200, blank=True)
    photo_alt = models.CharField(
        "替代文字",
        max_length=200,
        blank=True,
        help_text="有图片时必填：为看不见图片的读者（读屏软件）描述图片内容",
    )
    photo_credit = models.CharField("摄影", max_length=50, blank=True, help_text="例如：张三 摄")
    published_at = models.DateTimeField("发布时间", default=timezone.now, db_index=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    is_lead = models.BooleanField("头条", default=False, help_text="在首页作为头条显示")
    # The sender's own key for an item received as JSON (import_bulletin): importing the same
    # file again finds the item instead of adding it twice.
    import_key = models.CharField(
        "导入编号", max_length=100, unique=True, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = "稿件"
        verbose_name_plural = "稿件"
        # Newest first; among items of the same time, the earlier-entered one first
        # (the bulletin's page order).
        ordering = ["-published_at", "id"]
        # Every listing filters on published() and sorts by (-published_at, id): one index each,
        # so a page of 20 and its count read an index range, never the whole table.
        indexes = [
            models.Index(fields=["status", "-published_at", "id"], name="article_public_order"),
            models.Index(
                fields=["street", "status", "-published_at", "id"], name="article_street_list"
            ),
            models.Index(
                fields=["community", "status", "-published_at", "id"], name="article_community_list"
            ),
            models.Index(
                fields=["reporter", "status", "-published_at", "id"], name="article_reporter_list"
            ),
            # Few items are 头条: a partial index holds just them, so the planner sees how few.
            models.Index(
                fields=["-published_at", "id"],
                condition=models.Q(is_lead=True, status="published"),
                name="article_lead",
            ),
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
            transaction.on_commit(lambda: images.delete_photo(storage, stored_name, stored_width))
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
        """When the item was changed after it went out, or None. (A save within a minute of
        publication or creation is the publication itself, not a correction.)"""
        went_out = max(self.published_at, self.created_at or self.published_at)
        if self.updated_at and self.updated_at - went_out > timezone.timedelta(minutes=1):
            return self.updated_at
        return None

    def neighbours(self):
        """(上一篇, 下一篇): the published items listed just before (newer) and just after
        (older) this one in the site's order (-published_at, id); None where there is none.

        One query. Four candidate ids, each one lookup in the index article_public_order that
        holds what it compares (status, published_at, id): the same time with the nearest id
        either way, and the nearest other time either way. Then just those rows by primary
        key, for their headlines. Written as SQL around the conditions of published() (the
        rule stays in one place): the same query built with the ORM costs 1.7 ms of Python,
        this 0.3 ms."""
        public, public_params = Article.objects.published().where_sql()
        before, before_params = Article.objects.published(before=self.published_at).where_sql()
        moment = Article._meta.get_field("published_at").get_db_prep_value(
            self.published_at, connections[self._state.db or "default"]
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

    class Meta:
        verbose_name = "搜索索引条目"
        verbose_name_plural = "搜索索引条目"
        ordering = ["-sort_key"]
        indexes = [
            models.Index(fields=["street_pk", "-sort_key"], name="search_street_order"),
            models.Index(fields=["reporter_pk", "-sort_key"], name="search_reporter_order"),
        ]

    def __str__(self):
        return self.title
