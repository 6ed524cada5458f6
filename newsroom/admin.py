from functools import partial

from django.contrib import admin, messages
from django.db.models import OuterRef, Subquery
from django.urls import path
from django.utils.html import format_html, format_html_join

from news import images
from news.models import Article, Community, Reporter, Street
from news.text import chinese_date

from . import publishing, queues, review, review_views, versions, views
from .copycheck import copy_warnings
from .forms import ArticleAdminForm
from .models import Edit, Review, WrongWord


class CommunityInline(admin.TabularInline):
    model = Community
    extra = 1
    fields = ["name", "slug"]


@admin.register(Street)
class StreetAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name", "slug"]
    inlines = [CommunityInline]


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["name", "street", "slug"]
    list_filter = ["street"]
    list_select_related = ["street"]
    search_fields = ["name", "slug", "street__name"]
    autocomplete_fields = ["street"]


@admin.register(Reporter)
class ReporterAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]


class ReviewStateFilter(admin.SimpleListFilter):
    title = "审核状态"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [(state, state) for state in review.STATES]

    def queryset(self, request, queryset):
        if self.value() in review.STATES:
            return queues.with_state(queryset, self.value())
        return queryset


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    """Articles. Every save goes through newsroom.publishing: it keeps a version, refuses a
    save from an older version, and turns a change to a published item into a working version
    that goes public only when it is published (发布修改, or the list's 发布 action)."""

    form = ArticleAdminForm
    change_form_template = "newsroom/article_change_form.html"
    list_display = [
        "headline",
        "street",
        "community",
        "reporter",
        "state",
        "is_lead",
        "published_at",
        "preview_link",
    ]
    list_display_links = ["headline"]
    list_filter = [ReviewStateFilter, "status", "is_lead", "street", "reporter"]
    list_select_related = ["street", "community", "reporter"]
    # Names too: an editor looks for 杨翠叶's items or everything from 永安里社区.
    search_fields = [
        "headline", "kicker", "subtitle", "body",
        "reporter__name", "street__name", "community__name",
    ]  # fmt: skip
    date_hierarchy = "published_at"
    autocomplete_fields = ["reporter", "street"]  # 社区: grouped by street (forms.py)
    readonly_fields = [
        "photo_thumbnail", "corrections", "preview_link", "created_at", "updated_at",
    ]  # fmt: skip
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["kicker", "headline", "subtitle"]}),
        ("署名与地点", {"fields": ["dateline", "reporter", "street", "community"]}),
        ("正文", {"fields": ["body"]}),
        (
            "图片",
            {"fields": ["photo_thumbnail", "photo", "photo_caption", "photo_alt", "photo_credit"]},
        ),
        (
            "发布",
            {
                "fields": [
                    "status",
                    "published_at",
                    "unpublish_at",
                    "is_lead",
                    "corrections",
                    "preview_link",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
        ("修改说明", {"fields": ["comment"]}),
    ]

    class Media:
        js = ["newsroom/headline_count.js"]

    def get_queryset(self, request):
        # Whether the newest version is a working one, in the list's own query (no query per row).
        newest = Edit.objects.filter(article=OuterRef("pk")).order_by("-number")
        return (
            super().get_queryset(request).annotate(pending=Subquery(newest.values("working")[:1]))
        )

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def get_object(self, request, object_id, from_field=None):
        """The form opens on the newest version: a published item's working version, if any."""
        article = super().get_object(request, object_id, from_field)
        if article is not None:
            article.newest_version = versions.open_latest(article)
        return article

    def has_publish_permission(self, request):
        return publishing.may_publish(request.user)

    @admin.display(description="状态", ordering="status")
    def state(self, obj):
        """草稿 / 已排期（10月8日 09:00）/ 已发布 / 已下线（…）, and whether a working version
        waits: 已发布，有未发布的修改."""
        label = obj.state_label()
        if obj.status == Article.Status.PUBLISHED and getattr(obj, "pending", False):
            return f"{label}，有未发布的修改（{review.state(obj)}）"
        if obj.status != Article.Status.PUBLISHED:
            return review.state(obj)
        return label

    @admin.display(description="更正")
    def corrections(self, obj):
        notes = obj.corrections.all() if obj.pk else []
        rows = ((chinese_date(note.corrected_at), note.note) for note in notes)
        return format_html_join("", "<p>更正：{1}（{0}）</p>", rows) or "没有更正"

    @admin.display(description="现在的图片")
    def photo_thumbnail(self, obj):
        if not obj.photo:
            return "没有图片"
        small = images.rendition_name(
            obj.photo.name, images.rendition_widths(obj.photo_width)[0], "jpg"
        )
        return format_html(
            '<img src="{}" alt="{}" class="photo-thumbnail" width="240">',
            obj.photo.storage.url(small),
            obj.photo_alt or "（没有替代文字）",
        )

    @admin.display(description="预览")
    def preview_link(self, obj):
        if not obj.pk:
            return "保存后可预览"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">在网站上查看</a>', obj.get_absolute_url()
        )

    def save_model(self, request, obj, form, change):
        saved = publishing.save(
            obj,
            user=request.user,
            opened_on=form.based_on if change else None,
            comment=form.cleaned_data.get("comment", ""),
            keep_time="published_at" in form.changed_data,
        )
        if saved.working:
            messages.info(
                request,
                f"修改已保存为第 {saved.number} 版，还没有发布：读者看到的仍是已发布的内容。"
                "请有发布权限的编辑在稿件页上点“发布这些修改”。",
            )
        for warning in copy_warnings(obj):
            messages.warning(request, warning)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context.update(views.change_form_context(request, obj, context["adminform"].form))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        def wrap(view):
            return self.admin_site.admin_view(partial(view, model_admin=self))

        return [
            path("<path:object_id>/compare/", wrap(views.compare), name="news_article_compare"),
            path(
                "<path:object_id>/revert/<int:version_id>/",
                wrap(views.revert),
                name="news_article_revert",
            ),
            path("<path:object_id>/publish/", wrap(views.publish), name="news_article_publish"),
            path(
                "review-records.csv",
                wrap(review_views.records_csv),
                name="news_article_review_records",
            ),
            path("<path:object_id>/sheet/", wrap(review_views.sheet), name="news_article_sheet"),
            path(
                "<path:object_id>/review/",
                wrap(review_views.review_page),
                name="news_article_review",
            ),
            *super().get_urls(),
        ]

    @admin.action(description="发布所选稿件（发布时间已过的改为现在）", permissions=["publish"])
    def publish(self, request, queryset):
        """Drafts go out; a published item with a working version gets it published."""
        count, held, unreviewed = 0, [], []
        for article in queryset:
            try:
                saved = publishing.publish(article.pk, user=request.user, comment="批量操作：发布")
            except publishing.NeedsCorrection:
                held.append(article.headline)  # a correction is written one item at a time
                continue
            except publishing.Refused:
                unreviewed.append(article.headline)  # 先审后发: not approved at every step
                continue
            if saved:
                self.log_change(request, article, "批量操作：发布")
                count += 1
        self.message_user(
            request, f"已发布 {count} 篇稿件。定时的稿件将在设定时间出现。", messages.SUCCESS
        )
        if held:
            self.message_user(
                request,
                f"没有发布 {len(held)} 篇（{'、'.join(held[:5])}{'等' if len(held) > 5 else ''}）："
                "它们改动了读者已经看到的文字，需要在各自的“发布修改”页写更正说明。",
                messages.WARNING,
            )
        if unreviewed:
            self.message_user(
                request,
                f"没有发布 {len(unreviewed)} 篇（{'、'.join(unreviewed[:5])}"
                f"{'等' if len(unreviewed) > 5 else ''}）：它们的最新一版还没有通过全部审核"
                "（先审后发）。",
                messages.WARNING,
            )

    @admin.action(description="撤回所选稿件（改为草稿）", permissions=["change"])
    def unpublish(self, request, queryset):
        count = 0
        for article in queryset:
            if publishing.take_down(article.pk, user=request.user, comment="批量操作：撤回为草稿"):
                self.log_change(request, article, "批量操作：撤回为草稿")
                count += 1
        self.message_user(request, f"已撤回 {count} 篇稿件，读者不再能看到。", messages.SUCCESS)


@admin.register(WrongWord)
class WrongWordAdmin(admin.ModelAdmin):
    """The 错敏词 list: the 校对 on every review page uses it as it is now."""

    list_display = ["word", "suggestion", "level"]
    list_editable = ["suggestion", "level"]
    list_filter = ["level"]
    search_fields = ["word", "suggestion"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    """The records, for reading: they are made only by the 审核 page (newsroom.review)."""

    list_display = ["article", "number", "step", "decision", "reviewer_name", "created_at"]
    list_filter = ["step", "decision"]
    list_select_related = ["article"]
    search_fields = ["article__headline", "reviewer_name", "opinion"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Never on their own; with their item, when the editor may delete the item (the
        # admin asks this of every record a deletion takes along).
        return obj is not None and request.user.has_perm("news.delete_article")
