"""Search hits shown to the resident: the words marked with <mark>, everything else escaped."""

import re

from django.utils.html import escape, format_html_join

from . import segment

SNIPPET_CHARS = 90
LEAD_IN = 20


def pattern(words):
    """A regex for every CJK run and Latin/digit word of the query, longest first."""
    pieces = sorted({run for word in words for run in segment.runs(word)}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, pieces)), re.IGNORECASE) if pieces else None


def highlight(text, words):
    """`text` escaped, with each hit wrapped in <mark> (a SafeString, built by format_html)."""
    regex = pattern(words)
    if not regex:
        return escape(text)
    pairs, last = [], 0
    for match in regex.finditer(text):
        pairs.append((text[last : match.start()], match.group()))
        last = match.end()
    return format_html_join("", "{}<mark>{}</mark>", pairs) + escape(text[last:])


def snippet(text, words):
    """About SNIPPET_CHARS characters of `text` around its first hit, marked."""
    regex = pattern(words)
    match = regex.search(text) if regex else None
    start = max(0, match.start() - LEAD_IN) if match else 0
    # Paragraph breaks vanish (Chinese sentences need no space between them); runs of other
    # white space become one space.
    piece = " ".join(re.sub(r"\s*\n\s*", "", text[start : start + SNIPPET_CHARS]).split())
    prefix = "……" if start > 0 else ""
    suffix = "……" if start + SNIPPET_CHARS < len(text) else ""
    return escape(prefix) + highlight(piece, words) + escape(suffix)
