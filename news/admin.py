from django.contrib import admin

from .models import Article, Community, Reporter, Street


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


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = [
        "headline",
        "street",
        "community",
        "reporter",
        "status",
        "is_lead",
        "published_at",
    ]
    list_display_links = ["headline"]
    list_filter = ["status", "is_lead", "street", "reporter"]
    list_select_related = ["street", "community", "reporter"]
    search_fields = ["headline", "kicker", "subtitle", "body"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["reporter", "street", "community"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["kicker", "headline", "subtitle"]}),
        ("署名与地点", {"fields": ["dateline", "reporter", "street", "community"]}),
        ("正文", {"fields": ["body"]}),
        ("图片", {"fields": ["photo", "photo_caption", "photo_alt", "photo_credit"]}),
        ("发布", {"fields": ["status", "published_at", "is_lead", "created_at", "updated_at"]}),
    ]
