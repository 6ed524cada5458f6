"""Reader pages. Thin: each view names its queryset on the model and hands it to a template."""

import datetime

from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.generic import DetailView, ListView, MonthArchiveView

from . import fragments, links, metadata, page_tags, places, public_sql, qr, search, segment, tally
from .models import Article

FRONT_PAGE_LATEST = 10
LISTING_PAGE_SIZE = 20


def front_page(request):
    page_tags.depend(request, page_tags.LIST_ALL, page_tags.PLACES)
    # The lead is the newest item marked 头条; if none is marked, simply the newest item.
    lead = fragments.Stamps(lead=True).first() or fragments.Stamps().first()
    latest = fragments.Stamps(exclude=lead.pk) if lead else fragments.Stamps()
    return render(
        request,
        "news/front_page.html",
        {
            "lead_html": lead and fragments.lead(request, lead),
            "latest": fragments.cards(request, latest[:FRONT_PAGE_LATEST]),
            "streets": places.current().streets,
        },
    )


def street_directory(request):
    page_tags.depend(request, page_tags.PLACES)
    here = places.current()
    directory = [(street, here.communities_of(street)) for street in here.streets]
    return render(request, "news/street_directory.html", {"directory": directory})


def can_preview(user):
    """Editors may open drafts and scheduled items at their own URL."""
    return user.is_active and user.is_staff and user.has_perm("news.view_article")


class ArticleDetailView(DetailView):
    """An article; for editors also a draft or scheduled item, shown as a 预览."""

    template_name = "news/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):  # an editor's: drafts and scheduled items too
        return Article.objects.with_places().with_corrections().with_qr_code()

    def get_object(self, queryset=None):
        if can_preview(self.request.user):
            return super().get_object(queryset)
        article = public_sql.public_article(self.kwargs["pk"])  # compiled once (0.3 ms, not 2)
        if article is None:
            raise Http404("没有这篇稿件")
        return article

    def get_context_data(self, **kwargs):
        self.is_preview = can_preview(self.request.user) and not (
            Article.objects.published().filter(pk=self.object.pk).exists()
        )
        previous, next_ = self.object.neighbours()
        shown = [page_tags.neighbours(self.object.pk)]
        shown += [page_tags.article(item.pk) for item in (previous, next_) if item]
        page_tags.depend(self.request, *shown)
        return super().get_context_data(
            is_preview=self.is_preview,
            story=fragments.story(self.request, self.object),
            previous=previous,
            next=next_,
            json_ld=metadata.json_ld(metadata.news_article(self.request, self.object)),
            photo_url=metadata.photo_url(self.request, self.object),
            qr=qr.shown(self.object),  # stored when published, never made here
            **kwargs,
        )

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        if self.is_preview:  # never indexed, never kept by any cache
            add_never_cache_headers(response)
            patch_cache_control(response, private=True, no_store=True)
            response["X-Robots-Tag"] = "noindex, nofollow"
        return response


