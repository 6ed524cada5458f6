"""Reading preferences that work without JavaScript: 字号 (text size) and 长者模式 (high contrast).

A plain link (/prefs/?size=large&next=…) sets a cookie and comes back; the server renders the
choice as classes on <html>, so nothing depends on scripts. Pages differ by these cookies, so
every response says `Vary: Cookie`, and the page cache keys on the choice (see `variant`).
"""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme

SIZES = {"small": "小", "medium": "中", "large": "大"}
CONTRASTS = {"normal": "关", "high": "开"}
SIZE_COOKIE, CONTRAST_COOKIE = "pc_size", "pc_contrast"
ONE_YEAR = 365 * 24 * 60 * 60


def preferences(request):
    """The reader's valid choices from the cookies; anything else means the default."""
    size = request.COOKIES.get(SIZE_COOKIE)
    contrast = request.COOKIES.get(CONTRAST_COOKIE)
    return {
        "size": size if size in SIZES else "medium",
        "contrast": contrast if contrast in CONTRASTS else "normal",
    }


def variant(request):
    """A short key naming the page variant these choices produce, e.g. "large-high"."""
    chosen = preferences(request)
    return f"{chosen['size']}-{chosen['contrast']}"


class ReadingPreferencesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.reading = preferences(request)
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            patch_vary_headers(response, ["Cookie"])
        return response


def context(request):
    """Template context: the current choices and the options to offer."""
    return {
        "reading": getattr(request, "reading", None) or preferences(request),
        "reading_sizes": SIZES,
        "reading_contrasts": CONTRASTS,
    }


def set_preferences(request):
    """GET /prefs/?size=…&contrast=…&next=/path — remember the choice, go back to the page."""
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ) or not target.startswith("/"):
        target = "/"
    response = HttpResponseRedirect(target)
    response["X-Robots-Tag"] = "noindex"
    for name, cookie, allowed in (
        ("size", SIZE_COOKIE, SIZES),
        ("contrast", CONTRAST_COOKIE, CONTRASTS),
    ):
        value = request.GET.get(name)
        if value in allowed:
            response.set_cookie(
                cookie,
                value,
                max_age=ONE_YEAR,
                samesite="Lax",
                httponly=True,
                secure=settings.SESSION_COOKIE_SECURE,
            )
    return response
