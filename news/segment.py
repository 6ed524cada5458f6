"""Chinese text cut into index tokens: overlapping character n-grams.

Why bigrams and not a word segmenter (jieba): residents search for any piece of a name or a
phrase (社工 inside 社工总站, 永安里, 外卖小哥, 老). A segmenter decides word boundaries once, at
index time, and a query that cuts the text differently finds nothing (jieba keeps 社工总站 or
外卖小哥 whole, so 社工 or 小哥 would miss). Bigrams make every substring findable: a query of n ≥ 2
characters is the phrase of its n−1 pairs at consecutive positions, and a single character is
a prefix query on the pair that starts with it. The cost is a larger index, measured in
bench/search_bench.py. Latin letters and digits stay whole words (3D打印 → 3d, 打印, 印).

SQLite indexes the pairs with their positions (phrase queries); PostgreSQL the set of distinct
n-grams of one to four characters, without positions (`ngrams`, `query_ngrams`): see
news/search_backends.py for why.
"""

import re
import unicodedata

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
RUNS = re.compile(f"[{CJK}]+|[0-9a-z]{{1,64}}")  # (a Latin run longer than 64 is cut up)
MAX_QUERY_CHARS = 50
NGRAM_MAX = 4
NGRAM_TEXT_MAX = 20_000  # characters of one text given n-grams: a tsvector holds at most 1 MB


def normalise(text):
    """Full-width letters and digits folded (３Ｄ → 3D), lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def runs(text):
    return RUNS.findall(normalise(text))


def is_cjk(run):
    return "\u3400" <= run[0] <= "\ufaff"


def index_tokens(text):
    """Every position of a CJK run gives the pair starting there (the last, a single character);
    a Latin/digit run is one token. Positions stay consecutive across runs."""
    tokens = []
    for run in runs(text):
        if is_cjk(run):
            tokens.extend(run[i : i + 2] for i in range(len(run)))
        else:
            tokens.append(run)
    return tokens


def index_text(text):
    return " ".join(index_tokens(text))


def ngrams(text):
    """The distinct CJK n-grams of 1 to NGRAM_MAX characters, and the Latin/digit words."""
    grams = set()
    for run in runs(text[:NGRAM_TEXT_MAX]):
        if is_cjk(run):
            for n in range(1, NGRAM_MAX + 1):
                grams.update(run[i : i + n] for i in range(len(run) - n + 1))
        else:
            grams.add(run)
    return sorted(grams)


def query_ngrams(word):
    """The n-grams a document must all contain to contain `word`: a CJK run of up to NGRAM_MAX
    characters is one n-gram, a longer one its overlapping NGRAM_MAX-character pieces."""
    grams = []
    for run in runs(word):
        if is_cjk(run) and len(run) > NGRAM_MAX:
            grams.extend(run[i : i + NGRAM_MAX] for i in range(len(run) - NGRAM_MAX + 1))
        else:
            grams.append(run)
    return grams


def query_groups(word):
    """One search word as phrases to AND together: [[(token, is_prefix), …], …].

    A single CJK character is a prefix (老 → 老*); a prefix may only end a phrase, so a word
    such as A座B becomes two phrases (a 座*) and (b).
    """
    groups, current = [], []
    for run in runs(word):
        if is_cjk(run) and len(run) == 1:
            current.append((run, True))
            groups.append(current)
            current = []
        elif is_cjk(run):
            current.extend((run[i : i + 2], False) for i in range(len(run) - 1))
        else:
            current.append((run, False))
    if current:
        groups.append(current)
    return groups


def clean_query(raw):
    """The query as a resident typed it, made safe to keep and show: no control characters
    (NUL and friends), single spaces, at most MAX_QUERY_CHARS characters."""
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in raw or "")
    return " ".join(text.split())[:MAX_QUERY_CHARS].strip()


def query_words(query):
    """The words of a cleaned query that can be searched (each with at least one token)."""
    return [word for word in query.split() if query_groups(word)]
