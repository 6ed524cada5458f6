"""Search latency, in-process, on a benchmark corpus (bench/corpus.py makes it).

    DATABASE_URL=sqlite:///bench/out/bench.sqlite3 .venv/bin/python bench/search_bench.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pingcheng_bench .venv/bin/python bench/search_bench.py

Each timing is what the search page does for a query: both tier counts, the first page of
hits and the articles themselves (search.Hits + one page), without the template. Every query is
run REPEAT times after one warm-up; the median and 95th percentile are reported per query
length and overall. Targets (issue 4): median under 20 ms, p95 under 50 ms. The corpus is the
bulletin's sentences recombined, so every real query is common (over 1,000 hits); the last row
is words the corpus lacks.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pingcheng.settings")

REPEAT = 15
QUERIES = {
    "1 字": ["老", "新", "水", "站", "楼"],
    "2 字": ["社工", "漏水", "老人", "小哥", "社区", "国庆"],
    "3 字": ["永安里", "兴国寺", "党支部", "老党员", "网格员"],
    "4 字以上": ["外卖小哥", "3D打印", "迎宾街道", "社区工作人员", "小哥爱心驿站", "社区 漏水"],
    "无结果": ["地铁", "不存在的词", "wifi"],
}


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure():
    """{query length: [ms, …]} for every query of QUERIES, and the hits shown per length."""
    from news import search, segment

    timings, shown = {}, {}
    for label, queries in QUERIES.items():
        timings[label], shown[label] = [], []
        for query in queries:
            words = segment.query_words(segment.clean_query(query))
            for attempt in range(REPEAT + 1):
                started = time.perf_counter()
                hits = search.Hits(words)
                page = hits[0:20]
                elapsed = (time.perf_counter() - started) * 1000
                if attempt:  # the first run warms caches
                    timings[label].append(elapsed)
            shown[label].append(f"{query}:{'>' if hits.capped else ''}{hits.total}/{len(page)}")
    return timings, shown


def main():
    import django

    django.setup()
    from django.db import connection

    from news.models import Article, SearchEntry

    print(
        f"{connection.vendor}: {Article.objects.count():,} articles, "
        f"{SearchEntry.objects.count():,} in the index"
    )
    timings, shown = measure()
    every = [ms for values in timings.values() for ms in values]
    print(f"{'query length':<10} {'median ms':>10} {'p95 ms':>8}  hits (first query shown)")
    for label, values in timings.items():
        print(
            f"{label:<10} {statistics.median(values):>10.1f} {percentile(values, 0.95):>8.1f}  "
            + " ".join(shown[label])
        )
    print(f"{'all':<10} {statistics.median(every):>10.1f} {percentile(every, 0.95):>8.1f}")


if __name__ == "__main__":
    main()
