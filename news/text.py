"""Small rules for Chinese text shared by pages, link previews and the printed digest."""

import re

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
