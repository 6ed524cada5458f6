"""Comparing two versions of an article character by character.

Chinese has no spaces between words, so a word-level diff would mark whole sentences; difflib's
SequenceMatcher over characters marks exactly what changed (文字 → 文学 marks 字 and 学). Its
"autojunk" heuristic is off: in Chinese text the most frequent characters (的，。) are not junk.
"""

import difflib
from dataclasses import dataclass

from news.models import Article

from .versions import EDITOR_FIELDS, shown_values


@dataclass
class Piece:
    kind: str  # "same", "added" or "removed"
    text: str


@dataclass
class FieldChange:
    name: str
    label: str
    pieces: list
    changed: bool

    @property
    def added(self):
        return sum(len(p.text) for p in self.pieces if p.kind == "added")

    @property
    def removed(self):
        return sum(len(p.text) for p in self.pieces if p.kind == "removed")


def pieces(old, new):
    """`old` → `new` as a list of Pieces: unchanged, removed and added runs of characters."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    found = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            found.append(Piece("same", old[a1:a2]))
            continue
        if a2 > a1:
            found.append(Piece("removed", old[a1:a2]))
        if b2 > b1:
            found.append(Piece("added", new[b1:b2]))
    return found


def compare(old, new):
    """Every editor field of two articles (versions' contents, or a form's submission) as
    FieldChanges, in the form's order."""
    before, after = shown_values(old), shown_values(new)
    return [
        FieldChange(
            name=name,
            label=str(Article._meta.get_field(name).verbose_name),
            pieces=pieces(before[name], after[name]),
            changed=before[name] != after[name],
        )
        for name in EDITOR_FIELDS
    ]
