"""校对: the checks an item's text passes before each review step (issue 12, item 6).

Two kinds of finding, both with their place in the text so a page can mark them:
- personal data that must not be published: ID card, mobile and bank card numbers, door-level
  home addresses;
- words from the editors' wrong-character list (错敏词), with the suggested correction.

Plain functions and dataclasses, no models: the editors' word list reaches `run_checks` as
`(word, suggestion, level)` tuples. The copy checks (news/copycheck.py) stay where they are.
"""

import datetime
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import ahocorasick
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString

DEFAULT_WORD_LIST = Path(__file__).with_name("data") / "wrong_words.tsv"
LEVELS = ("warn", "block")

# One character for one character, so every position found in the folded text is the same
# position in what the editor wrote: full-width digits, Latin letters, ＋ － （ ） and the
# ideographic space become half-width, Latin capitals small. Chinese punctuation stays as it is:
# “，” between two numbers separates them, it is no thousands separator.
_HALF_WIDTH = "0123456789abcdefghijklmnopqrstuvwxyz" + "+-() "
_FOLD = str.maketrans(
    "０１２３４５６７８９ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ＋－（）\u3000"
    "ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺABCDEFGHIJKLMNOPQRSTUVWXYZ",
    _HALF_WIDTH + _HALF_WIDTH[10:36] * 2,
)


def fold(text):
    return text.translate(_FOLD)


# --- Personal data -------------------------------------------------------------------------

KINDS = {
    "id_card": "身份证号码",
    "mobile": "手机号码",
    "bank_card": "银行卡号",
    "address": "详细住址",
}


@dataclass(frozen=True)
class PersonalDataHit:
    kind: str  # a key of KINDS
    text: str  # as the editor wrote it
    start: int
    end: int

    @property
    def label(self):
        return KINDS[self.kind]

    @property
    def level(self):
        return "block"  # never published as it is: removed, or confirmed by 终审 with a reason

    @property
    def note(self):
        return f"{self.label}：公开前请删去或遮盖。"


# Province-level codes of GB/T 2260 that open an ID number (71 台湾, 81 香港, 82 澳门; 83 the
# residence permits of Taiwan residents).
PROVINCES = frozenset(
    [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46]
    + [50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83]
)
# GB 11643-1999: weight of the i-th of the first 17 digits is 2^(17-i) mod 11.
ID_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
ID_CANDIDATE = re.compile(r"(?<![0-9])[0-9]{17}[0-9x](?![0-9x])")

# Each pattern opens with a lookahead for its first character: it makes the search skip the
# Chinese text between numbers five to ten times faster.
# +86, 0086, (+86) or 86 before it, spaces or hyphens between the 3-4-4 groups, and no digit
# on either side (nor a decimal point and a digit: 0.13800138000 is a fraction).
MOBILE = re.compile(
    r"(?=[0-9+(])(?<![0-9])(?<![0-9]\.)"
    r"(?:(?:\+|00)86[ -]?|\(\+?86\) ?|86[ -]?)?"
    r"1[3-9][0-9](?:[ -]?[0-9]{4}){2}"
    r"(?![0-9])(?!\.[0-9])"
)
# 16 to 19 digits in one run, or in groups of four with a last group of one to three.
BANK_CARD = re.compile(
    r"(?=[0-9])(?<![0-9])(?<![0-9][ -])(?<![0-9]\.)"
    r"(?:[0-9]{16,19}|[0-9]{4}(?:[ -][0-9]{4}){3}(?:[ -][0-9]{1,3})?)"
    r"(?![0-9])(?![ -][0-9])(?!\.[0-9])"
)
# A number that is money (13800000000元, ￥1380…) or an ordinal or serial number (第…号) is
# not a phone or a card, whatever its digits.
NOT_PERSONAL_AFTER = re.compile(r"\s*(?:[万亿千百]?元|[万亿]|块|角|美元|港元|欧元|日元|英镑|号)")
NOT_PERSONAL_BEFORE = re.compile(r"(?:[¥￥$]|人民币|rmb|第)\s*$")

# Door-level addresses: a building (号楼, 栋, 幢, 座) or a unit (单元, 门) that goes on down to
# a door (室, 号, or a bare room number after the unit). A building or a street number alone
# (1号楼, 迎宾街18号) is public and does not count. Chinese numerals are allowed except before
# 座, which after them is a measure word (三座桥).
_N = r"(?:[0-9]{1,5}|[〇零一二三四五六七八九十百两]{1,5})"
_BUILDING = rf"(?:{_N}(?:号楼|栋|幢)|(?:[0-9]{{1,4}}|[a-z])(?:座|栋))"
_UNIT = rf"{_N}(?:单元|门)"
_FLOOR = rf"{_N}[层楼]"
_DOOR = rf"(?:{_N}室|{_N}号(?![楼院]))"
ADDRESS = re.compile(
    rf"(?=[0-9〇零一二三四五六七八九十百两a-z])(?<![0-9〇零一二三四五六七八九十百两第])(?:{_N}号院)?(?:"
    rf"{_BUILDING}(?:{_UNIT}(?:{_FLOOR})?(?:{_DOOR}|[0-9]{{3,4}}(?![0-9]))"
    rf"|(?:{_FLOOR})?{_DOOR}|[0-9]{{1,2}}-[0-9]{{3,4}}(?![0-9])室?)"
    rf"|{_UNIT}(?:{_FLOOR})?{_DOOR}"
    rf"|[0-9]{{1,3}}-[0-9]{{1,2}}-[0-9]{{3,4}}[室号]"
    rf")"
)


