"""How long the 校对 checks (newsroom/proofing.py) take, in CPU time.

    .venv/bin/python bench/proofing_bench.py

Each row is the median of 30 runs (after one warm-up) of `time.process_time()` around the work
named, in milliseconds. The texts and lists, all made deterministically:

- the longest bulletin item: every text field of the item with the longest text in
  fixtures/bulletin.json, checked against the shipped list (newsroom/data/wrong_words.tsv);
- a 20,000-character body: the eight bulletin bodies joined by blank lines, over and over, cut at
  20,000 characters (real Chinese news text, so its numbers and words are realistic);
- "5,000 invented words": 2 to 4 characters drawn at random (seed 12) from the distinct Chinese
  characters of the bulletin, like a real wrong-word list: few of them occur in the text;
- "5,000 words from the text": 2- to 4-character pieces cut at random (seed 12) from the
  bulletin's bodies, so nearly all occur, many of them often: the worst case, thousands of hits.

If ahocorasick-rs is importable (it is not a dependency: install it in a throwaway venv with
pyahocorasick==2.3.1 and Django to see it), a last table compares the two libraries on the
same search.
"""

import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newsroom import proofing  # noqa: E402

REPEAT = 30
FIELDS = ["kicker", "headline", "subtitle", "body", "photo_caption", "photo_alt"]


def cpu_ms(work):
    work()  # warm-up
    timings = []
    for _ in range(REPEAT):
        started = time.process_time()
        work()
        timings.append((time.process_time() - started) * 1000)
    return statistics.median(timings)


def bulletin_items():
    data = json.loads((ROOT / "fixtures" / "bulletin.json").read_text(encoding="utf-8"))
    return [obj["fields"] for obj in data if obj["model"] == "news.article"]


def invented_words(characters, count, seed=12):
    rng, words = random.Random(seed), {}
    while len(words) < count:
        word = "".join(rng.choice(characters) for _ in range(rng.randint(2, 4)))
        words.setdefault(word, (word, word[::-1], "block" if len(words) % 2 else "warn"))
    return list(words.values())


def words_from_text(bodies, count, seed=12):
    rng, words = random.Random(seed), {}
    text = "".join(bodies)
    while len(words) < count:
        length = rng.randint(2, 4)
        start = rng.randrange(len(text) - length)
        word = text[start : start + length]
        if word.strip() and "\n" not in word:
            words.setdefault(word, (word, word[::-1], "block" if len(words) % 2 else "warn"))
    return list(words.values())


def main():
    items = bulletin_items()
    bodies = [item["body"] for item in items]
    longest = max(items, key=lambda item: sum(len(item[name]) for name in FIELDS))
    longest_fields = {name: longest[name] for name in FIELDS}
    body = ("\n\n".join(bodies) + "\n\n") * (20_000 // sum(map(len, bodies)) + 1)
    body = body[:20_000]
    han = sorted({c for text in bodies for c in text if "\u4e00" <= c <= "\u9fff"})
    invented = invented_words(han, 5_000)
    cut = words_from_text(bodies, 5_000)
    default = proofing.default_word_list()
    lists = {"invented": proofing.word_list(invented), "from text": proofing.word_list(cut)}

    print(
        f"longest bulletin item: {longest['headline']} ({sum(map(len, longest_fields.values()))} characters in {len(FIELDS)} fields)"
    )
    print(f"20,000-character body; {len(han)} distinct characters for the invented words")
    print(f"CPU time, median of {REPEAT}, ms\n")
    print(
        f"{'text':<28} {'word list':<26} {'hits':>12} {'personal':>9} {'words':>7} {'run_checks':>11} {'+ highlight':>12}"
    )
    cases = [
        ("longest bulletin item", longest_fields, f"shipped ({len(default)} words)", default),
        ("20,000-character body", {"body": body}, "5,000 invented words", lists["invented"]),
        ("20,000-character body", {"body": body}, "5,000 words from the text", lists["from text"]),
    ]
    for label, fields, list_label, words in cases:
        report = proofing.run_checks(fields, words)
        personal = cpu_ms(lambda f=fields: [proofing.find_personal_data(t) for t in f.values()])
        found = cpu_ms(lambda f=fields, w=words: [w.find(t) for t in f.values()])
        checks = cpu_ms(lambda f=fields, w=words: proofing.run_checks(f, w))
        shown = cpu_ms(
            lambda f=fields, w=words: [
                field.highlighted for field in proofing.run_checks(f, w).fields.values()
            ]
        )
        hits = f"{len(report.personal)} + {len(report.words)}"
        print(
            f"{label:<28} {list_label:<26} {hits:>12} {personal:>9.2f} {found:>7.2f} {checks:>11.2f} {shown:>12.2f}"
        )

    print()
    for name, entries in [("invented", invented), ("from text", cut)]:
        build = cpu_ms(lambda e=entries: proofing.WordList(e))
        again = cpu_ms(lambda e=entries: proofing.word_list(e))
        print(
            f"5,000 {name} words: build the automaton {build:.2f} ms; found again in the cache {again:.3f} ms"
        )

    compare_with_ahocorasick_rs(body, invented, cut)


def compare_with_ahocorasick_rs(body, *word_lists):
    try:
        import ahocorasick_rs
    except ImportError:
        return
    import ahocorasick

    print("\nraw overlapping matches on the 20,000-character body, ms (build once, then search)")
    for entries in word_lists:
        words = [w for w, _, _ in entries]
        py = ahocorasick.Automaton()
        for i, word in enumerate(words):
            py.add_word(word, (len(word), i))
        py.make_automaton()
        rs = ahocorasick_rs.AhoCorasick(words)
        py_ms = cpu_ms(lambda a=py: list(a.iter(body)))
        rs_ms = cpu_ms(lambda a=rs: a.find_matches_as_indexes(body, overlapping=True))
        longest = ahocorasick_rs.AhoCorasick(
            words, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest
        )
        rs_long = cpu_ms(lambda a=longest: a.find_matches_as_indexes(body))
        print(
            f"{len(list(py.iter(body))):>6} matches: pyahocorasick iter {py_ms:.2f}, "
            f"ahocorasick-rs overlapping {rs_ms:.2f}, ahocorasick-rs leftmost-longest {rs_long:.2f}"
        )


if __name__ == "__main__":
    main()
