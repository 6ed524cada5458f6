"""Which query parameters each public page reads: the one place that says so.

A page is rendered, and cached, from its path and these parameters only. `canonicalize` rewrites
the request before any view (or the page cache) sees it: parameters a page does not read
(`?utm_source=…`, WeChat's `from=singlemessage&isappinstalled=0`, an attacker's random ones) are
dropped, a repeated one keeps the value the view would read (the last), and values that mean the
same page are written one way (`?page=01` → `?page=1` → no parameter at all). So:

- a link with junk parameters is answered from the plain page's cache entry, without a redirect
  (no second round trip for a reader arriving from a shared link, and nothing new to store);
- nothing rendered for one visitor can carry another's junk to the next (the pagination links
  keep "the query string", the 字号 links keep the page's own address, both now canonical).

Pages not declared here take no parameters. The admin is left alone.
"""

import re

from django.http import QueryDict
from django.urls import Resolver404, resolve

from . import reading, segment

SLUG = re.compile(r"[-a-zA-Z0-9_]{1,50}", re.ASCII)  # what a Street or Reporter slug can be


def page_number(value):
    """`page`: read as Django's paginators read it (int(), or "last" for listings). Page 1 is
    the page without the parameter; a value no paginator accepts is kept (its page is a 404,
    and a 404 is never stored)."""
    if value == "":
        return None
    if value == "last":
        return value
    try:
        number = int(value)
    except ValueError:
        return value
    return None if number == 1 else str(number)


def search_words(value):
    """`q`: cleaned and cut as the search page cleans it (a 10,000-character query and its
    first 50 characters are the same page)."""
    return segment.clean_query(value) or None


def slug(value):
    """`street`, `reporter` filters: a value that cannot be a slug filters nothing, as absent."""
    return value if SLUG.fullmatch(value) else None


def as_given(value):
    return value


# URL name → {parameter: how its value is written}. Order is the order in the cache key.
PARAMETERS = {
    "news:street": {"page": page_number},
    "news:community": {"page": page_number},
    "news:reporter": {"page": page_number},
    "news:archive_month": {"page": page_number},
    "news:search": {"q": search_words, "street": slug, "reporter": slug, "page": page_number},
    "news:street_digest": {"week": as_given},  # 2022-W39: the view 404s any other spelling
    # One parameter per reading choice (news/reading.py), and where to go back to.
    "news:set_preferences": {
        **{choice.name: as_given for choice in reading.CHOICES},
        "next": as_given,
    },
    "sitemap": {"p": page_number},  # Django's sitemap view pages with ?p=
}
# Pages besides the `news` namespace whose query strings are ours to clean.
ROOT_PAGES = {"sitemap", "robots_txt"}


def parameters_for(path):
    """The parameters the page at `path` reads, or None when it is not ours (admin, unknown)."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.namespace != "news" and match.view_name not in ROOT_PAGES:
        return None
    return PARAMETERS.get(match.view_name, {})


def canonical_query(query, parameters):
    """The query string `parameters` make of the QueryDict `query`."""
    kept = QueryDict(mutable=True)
    for name, normalize in parameters.items():
        if name in query and (value := normalize(query[name])) is not None:
            kept[name] = value
    return kept.urlencode()


def canonicalize(request):
    """Rewrite `request`'s query string (and request.GET) to its canonical form."""
    if not request.META.get("QUERY_STRING"):
        return
    parameters = parameters_for(request.path_info)
    if parameters is None:
        return
    query = canonical_query(request.GET, parameters)
    if query != request.META["QUERY_STRING"]:
        request.META["QUERY_STRING"] = query
        request.GET = QueryDict(query)