class ArticleListView(ListView):
    """A paginated listing of published items narrowed to one owner (street, community …).

    `paginate_by` turns `?page=abc`, `?page=0` and `?page=999` into 404s.
    """

    paginate_by = LISTING_PAGE_SIZE
    context_object_name = "articles"

    def get_owner(self):
        raise NotImplementedError

    def get_queryset(self):
        self.owner = self.get_owner()
        return fragments.Stamps(**{self.owner_column: self.owner.pk})

    def get_paginator(self, queryset, per_page, **kwargs):
        # 共 N 篇 and the page range from the tally, not a COUNT(*) over the whole listing.
        return tally.TallyPaginator(
            queryset, per_page, count=lambda: tally.count(self.owner), **kwargs
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(owner=self.owner, **kwargs)
        page_tags.depend(self.request, *self.shows())
        return {**context, "cards": fragments.cards(self.request, context["articles"])}

    def shows(self):
        """The page tags of the owner and its listing (news/page_tags.py)."""
        kind = self.owner_kind
        return [page_tags.listing(kind, self.owner.pk), page_tags.owner(kind, self.owner.pk)]


class StreetListView(ArticleListView):
    template_name = "news/street_list.html"
    owner_kind = "s"
    owner_column = "street_id"

    def shows(self):
        return [*super().shows(), page_tags.PLACES]  # its communities

    def get_owner(self):
        self.places = places.current()
        return self.places.street(self.kwargs["street"])

    def get_context_data(self, **kwargs):
        communities = self.places.communities_of(self.owner)
        return super().get_context_data(communities=communities, **kwargs)


class CommunityListView(ArticleListView):
    template_name = "news/community_list.html"
    owner_kind = "c"
    owner_column = "community_id"

    def shows(self):
        return [*super().shows(), page_tags.owner("s", self.owner.street_id)]

    def get_owner(self):
        return places.current().community(self.kwargs["street"], self.kwargs["community"])


class ReporterListView(ArticleListView):
    template_name = "news/reporter_list.html"
    owner_kind = "r"
    owner_column = "reporter_id"

    def get_owner(self):
        return places.current().reporter(self.kwargs["reporter"])


def archive_index(request):
    """/archive/: every month that has published items, newest first, with its count.
    (Link and label made here: through the template's url tag and date filter each of sixty
    rows cost 40 µs.)"""
    page_tags.depend(request, page_tags.LIST_ALL)
    months = [
        {
            "label": f"{month.year}年{month.month}月",
            "count": n,
            "url": links.path("news:archive_month", year=f"{month:%Y}", month=f"{month:%m}"),
        }
        for month, n in tally.months()
    ]
    return render(request, "news/archive_index.html", {"months": months})


class MonthArchive(MonthArchiveView):
    """/archive/2022/09/: a month's items, newest first; an empty or impossible month is 404.

    Django's MonthArchiveView is kept for its context, pagination and templates; what it asks
    the database is replaced: the count (and so the emptiness check) comes from the tally, the
    months before and after from one query of two index lookups, and the page's query carries
    one upper bound on the time (see ArticleQuerySet.published), where Django would add
    `published_at <= now` to the month's own bound and SQLite would scan from now back to
    the month."""

    model = Article
    date_field = "published_at"
    month_format = "%m"
    allow_empty = False
    paginate_by = LISTING_PAGE_SIZE
    context_object_name = "articles"
    template_name = "news/archive_month.html"

    def get_dated_items(self):
        try:
            month = datetime.datetime.strptime(f"{self.get_year()}-{self.get_month()}", "%Y-%m")
        except ValueError as error:
            raise Http404("没有这个月份") from error
        month = month.date()
        since = self._make_date_lookup_arg(month)
        until = self._make_date_lookup_arg(self._get_next_month(month))
        self.month_count = tally.count(month=month)
        if not self.month_count:
            raise Http404("这个月没有稿件")
        page_tags.depend(self.request, page_tags.LIST_ALL)
        previous_month, next_month = tally.adjacent_months(month)
        return (
            [],  # Django's list of the month's days: the page does not show it
            fragments.Stamps(before=until, since=since),
            {"month": month, "previous_month": previous_month, "next_month": next_month},
        )

    def get_paginator(self, queryset, per_page, **kwargs):
        return tally.TallyPaginator(queryset, per_page, count=lambda: self.month_count, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        return {**context, "cards": fragments.cards(self.request, context["articles"])}


def search_page(request):
    """/search/?q=…&street=…&reporter=…: ranked hits, counted and paginated; never a 500."""
    query = segment.clean_query(request.GET.get("q", ""))
    words = segment.query_words(query)
    here = places.current()
    streets, reporters = here.streets, here.reporters
    street = next((s for s in streets if s.slug == request.GET.get("street")), None)
    reporter = next((r for r in reporters if r.slug == request.GET.get("reporter")), None)
    context = {
        "query": query,
        "words": words,
        "streets": streets,
        "reporters": reporters,
        "street": street,
        "reporter": reporter,
    }
    if words:
        hits = search.Hits(words, street and street.pk, reporter and reporter.pk)
        try:
            page = Paginator(hits, LISTING_PAGE_SIZE).page(request.GET.get("page") or 1)
        except InvalidPage as error:
            raise Http404("没有这一页") from error
        context.update(hits=hits, page_obj=page, articles=page.object_list)
    return render(request, "news/search.html", context)