def id_card_is_valid(number):
    """An 18-character mainland ID number: a province, a real birth date, the GB 11643 check."""
    number = fold(number)
    if not re.fullmatch(r"[0-9]{17}[0-9x]", number) or int(number[:2]) not in PROVINCES:
        return False
    try:
        born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if not datetime.date(1900, 1, 1) <= born <= datetime.date.today():
        return False
    remainder = sum(int(d) * w for d, w in zip(number[:17], ID_WEIGHTS, strict=True)) % 11
    return number[17] == "10x98765432"[remainder]


def luhn_is_valid(digits):
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def bank_card_is_valid(number):
    """16–19 digits, a card network's first digit, and the Luhn check.

    The first digit is 3 (JCB and the like), 4, 5, 6 (银联 62) or 9 (some banks' old domestic
    cards), or the 2221–2720 range of Mastercard: that keeps out dates and times (19…, 20…).
    """
    digits = re.sub(r"[ -]", "", number)
    if not (16 <= len(digits) <= 19 and digits.isascii() and digits.isdigit()):
        return False
    if digits[0] not in "34569" and not 2221 <= int(digits[:4]) <= 2720:
        return False
    return luhn_is_valid(digits)


def _is_amount_or_serial(folded, start, end):
    before = folded[max(0, start - 8) : start]
    return bool(NOT_PERSONAL_AFTER.match(folded, end) or NOT_PERSONAL_BEFORE.search(before))


def find_personal_data(text):
    """Every piece of personal data in `text`, in the order it appears."""
    folded = fold(text)
    hits = []
    for match in ID_CANDIDATE.finditer(folded):
        if id_card_is_valid(match.group()):
            hits.append(("id_card", match.start(), match.end()))
    for match in BANK_CARD.finditer(folded):
        if bank_card_is_valid(match.group()) and not _is_amount_or_serial(folded, *match.span()):
            hits.append(("bank_card", match.start(), match.end()))
    for match in MOBILE.finditer(folded):
        if not _is_amount_or_serial(folded, *match.span()):
            hits.append(("mobile", match.start(), match.end()))
    for match in ADDRESS.finditer(folded):
        hits.append(("address", match.start(), match.end()))
    # An ID number that also passes Luhn is an ID number: the first kind found keeps its span.
    kept = _without_overlaps(hits)
    return sorted(
        (PersonalDataHit(kind, text[start:end], start, end) for kind, start, end in kept),
        key=lambda hit: hit.start,
    )


def _without_overlaps(spans):
    """Keep spans (…, start, end) in the order given, dropping any that overlaps one kept."""
    taken = bytearray(max((span[2] for span in spans), default=0))
    kept = []
    for span in spans:
        _, start, end = span
        if taken.find(1, start, end) < 0:
            taken[start:end] = b"\x01" * (end - start)
            kept.append(span)
    return kept


# --- The wrong-character list (错敏词) --------------------------------------------------------


@dataclass(frozen=True)
class WordHit:
    word: str  # as the editor wrote it in the text
    suggestion: str
    level: str  # "warn" or "block"
    start: int
    end: int

    @property
    def kind(self):
        return "word"

    @property
    def text(self):
        return self.word

    @property
    def label(self):
        return "须改正" if self.level == "block" else "请核对"

    @property
    def note(self):
        return f"{self.label}：建议改为“{self.suggestion}”。"


