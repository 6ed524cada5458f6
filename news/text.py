"""Small rules for Chinese text shared by pages, link previews and the printed digest."""

import re

from django.utils import timezone

SENTENCE_END = re.compile(r"[。！？]+[”’」』）]*")
DANGLING = " ，、；：“‘「『（《,;:"


def opening_sentence(text, limit):
    """The first sentence of `text` (through its first 。！？ and any closing quote), from its
    first paragraph, cut to `limit` characters with …… when longer."""
    paragraphs = [p for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    first = " ".join(paragraphs[0].split()) if paragraphs else ""
    end = SENTENCE_END.search(first)
    sentence = first[: end.end()] if end else first
    if len(sentence) > limit:
        sentence = sentence[:limit].rstrip(DANGLING) + "……"
    return sentence


def chinese_date(moment):
    """2022年10月3日, the day in Beijing time."""
    local = timezone.localtime(moment)
    return f"{local.year}年{local.month}月{local.day}日"


def short_datetime(moment, now=None):
    """10月8日 09:00 in Beijing time, with the year (2023年10月8日 09:00) when it is not this
    year's: the times of the admin's state labels and form errors."""
    local, today = timezone.localtime(moment), timezone.localtime(now or timezone.now())
    year = f"{local.year}年" if local.year != today.year else ""
    return f"{year}{local.month}月{local.day}日 {local:%H:%M}"
