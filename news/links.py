"""Paths of the site's own pages without a reverse() on every call.

reverse() costs about 17 µs (it walks the URL resolver and checks every argument), and a
listing page wants a hundred paths: each card links its article, street, community and
reporter. A pattern's path is the same text around its arguments, so each pattern is reversed
once with markers in place of the arguments and afterwards only filled in. Models'
get_absolute_url() stays the one place that says which page an object has; this only makes
it cheap.

Filled in only with what reverse() itself would accept and leave as it is: non-negative
integers and slugs (ASCII letters, digits, - and _). Anything else, and any pattern whose
arguments the markers do not fit (e.g. the archive's [0-9]{4}), goes to reverse(), memoised.
The templates are kept per URLconf and script prefix (a site served under /news/ gets its
own), and dropped when ROOT_URLCONF changes (tests).
"""

import functools
import re

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

# Digits fit both the int and the slug converter; no path of ours holds this run of them.
MARKER = "90817{}36254"
FILLABLE = re.compile(r"[-a-zA-Z0-9_]+")
_templates = {}


def path(viewname, **kwargs):
    """reverse(viewname, kwargs=kwargs), at the cost of a string join."""
    key = (get_urlconf(), get_script_prefix(), viewname, tuple(kwargs))
    if key not in _templates:
        _templates[key] = _template(viewname, list(kwargs))
    pieces = _templates[key]
    values = [_fillable(value) for value in kwargs.values()]
    if pieces is None or None in values:
        return _memoised(*key[:3], tuple(kwargs.items()))
    return "".join(piece if isinstance(piece, str) else values[piece] for piece in pieces)


def _fillable(value):
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value) if value >= 0 else None
    return value if isinstance(value, str) and FILLABLE.fullmatch(value) else None


def _template(viewname, names):
    """The reversed path cut at the markers: text pieces, and each argument's index."""
    markers = [MARKER.format(i) for i in range(len(names))]
    try:
        text = reverse(viewname, kwargs=dict(zip(names, markers, strict=True)))
    except NoReverseMatch:
        return None  # the markers do not fit a converter of this pattern
    if any(text.count(marker) != 1 for marker in markers):
        return None
    pieces = []
    for part in re.split("(" + "|".join(markers) + ")", text) if markers else [text]:
        pieces.append(markers.index(part) if part in markers else part)
    return pieces


@functools.lru_cache(maxsize=4096)
def _memoised(urlconf, prefix, viewname, items):
    # (urlconf and prefix are part of the key; reverse() reads both for itself)
    return reverse(viewname, kwargs=dict(items))


@receiver(setting_changed)
def forget(setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _templates.clear()
        _memoised.cache_clear()
