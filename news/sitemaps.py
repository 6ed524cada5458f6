"""sitemap.xml for search engines (published items, streets, communities, reporters and the two
fixed pages; never a draft or a scheduled item) and the robots.txt that names it."""

from django.contrib.sitemaps import Sitemap
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from .models import Article, Community, Reporter, Street


class ArticleSitemap(Sitemap):
    def items(self):
        # By id, not by date: a new item lands on the last sitemap page instead of shifting
        # every page's contents once there are more than 50,000.
        articles = Article.objects.published().with_last_correction()
        return articles.only("id", "published_at").order_by("id")

    def lastmod(self, article):
        # The page's text last changed when it went out or at its newest 更正 note (as the
        # feeds' updated time and JSON-LD dateModified say); saves that change nothing a reader
        # sees do not ask a search engine to fetch the page again.
        return article.last_changed


class StreetSitemap(Sitemap):
    def items(self):
        return Street.objects.all()


class CommunitySitemap(Sitemap):
    def items(self):
        return Community.objects.select_related("street")  # its URL needs the street's slug


class ReporterSitemap(Sitemap):
    def items(self):
        return Reporter.objects.all()


class PageSitemap(Sitemap):
    """The pages that belong to no object: the front page and the directory."""

    def items(self):
        return ["news:front", "news:streets"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "articles": ArticleSitemap,
    "streets": StreetSitemap,
    "communities": CommunitySitemap,
    "reporters": ReporterSitemap,
    "pages": PageSitemap,
}


@require_GET
def robots_txt(request):
    """Keep crawlers out of the admin and of the display-preference links, and point them at the
    sitemap. Search is not disallowed: its pages say `noindex`, and a crawler that may not fetch
    a page never reads that, so a disallowed result page could still be listed from links."""
    lines = [
        "User-agent: *",
        f"Disallow: {reverse('admin:index')}",  # follows settings.ADMIN_URL
        f"Disallow: {reverse('news:set_preferences')}",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
