"""Why bigrams and not jieba: run the search test's query table through a jieba index.

jieba is not a dependency of the site, so this runs in a throwaway virtualenv:

    python3 -m venv /tmp/jieba && /tmp/jieba/bin/pip install jieba==0.42.1 -r requirements.txt
    /tmp/jieba/bin/python bench/segmenter_compare.py

Index: jieba's search mode (cut_for_search) over the same text the site indexes, with the
district's street, community and reporter names as a user dictionary. Query: jieba's precise
mode; every word's tokens must be in the item. The site's bigram index answers all of them
(tests/test_search.py); this prints where a jieba index would not.
"""

import json
import os
import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

import jieba  # noqa: E402

from tests.test_search import QUERIES  # noqa: E402


def fold(text):
    return unicodedata.normalize("NFKC", text).lower()


def main():
    jieba.setLogLevel(60)
    records = json.loads((ROOT / "fixtures" / "bulletin.json").read_text(encoding="utf-8"))
    names = {}
    for r in records:
        if r["model"] in ("news.street", "news.reporter"):
            names[(r["fields"]["slug"],)] = r["fields"]["name"]
        elif r["model"] == "news.community":
            names[(r["fields"]["slug"], *r["fields"]["street"])] = r["fields"]["name"]
    for name in [*names.values(), "御河九号科创中心", "社工总站"]:
        jieba.add_word(name)
    index = {}
    for r in records:
        if r["model"] != "news.article":
            continue
        f = r["fields"]
        place = [names[tuple(f[k])] for k in ("reporter", "street", "community") if f[k]]
        text = fold(" ".join([f["kicker"], f["headline"], f["body"], f["photo_caption"], *place]))
        index[r["pk"]] = {t for t in jieba.cut_for_search(text) if t.strip()}
    right = 0
    for query, expected in QUERIES:
        words = [[t for t in jieba.cut(fold(w)) if re.search(r"\w", t)] for w in query.split()]
        found = sorted(
            pk for pk, tokens in index.items() if all(w and set(w) <= tokens for w in words)
        )
        right += found == expected
        if found != expected:
            print(f"jieba misses {query!r}: finds {found}, should find {expected}")
    print(f"jieba index: {right} of {len(QUERIES)} queries right; bigram index: all of them")


if __name__ == "__main__":
    main()
