from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from news.models import Article, Community, Reporter, Street

from .copycheck import copy_warnings


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


class ArticleAdminForm(forms.ModelForm):
    """Writes a new photo's files while validating, so that a full or read-only disk is a form
    error the editor can act on, not a server error; the article is then not saved either."""

    STORAGE_ERROR = (
        "图片没有保存：服务器的存储空间已满或暂时不能写入。"
        "稿件也没有保存，请稍后再试，或联系网站管理员。"
    )

    class Meta:
        model = Article
        fields = [
            "kicker", "headline", "subtitle", "dateline", "reporter", "street", "community",
            "body", "photo", "photo_caption", "photo_alt", "photo_credit",
            "status", "published_at", "is_lead",
        ]  # fmt: skip

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            self.instance.store_new_photo()
        except OSError:
            self.add_error("photo", self.STORAGE_ERROR)


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = [
        "headline",
        "street",
        "community",
        "reporter",
        "status",
        "is_lead",
        "published_at",
        "preview_link",
    ]
    list_display_links = ["headline"]
    list_filter = ["status", "is_lead", "street", "reporter"]
    list_select_related = ["street", "community", "reporter"]
    search_fields = ["headline", "kicker", "subtitle", "body"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["reporter", "street", "community"]
    readonly_fields = ["preview_link", "created_at", "updated_at", "history"]
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["kicker", "headline", "subtitle"]}),
        ("署名与地点", {"fields": ["dateline", "reporter", "street", "community"]}),
        ("正文", {"fields": ["body"]}),
        ("图片", {"fields": ["photo", "photo_caption", "photo_alt", "photo_credit"]}),
        (
            "发布",
            {
                "fields": [
                    "status",
                    "published_at",
                    "is_lead",
                    "preview_link",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
        ("修改记录", {"fields": ["history"], "classes": ["collapse"]}),
    ]

    @admin.display(description="预览")
    def preview_link(self, obj):
        if not obj.pk:
            return "保存后可预览"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">在网站上查看</a>', obj.get_absolute_url()
        )

    @admin.display(description="谁在什么时候改了什么")
    def history(self, obj):
        if not obj.pk:
            return "—"
        entries = (
            LogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(Article), object_id=str(obj.pk)
            )
            .select_related("user")
            .order_by("-action_time")[:20]
        )
        rows = (
            (
                timezone.localtime(entry.action_time).strftime("%Y-%m-%d %H:%M"),
                entry.user.get_username(),
                entry.get_change_message() or entry.get_action_flag_display(),
            )
            for entry in entries
        )
        return format_html_join("", "<p>{} · {}：{}</p>", rows) or "还没有记录"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        for warning in copy_warnings(obj):
            messages.warning(request, warning)

    @admin.action(description="发布所选稿件（发布时间已过的改为现在）", permissions=["change"])
    def publish(self, request, queryset):
        now = timezone.now().replace(microsecond=0)
        count = 0
        for article in queryset.filter(status=Article.Status.DRAFT):
            article.status = Article.Status.PUBLISHED
            if article.published_at < now:  # a draft written days ago goes out now, on top
                article.published_at = now
            article.save()  # one by one: save() keeps photos and every later hook right
            self.log_change(request, article, "批量操作：发布")
            count += 1
        self.message_user(
            request, f"已发布 {count} 篇稿件。定时的稿件将在设定时间出现。", messages.SUCCESS
        )

    @admin.action(description="撤回所选稿件（改为草稿）", permissions=["change"])
    def unpublish(self, request, queryset):
        count = 0
        for article in queryset.exclude(status=Article.Status.DRAFT):
            article.status = Article.Status.DRAFT
            article.save()
            self.log_change(request, article, "批量操作：撤回为草稿")
            count += 1
        self.message_user(request, f"已撤回 {count} 篇稿件，读者不再能看到。", messages.SUCCESS)
