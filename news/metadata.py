"""What search engines and chat apps read: canonical URLs, descriptions, OpenGraph, JSON-LD."""

import json

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.templatetags.static import static
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime

from . import images

# Where every street lies: the chain above a street in schema.org Place terms.
DISTRICT_CHAIN = [
    ("AdministrativeArea", "平城区"),
    ("City", "大同市"),
    ("State", "山西省"),
]
# The site's own raster images (made by tools/brand_images.py): path under static/, size.
LOGO = ("img/logo.png", 512, 512)
SITE_IMAGE = ("img/og-image.png", 1200, 630)


def canonical_url(request):
    """This page's absolute URL without query string, but keeping a listing's page number.
    (For a request with a forged Host header — answered with the 400 page — just the path.)"""
    try:
        url = request.build_absolute_uri(request.path)
    except DisallowedHost:
        return request.path
    page = request.GET.get("page", "")
    if page.isdigit() and page != "1" and not page.startswith("0"):
        url += f"?page={page}"
    return url


def absolute_static(request, path):
    """A static file's absolute URL (just its path for a forged Host, as canonical_url)."""
    try:
        return request.build_absolute_uri(static(path))
    except DisallowedHost:
        return static(path)


def context(request):
    """Every page: its canonical URL, and the site's own image for link previews (og:image),
    which an article with a photo replaces with its photo."""
    path, width, height = SITE_IMAGE
    return {
        "canonical_url": canonical_url(request),
        "site_name": settings.SITE_NAME,
        "site_image": {"url": absolute_static(request, path), "width": width, "height": height},
    }


def photo_url(request, article):
    """The absolute URL of the photo a link preview should show (the middle JPEG rendition)."""
    if not article.photo:
        return None
    return request.build_absolute_uri(images.srcsets(article.photo, article.photo_width)["src"])


def place_chain(article):
    """社区 → 街道 → 平城区 → 大同市 → 山西省 as nested schema.org places."""
    levels = [("Place", article.community.name)] if article.community else []
    levels += [("AdministrativeArea", article.street.name)] if article.street else []
    place = None
    for kind, name in reversed(levels + DISTRICT_CHAIN):
        place = {"@type": kind, "name": name, **({"containedInPlace": place} if place else {})}
    return place


def publisher(request):
    """The site as a schema.org NewsMediaOrganization, with its logo."""
    path, width, height = LOGO
    return {
        "@type": "NewsMediaOrganization",
        "name": settings.SITE_NAME,
        "url": request.build_absolute_uri("/"),
        "logo": {
            "@type": "ImageObject",
            "url": absolute_static(request, path),
            "width": width,
            "height": height,
        },
    }


def news_article(request, article):
    """The schema.org NewsArticle for `article`, as a dict."""
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.headline,
        "description": article.summary,
        "inLanguage": "zh-Hans",
        "url": request.build_absolute_uri(article.get_absolute_url()),
        "mainEntityOfPage": request.build_absolute_uri(article.get_absolute_url()),
        "datePublished": localtime(article.published_at).isoformat(),
        "dateModified": localtime(article.last_changed).isoformat(),
        "author": {
            "@type": "Person",
            "name": article.reporter.name,
            "url": request.build_absolute_uri(article.reporter.get_absolute_url()),
        },
        "publisher": publisher(request),
        "contentLocation": place_chain(article),
    }
    if article.kicker:
        data["alternativeHeadline"] = article.kicker
    if notes := article.corrections.all():
        data["correction"] = [
            {
                "@type": "CorrectionComment",
                "text": note.note,
                "datePublished": localtime(note.corrected_at).isoformat(),
            }
            for note in notes
        ]
    if image := photo_url(request, article):
        data["image"] = [image]
    return data


def json_ld(data):
    """`data` as a JSON-LD script body. Inside <script> HTML entities are not decoded, so the
    text cannot be HTML-escaped; instead every <, > and & becomes a JSON \\u escape, which no
    stored text can turn into a closing </script> (tests/test_metadata.py proves it)."""
    text = json.dumps(data, ensure_ascii=False)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escape)
    return mark_safe(text)  # noqa: S308 (see the docstring)
