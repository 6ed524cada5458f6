"""Small rules for text: Chinese sentences shared by pages, link previews and the printed
digest, and the characters no stored text may hold (with the model fields that enforce it)."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property

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


# --- Characters no stored text may hold -----------------------------------------------------
# Control characters are invisible in every form and page, XML 1.0 (the feeds) cannot carry
# most of them, and PostgreSQL cannot store NUL. Tab, LF and CR are text: a textarea sends CRLF.
# The bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) reorder everything
# after them until they are closed, so one unpaired U+202E shows the rest of a headline
# backwards, on our pages and wherever it is quoted. The bidi *marks* U+200E/U+200F (and U+061C)
# are allowed: they open nothing, only set the direction of the neutral characters beside them,
# and are the proper way to fix up mixed Arabic/Latin text, so a stray one changes nothing.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Not characters at all: lone surrogates (a JSON "\ud800") cannot even be encoded for the
# database, and U+FFFE/U+FFFF are noncharacters that XML cannot carry either.
INVALID = re.compile("[\ud800-\udfff\ufffe\uffff]")
REFUSED = re.compile(f"{CONTROL.pattern}|{INVALID.pattern}")
# What XML 1.0 cannot carry at all (its Char production); DEL and C1 it can.
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def refused_character(value):
    """The first character of `value` that no stored text may hold, or None."""
    found = REFUSED.search(value) if isinstance(value, str) else None
    return found.group() if found else None


def validate_plain_text(value):
    """The one rule, attached to every text field of our models (PlainTextMixin below): the admin's
    forms, the import's full_clean() and the restore's check all use it."""
    if (char := refused_character(value)) is not None:
        raise ValidationError(
            "不能包含%(kind)s（%(code)s）。",
            code="control_character",
            params={
                "kind": "无效字符" if INVALID.match(char) else "控制字符",
                "code": f"U+{ord(char):04X}",
            },
        )


def xml_safe(text):
    """`text` without the characters XML 1.0 cannot carry (for the feeds)."""
    return XML_INVALID.sub("", text)


def quoted(value, limit=40):
    """`value` as a message may quote it: cut to `limit` characters with …, and the refused
    characters shown as � (they are invisible, or would break the line they are printed on)."""
    value = REFUSED.sub("\ufffd", str(value))
    return value if len(value) <= limit else value[: limit - 1] + "…"


class PlainTextMixin:
    """A text field under `validate_plain_text`. Its form field leaves out Django's own NUL
    check, whose message names nothing (in Chinese even “不允许是用空字符串”), so every refused
    character gets the one message. The column is the plain field's: migrations see that field
    (`deconstruct`), so the rule needs no migration and SQLite no table rebuild."""

    @cached_property
    def validators(self):
        return [*super().validators, validate_plain_text]

    def formfield(self, **kwargs):
        field = super().formfield(**kwargs)
        field.validators = [
            v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ]
        return field

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, f"django.db.models.{self.plain_field.__name__}", args, kwargs


class PlainCharField(PlainTextMixin, models.CharField):
    plain_field = models.CharField


class PlainTextField(PlainTextMixin, models.TextField):
    plain_field = models.TextField


class PlainSlugField(PlainTextMixin, models.SlugField):
    plain_field = models.SlugField
