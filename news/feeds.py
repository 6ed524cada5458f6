"""Feeds: RSS 2.0 and Atom for the district and for each street, community and reporter, in full
text; the /feeds/ page that lists them; OPML files that subscribe a reader to many at once.

Every feed runs three queries at most: its owner, its items with their places and reporter,
and their 更正 notes (which end an item's text, and whose time is its updated time).
"""

import copy

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed, rfc3339_date
from django.utils.html import escape, format_html, format_html_join
from django.utils.xmlutils import SimplerXMLGenerator

from . import images
from .models import Article, Community, Reporter, Street
from .text import chinese_date, xml_safe

FEED_LENGTH = 20


class UpdatedRss(Rss201rev2Feed):
    """RSS 2.0 has no element for an item's last change (Django writes only pubDate): add
    Atom's <updated> in the atom namespace the feed already declares, which readers such as
    feedparser read as the entry's updated time, so a corrected item shows as changed."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item["updateddate"] is not None:
            handler.addQuickElement("atom:updated", rfc3339_date(item["updateddate"]))


class ArticleFeed(Feed):
    """The newest published items of one owner (None for the whole district), as RSS 2.0.

    Subclasses name the owner (`get_object`, `name`, `description`) and narrow the items
    (`filter_articles`); `url_name` is the pattern both versions share (`<url_name>_rss`).
    """

    url_name = "feed"
    feed_type = UpdatedRss
    language = "zh-cn"
    item_guid_is_permalink = True  # the article's absolute URL: stable, and a reader can open it

    def __call__(self, request, *args, **kwargs):
        # One instance serves every request to its URL, but author and enclosure URLs need this
        # request's scheme and host (Django makes only the item links absolute): work on a copy.
        feed = copy.copy(self)
        feed.request = request
        return super(ArticleFeed, feed).__call__(request, *args, **kwargs)

    def get_feed(self, obj, request):
        """The feed, with the characters XML cannot carry dropped from every value: the fields
        refuse them now (news.text), but a row stored before, or written around the rule, must
        not turn the feed into a 500 for every reader."""
        feed = super().get_feed(obj, request)
        feed.feed = {key: _xml_safe(value) for key, value in feed.feed.items()}
        feed.items = [{key: _xml_safe(value) for key, value in item.items()} for item in feed.items]
        return feed

    def name(self, owner):
        """What the feed covers, after the site's name in its title; "" for the district."""
        return ""

    def filter_articles(self, articles, owner):
        return articles

    def feed_kwargs(self, owner):
        """The URL arguments of this owner's feeds (and of its OPML outline)."""
        return {}

    def feed_url_for(self, owner, kind="rss"):
        return reverse(f"news:{self.url_name}_{kind}", kwargs=self.feed_kwargs(owner))

    def title(self, owner):
        name = self.name(owner)
        return f"{settings.SITE_NAME} · {name}" if name else settings.SITE_NAME

    def description(self, owner):
        return "平城区各街道、社区的最新新闻，全文。"

    def subtitle(self, owner):  # Atom's name for the description; RSS ignores it
        return self.description(owner)

    def link(self, owner):
        return owner.get_absolute_url() if owner else reverse("news:front")

    def items(self, owner):
        articles = Article.objects.published().with_places().with_corrections()
        return self.filter_articles(articles, owner)[:FEED_LENGTH]

    def item_title(self, article):
        # Plain text, escaped once by the XML writer (Django's default escapes twice): a reader
        # shows a headline with "<" or "&" exactly as the editor typed it.
        return article.headline

    def item_description(self, article):
        """The full text as the article page prints it: kicker and subtitle, then the body, its
        first paragraph opened by the dateline 本报讯（记者 郑林）, then any 更正 notes, oldest
        first. Every piece is escaped."""
        heads = format_html_join(
            "",
            "<p><strong>{}</strong></p>",
            ((t,) for t in (article.kicker, article.subtitle) if t),
        )
        first, *rest = article.paragraphs or [""]
        return format_html(
            "{}<p>{}（记者 {}）{}</p>{}{}",
            heads,
            article.dateline,
            article.reporter.name,
            first,
            format_html_join("", "<p>{}</p>", ((p,) for p in rest)),
            format_html_join(
                "",
                "<p><em>更正：{}（{}）</em></p>",
                ((c.note, chinese_date(c.corrected_at)) for c in article.corrections.all()),
            ),
        )

    def item_author_name(self, article):
        return article.reporter.name

    def item_author_link(self, article):
        return self.request.build_absolute_uri(article.reporter.get_absolute_url())

    def item_pubdate(self, article):
        return timezone.localtime(article.published_at)  # +08:00, as a reader in Pingcheng expects

    def item_updateddate(self, article):
        # Atom's <updated>, RSS's <atom:updated> (UpdatedRss below) and the channel's
        # lastBuildDate: the newest 更正 note, else the publication (Atom: updated ≥ published).
        # Saves that change nothing a reader sees (头条, a working copy) do not count.
        return timezone.localtime(article.last_changed)

    def item_categories(self, article):
        return [place.name for place in (article.street, article.community) if place]

    def item_enclosures(self, article):
        """The photo's middle-width JPEG (960 px for most photos), the file the page's plain
        <img src> shows (images.srcsets); none when there is no photo or its file is gone."""
        if not article.photo or not article.photo_width:
            return []
        widths = images.rendition_widths(article.photo_width)
        name = images.rendition_name(article.photo.name, widths[min(1, len(widths) - 1)], "jpg")
        storage = article.photo.storage
        try:
            length = storage.size(name)
        except OSError:  # a lost rendition costs the enclosure, not the whole feed
            return []
        url = self.request.build_absolute_uri(storage.url(name))
        return [Enclosure(url, str(length), "image/jpeg")]