class WordList:
    """A word list made into an Aho–Corasick automaton once, then searched any number of times.

    Get one through `word_list(entries)`, which keeps the last few lists built, keyed on their
    content: an edited list builds anew, an unchanged one is found again.
    """

    def __init__(self, entries):
        words = {}
        for word, suggestion, level in entries:
            word = fold(word.strip())
            if not word:  # an empty key would match between every two characters
                continue
            if level not in LEVELS:
                raise ValueError(f"错敏词“{word}”的级别应为 warn 或 block，而不是“{level}”。")
            if word in words:  # listed twice: the first suggestion, the stricter level
                first_suggestion, first_level = words[word]
                level = "block" if "block" in (first_level, level) else "warn"
                words[word] = (first_suggestion, level)
            else:
                words[word] = (suggestion.strip(), level)
        self.entries = tuple((w, s, lv) for w, (s, lv) in words.items())
        self._automaton = None
        if self.entries:
            self._automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY, ahocorasick.KEY_STRING)
            for index, (word, _, _) in enumerate(self.entries):
                self._automaton.add_word(word, (len(word), index))
            self._automaton.make_automaton()

    def __len__(self):
        return len(self.entries)

    def find(self, text):
        """The listed words in `text`, in order; where two overlap, the longer one (then the
        earlier one) is kept, so 再接再励 is one hit, never also a shorter word inside it.

        `Automaton.iter` reports every match, overlapping ones included. Its `iter_long`
        (leftmost-longest) is not used: in pyahocorasick 2.3.1 it still misses matches, e.g.
        知识产权 in 国家知识产权 when 国家知识产权局 is also listed (upstream issues #133, #185).
        """
        if self._automaton is None:
            return []
        # Longest first, then leftmost: plain tuple order, no key function (this loop is what
        # costs when a text holds thousands of listed words).
        matches = sorted(
            (-length, end + 1 - length, index)
            for end, (length, index) in self._automaton.iter(fold(text))
        )
        taken, kept = bytearray(len(text)), []
        for negative_length, start, index in matches:
            end = start - negative_length
            if taken.find(1, start, end) < 0:
                taken[start:end] = b"\x01" * (end - start)
                kept.append((start, end, index))
        kept.sort()
        return [
            WordHit(text[start:end], *self.entries[index][1:], start, end)
            for start, end, index in kept
        ]


@functools.lru_cache(maxsize=8)
def _built(entries):
    return WordList(entries)


def word_list(entries):
    """The automaton for `entries` (an iterable of (word, suggestion, level)), built once."""
    if isinstance(entries, WordList):
        return entries
    return _built(tuple((str(w), str(s), str(lv)) for w, s, lv in entries))


def read_word_list(path):
    """(word, suggestion, level) tuples from a tab-separated file; `#` starts a comment line."""
    entries = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 3:
            raise ValueError(f"{path} 第 {number} 行应有三栏（词、建议、级别），用制表符分开。")
        entries.append(tuple(field.strip() for field in fields))
    return entries


def default_word_list():
    """The shipped list of common wrong characters (newsroom/data/wrong_words.tsv)."""
    return word_list(read_word_list(DEFAULT_WORD_LIST))


# --- Showing and running the checks ----------------------------------------------------------


def highlight(text, hits):
    """`text`, escaped, with each hit in a <mark> whose title says what it is.

    Hits are taken in the order given and one that overlaps an earlier one is left unmarked, so
    pass personal data first. Line breaks are kept as they are (show it with white-space:
    pre-wrap).
    """
    spans = _without_overlaps([(hit, hit.start, hit.end) for hit in hits])
    parts, position = [], 0
    for hit, start, end in sorted(spans, key=lambda span: span[1]):
        parts.append(escape(text[position:start]))
        parts.append(
            format_html(
                '<mark class="proof proof-{} proof-{}" title="{}">{}</mark>',
                hit.kind,
                hit.level,
                hit.note,
                text[start:end],
            )
        )
        position = end
    parts.append(escape(text[position:]))
    # Each part is already escaped (escape() or format_html): format_html_join joins them
    # without escaping them twice, and without a mark_safe of our own.
    return format_html_join("", "{}", ((part,) for part in parts))


@dataclass(frozen=True)
class FieldReport:
    name: str
    text: str
    personal: tuple[PersonalDataHit, ...]
    words: tuple[WordHit, ...]

    @property
    def highlighted(self) -> SafeString:
        return highlight(self.text, self.personal + self.words)


@dataclass(frozen=True)
class ProofReport:
    fields: dict[str, FieldReport]

    @property
    def personal(self):
        return [hit for field in self.fields.values() for hit in field.personal]

    @property
    def words(self):
        return [hit for field in self.fields.values() for hit in field.words]

    @property
    def blocking(self):
        """Word hits at level block: an item with any cannot pass 终审 as it is."""
        return [hit for hit in self.words if hit.level == "block"]

    @property
    def clean(self):
        return not self.personal and not self.words


def run_checks(text_fields: Mapping[str, str | None], word_list_entries) -> ProofReport:
    """Personal data and listed words in each field of `text_fields` ({name: text}).

    `word_list_entries` is a WordList or (word, suggestion, level) tuples; the automaton is
    built once per distinct list. A field left empty (None or "") simply has no hits.
    """
    words = word_list(word_list_entries)
    fields = {}
    for name, text in text_fields.items():
        text = text or ""
        fields[name] = FieldReport(
            name, text, tuple(find_personal_data(text)), tuple(words.find(text))
        )
    return ProofReport(fields)
