"""Reading preferences that work without JavaScript: 字号 (text size), 长者模式 (high contrast,
larger text and tap targets), and for computer users 特大鼠标 (an extra-large pointer) and 十字线
(a reading guide that follows the pointer).

A plain link (/prefs/?size=large&next=…) sets a cookie and comes back; the server renders the
choice as classes on <html>, so nothing depends on scripts (the guide's lines need a small
script; without it the guide underlines the paragraph under the pointer, in CSS). Pages differ
by these cookies, so every response says `Vary: Cookie`, and the page cache keys on the choices
(see `variant`; deploy/nginx.conf keys on the same cookie names and values).
"""

from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe

from . import links

ONE_YEAR = 365 * 24 * 60 * 60


@dataclass(frozen=True)
class Choice:
    name: str  # the query parameter of /prefs/ and the key in request.reading
    label: str  # what the reader sees
    cookie: str
    options: dict  # value → label, in the order the header shows them
    default: str
    computer_only: bool = False  # meaningless on a touch screen: not offered there (CSS)


# The order is the order of the reading tools in every page's header.
CHOICES = (
    Choice("size", "字号", "pc_size", {"small": "小", "medium": "中", "large": "大"}, "medium"),
    Choice("contrast", "长者模式", "pc_contrast", {"normal": "关", "high": "开"}, "normal"),
    Choice("pointer", "特大鼠标", "pc_pointer", {"normal": "关", "large": "开"}, "normal", True),
    Choice("guide", "十字线", "pc_guide", {"off": "关", "on": "开"}, "off", True),
)


def preferences(request):
    """The reader's valid choices from the cookies; anything else means the default."""
    chosen = {}
    for choice in CHOICES:
        value = request.COOKIES.get(choice.cookie)
        chosen[choice.name] = value if value in choice.options else choice.default
    return chosen


def variant(request):
    """A short key naming the page variant these choices produce, e.g.
    "large-high-normal-off" (字号, 长者模式, 特大鼠标, 十字线)."""
    chosen = preferences(request)
    return "-".join(chosen[choice.name] for choice in CHOICES)


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
    """Template context: the current choices, and the reading tools' HTML (`tools`)."""
    chosen = getattr(request, "reading", None) or preferences(request)
    back = quote(request.get_full_path(), safe="/")
    return {"reading": chosen, "reading_tools": SimpleLazyObject(lambda: tools(chosen, back))}


# The reading tools differ only by the choices (24 combinations) and by the page they come back
# to; they are rendered once per combination, with NEXT standing for the page, and the page's
# address is put in on each request (0.2 ms of template work saved on every page). The address
# is percent-encoded (quote, only "/" kept), so it needs no HTML escaping.
NEXT = "__next_page__"
_rendered = {}


def tools(chosen, back):
    key = tuple(chosen[choice.name] for choice in CHOICES)
    html = _rendered.get(key)
    if html is None:
        html = render_to_string("includes/reading_tools.html", {"choices": options(chosen)})
        if not settings.DEBUG:  # (while developing, template edits show at once)
            _rendered[key] = html
    return mark_safe(html.replace(NEXT, back))  # noqa: S308 (the template's own escaped output)


def options(chosen):
    """(choice, [Option]) for each reading choice, in the header's order."""
    prefs = links.path("news:set_preferences")
    return [
        (
            choice,
            [
                Option(
                    label,
                    f"{prefs}?{choice.name}={value}&next={NEXT}",
                    chosen[choice.name] == value,
                )
                for value, label in choice.options.items()
            ],
        )
        for choice in CHOICES
    ]


@dataclass(frozen=True)
class Option:
    label: str
    url: str
    current: bool


def set_preferences(request):
    """GET /prefs/?size=…&contrast=…&pointer=…&guide=…&next=/path — remember the choices, go
    back to the page."""
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ) or not target.startswith("/"):
        target = "/"
    response = HttpResponseRedirect(target)
    response["X-Robots-Tag"] = "noindex"
    for choice in CHOICES:
        value = request.GET.get(choice.name)
        if value in choice.options:
            response.set_cookie(
                choice.cookie,
                value,
                max_age=ONE_YEAR,
                samesite="Lax",
                httponly=True,
                secure=settings.SESSION_COOKIE_SECURE,
            )
    return response