def _xml_safe(value):
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, list | tuple):  # categories
        return type(value)(_xml_safe(v) for v in value)
    return value  # dates, enclosures (our own URLs), None


class XMLSafeGenerator(SimplerXMLGenerator):
    """Django's XML writer, dropping what XML cannot carry from text and attributes (the OPML
    files carry names as attributes) instead of failing or writing a file no reader parses."""

    def characters(self, content):
        super().characters(xml_safe(content))

    def startElement(self, name, attrs):
        super().startElement(name, {key: xml_safe(value) for key, value in attrs.items()})


class DistrictFeed(ArticleFeed):
    pass


class StreetFeed(ArticleFeed):
    url_name = "street_feed"

    def get_object(self, request, street):
        return Street.objects.get(slug=street)  # DoesNotExist becomes a 404

    def name(self, street):
        return street.name

    def description(self, street):
        return f"平城区{street.name}的最新新闻，全文。"

    def feed_kwargs(self, street):
        return {"street": street.slug}

    def filter_articles(self, articles, street):
        return articles.filter(street=street)


class CommunityFeed(ArticleFeed):
    url_name = "community_feed"

    def get_object(self, request, street, community):
        return Community.objects.select_related("street").get(street__slug=street, slug=community)

    def name(self, community):
        return f"{community.street.name} · {community.name}"

    def description(self, community):
        return f"平城区{community.street.name}{community.name}的最新新闻，全文。"

    def feed_kwargs(self, community):
        return {"street": community.street.slug, "community": community.slug}

    def filter_articles(self, articles, community):
        return articles.filter(community=community)


class ReporterFeed(ArticleFeed):
    url_name = "reporter_feed"

    def get_object(self, request, reporter):
        return Reporter.objects.get(slug=reporter)

    def name(self, reporter):
        return f"记者 {reporter.name}"

    def description(self, reporter):
        return f"记者{reporter.name}采写的最新新闻，全文。"

    def feed_kwargs(self, reporter):
        return {"reporter": reporter.slug}

    def filter_articles(self, articles, reporter):
        return articles.filter(reporter=reporter)


