"""QR codes for printed pages: made once when an item is published, stored, only read after.

Each published item has one stored code (`ArticleQRCode`) for its public address, which is
DJANGO_SITE_URL + its path, never the Host of a reader's request (a forged Host would otherwise
end up printed on a notice board). Every path that makes an item public saves its row, and
news.signals makes the code then; loading fixtures or a backup does too (restore_site makes any
missing ones after loading). A reader's request only reads it: a code whose address is no
longer the item's public address (DJANGO_SITE_URL changed) is not shown, and no new one is made
on the request; `manage.py make_qr_codes` remakes them.

Stored as SVG path data, deflated: the site's addresses make version 3 codes (37 × 37 modules
with the quiet zone), whose path data is ~1.4 KB of text and ~330 bytes deflated. A vector, so
it prints sharply at any size; in an ``<img>`` as a data URI, so no extra request and no
JavaScript. (A 1-bit PNG of the same code is ~236 bytes, but 37 px wide: a browser smooths it
when scaling it to 132 px or to a printer's resolution. README, "QR codes".)
"""

import re
import zlib
from urllib.parse import urlsplit

import segno
from django.conf import settings
from django.core import checks
from django.db import models, transaction

BORDER = 4  # the standard quiet zone, in modules
DARK_RUN = re.compile(rb"[^\x00]+")


class ArticleQRCode(models.Model):
    """The QR code of an item's public address (its own table: listings never read it)."""

    article = models.OneToOneField(
        "news.Article", on_delete=models.CASCADE, primary_key=True, related_name="qr_code"
    )
    url = models.CharField("网址", max_length=300)  # the address it encodes
    size = models.PositiveSmallIntegerField()  # modules a side, quiet zone included
    # The SVG path data of the dark modules (path_data), deflated: 1.4 KB of text is 330 bytes.
    path = models.BinaryField()

    class Meta:
        verbose_name = "二维码"
        verbose_name_plural = "二维码"

    def __str__(self):
        return self.url

    def path_data(self):
        """The stored path data as text (a memoryview on PostgreSQL, bytes on SQLite)."""
        return zlib.decompress(self.path).decode()

    @property
    def data_uri(self):
        """The code as a ``data:image/svg+xml`` URI for an ``<img src>``: a white square with
        a ``viewBox`` of one unit per module and no width/height, so the ``<img>`` sets the
        printed size; quotes, ``#`` and spaces escaped (the path data needs no escaping).
        Inflating the path costs ~10 µs."""
        n, path = self.size, self.path_data()
        return (
            "data:image/svg+xml,%3Csvg%20xmlns=%27http://www.w3.org/2000/svg%27"
            f"%20viewBox=%270,0,{n},{n}%27%3E%3Cpath%20fill=%27%23fff%27%20d=%27M0,0h{n}v{n}H0z%27"
            f"/%3E%3Cpath%20stroke=%27%23000%27%20d=%27{path}%27/%3E%3C/svg%3E"
        )


def public_url(article):
    """The address printed and encoded for `article`: the site's public URL, not the Host."""
    return settings.SITE_URL + article.get_absolute_url()


def shown(article):
    """The data URI to show for `article`, or None: no stored code, or one for an address that
    is no longer the item's (the site URL changed). Never makes one. Reads `article.qr_code`,
    which the view joins in (ArticleQuerySet.with_qr_code)."""
    code = getattr(article, "qr_code", None)  # a missing row raises an AttributeError
    return code.data_uri if code is not None and code.url == public_url(article) else None


def path_data(matrix, border=BORDER):
    """SVG path data drawing each run of dark modules in a row as one stroke of width 1 along
    the row's middle: ``M4,4.5h7m1,0h1…``. Commas, not spaces, so that it is a valid URL."""
    parts = []
    for y, row in enumerate(matrix):
        end = None  # where the row's previous run ended
        for run in DARK_RUN.finditer(bytes(row)):
            start, stop = run.span()
            if end is None:
                parts.append(f"M{start + border},{y + border}.5h{stop - start}")
            else:
                parts.append(f"m{start - end},0h{stop - start}")
            end = stop
    return "".join(parts)


def make(url, mask=None):
    """An unsaved ArticleQRCode for `url`.

    Error correction level M (15 %: survives a crease or a smudge on a notice board without
    making the symbol much denser), never a Micro QR (phones' cameras may not read those).
    segno picks the best of the eight masks (5 ms of the 6 ms this costs); `mask` fixes one,
    still a valid code, for bench/corpus.py's million items."""
    qr = segno.make(url, error="m", micro=False, boost_error=False, mask=mask)
    width, _ = qr.symbol_size(border=BORDER)
    path = zlib.compress(path_data(qr.matrix).encode(), 9)
    return ArticleQRCode(url=url, size=width, path=path)


def store(article):
    """Make and store `article`'s code unless the stored one is for its public address."""
    url = public_url(article)
    stored = ArticleQRCode.objects.filter(article_id=article.pk).values_list("url", flat=True)
    if stored.first() != url:
        code = make(url)
        ArticleQRCode.objects.update_or_create(
            article_id=article.pk, defaults={"url": url, "size": code.size, "path": code.path}
        )


def make_missing(batch=500, progress=None):
    """Store a code for every published item that has none, or one for another address.
    Batched by id; each batch in one transaction. `progress(done, made)` after each batch.
    Returns how many were made. Running it again makes none."""
    from .models import Article

    published = (
        Article.objects.filter(status=Article.Status.PUBLISHED)
        .order_by("pk")
        .values_list("pk", "qr_code__url")
    )
    done = made = last = 0
    while rows := list(published.filter(pk__gt=last)[:batch]):
        last = rows[-1][0]
        codes = []
        for pk, url in rows:
            wanted = public_url(Article(pk=pk))
            if url != wanted:
                code = make(wanted)
                code.article_id = pk
                codes.append(code)
        with transaction.atomic():
            ArticleQRCode.objects.filter(article_id__in=[c.article_id for c in codes]).delete()
            ArticleQRCode.objects.bulk_create(codes)
        done, made = done + len(rows), made + len(codes)
        if progress:
            progress(done, made)
    if made:  # cached pages show no code (or the old one) for these items: no signal says so
        from . import cache

        cache.invalidate()
    return made


@checks.register(checks.Tags.urls, deploy=False)
def check_site_url(app_configs, **kwargs):
    """DJANGO_SITE_URL is an origin: http(s), a host, no path (paths are appended to it)."""
    parts = urlsplit(settings.SITE_URL)
    if parts.scheme in ("http", "https") and parts.netloc and not parts.path:
        return []
    return [
        checks.Error(
            f"DJANGO_SITE_URL（“{settings.SITE_URL}”）应是网站的公开地址，"
            "例如 https://news.example.cn（不带路径）。",
            id="news.E001",
        )
    ]


@checks.register(checks.Tags.urls, deploy=True)
def check_site_url_deployed(app_configs, **kwargs):
    """In production the printed QR codes must not point at the default's 127.0.0.1."""
    if urlsplit(settings.SITE_URL).hostname in ("127.0.0.1", "localhost", "::1"):
        return [
            checks.Warning(
                "DJANGO_SITE_URL 未设置：印出的二维码会指向本机地址。"
                "请设为网站的公开地址，再运行 manage.py make_qr_codes。",
                id="news.W001",
            )
        ]
    return []