class Atom1FeedWithContent(Atom1Feed):
    """Atom 1.0 with the full text where RFC 4287 puts it, `<content type="html">`, so that
    `<summary>` can be what its name says. (Django's Atom writer has no content element.)"""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content") is not None:
            handler.addQuickElement("content", item["content"], {"type": "html"})


class AtomMixin:
    """The same feed as Atom 1.0, for readers that prefer it: the same items, the full text in
    `<content>` and the opening sentence (the page's description) in `<summary>`."""

    feed_type = Atom1FeedWithContent

    def item_description(self, article):
        # Written as type="html", so the plain sentence is escaped once for HTML here.
        return escape(article.summary)

    def item_extra_kwargs(self, article):
        return {"content": ArticleFeed.item_description(self, article)}


class DistrictAtomFeed(AtomMixin, DistrictFeed):
    pass


class StreetAtomFeed(AtomMixin, StreetFeed):
    pass


class CommunityAtomFeed(AtomMixin, CommunityFeed):
    pass


class ReporterAtomFeed(AtomMixin, ReporterFeed):
    pass


def streets_with_communities():
    return Street.objects.prefetch_related("communities")  # sets community.street: no N+1


def feeds_page(request):
    """/feeds/: every feed, and the OPML files."""
    return render(
        request,
        "news/feeds.html",
        {"streets": streets_with_communities(), "reporters": Reporter.objects.all()},
    )


# OPML 2.0 (https://opml.org/spec2.opml): a subscription list a reader imports in one go.
# An outline is (attributes, children); one with children and no xmlUrl is a folder.


def feed_outline(request, feed, owner=None):
    title = feed.title(owner)
    return {
        "type": "rss",
        "text": title,
        "title": title,
        "xmlUrl": request.build_absolute_uri(feed.feed_url_for(owner)),
        "htmlUrl": request.build_absolute_uri(feed.link(owner)),
    }, []


def street_outline(request, street):
    """A folder named after the street: its feed, then one feed per community."""
    feeds = [feed_outline(request, StreetFeed(), street)]
    feeds += [feed_outline(request, CommunityFeed(), c) for c in street.communities.all()]
    return {"text": street.name, "title": street.name}, feeds


def opml_all(request):
    """/feeds/all.opml: the district, every street with its communities, every reporter."""
    outlines = [
        feed_outline(request, DistrictFeed()),
        *(street_outline(request, street) for street in streets_with_communities()),
        (
            {"text": "记者", "title": "记者"},
            [feed_outline(request, ReporterFeed(), r) for r in Reporter.objects.all()],
        ),
    ]
    return opml_response(f"{settings.SITE_NAME} · 全部订阅", outlines, "pingcheng.opml")


def opml_street(request, street):
    """/feeds/streets/<street>.opml: one street and its communities, to subscribe at once."""
    street = get_object_or_404(streets_with_communities(), slug=street)
    return opml_response(
        f"{settings.SITE_NAME} · {street.name}",
        [street_outline(request, street)],
        f"pingcheng-{street.slug}.opml",
    )


def opml_response(title, outlines, filename):
    # Django's own feeds are written with this generator: it escapes text and attributes.
    response = HttpResponse(content_type="text/x-opml; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    xml = XMLSafeGenerator(response, "utf-8")
    xml.startDocument()
    xml.startElement("opml", {"version": "2.0"})
    xml.startElement("head", {})
    xml.addQuickElement("title", title)
    xml.endElement("head")
    xml.startElement("body", {})
    for outline in outlines:
        write_outline(xml, outline)
    xml.endElement("body")
    xml.endElement("opml")
    return response


def write_outline(xml, outline):
    attributes, children = outline
    xml.startElement("outline", attributes)
    for child in children:
        write_outline(xml, child)
    xml.endElement("outline")
