"""Every speed target of issue 13 in one Markdown table: target | corpus | measured | met? (`make bench`)

    .venv/bin/python bench/targets.py \
        --sqlite-100k sqlite:////work/corpora/bench100k.sqlite3 \
        --sqlite-1m sqlite:////work/corpora/bench1m.sqlite3 \
        --pg-100k postgres://postgres@127.0.0.1:5432/bt_bench \
        --search-sqlite sqlite:////work/corpora/search1m_bench.sqlite3 \
        --search-pg postgres://postgres@127.0.0.1:5432/s1m_bench [--quick]

Each corpus is migrated first (the code under it may have added columns), then measured by
the parts in bench/target_parts.py, each in its own process: render (in-process, page cache
off, median CPU ms; on PostgreSQL plus the server's CPU), serve (uncached pages against the
static file in one gunicorn, rows alternating), load (bench/load.py with an editor publishing
every 5 s, between two runs of the static file), nginx (deploy/nginx.conf in front of
gunicorn). The search corpora (1M articles with their index) only run the search benchmark.
A part that fails says "failed: why" in its rows; the others go on. Progress goes to stderr;
stdout is exactly the Markdown for the README. `--quick`: fewer seconds per row and fewer
renders (for trying the harness, not for figures).

Each run keeps its figures in bench/out/targets-<time>.json (and targets.json, the latest).
`--table FILE …` prints the table of runs made separately (a corpus in a later file replaces
the same corpus in an earlier one), with each run's time and machine load.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARTS = ROOT / "bench" / "target_parts.py"
OUT = ROOT / "bench" / "out"
CORPORA = {
    "--sqlite-100k": "SQLite 100k",
    "--sqlite-1m": "SQLite 1M",
    "--pg-100k": "PostgreSQL 100k",
}
SEARCH = {"--search-sqlite": "SQLite 1M", "--search-pg": "PostgreSQL 1M"}
PAGES = ["front", "street", "community", "reporter", "article", "month archive"]
TIMEOUT = {"migrate": 7200, "search": 3600}  # seconds; every other part 1800
RENDER_MS, SERVE_RATIO, GROWTH, NGINX_RATIO, LOAD_P99 = 2.0, 0.2, 1.2, 0.9, 10


class Failed(Exception):
    """A part that did not give figures; the message goes in the table."""


def log(text):
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def run_part(part, url, quick):
    env = {**os.environ, "DATABASE_URL": url, "BENCH_QUICK": "1" if quick else "0"}
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, str(PARTS), part],
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT.get(part, 1800),
        )
    except subprocess.TimeoutExpired:
        raise Failed(f"{part} took over {TIMEOUT.get(part, 1800)} s") from None
    finally:
        log(f"  {part}: {time.perf_counter() - started:.0f} s")
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    raise Failed(f"{part}: {lines[-1].strip() if lines else f'exit {done.returncode}'}")


def measure(corpora, searches, quick):
    """{label: {part: figures or Failed}} for every corpus and search corpus given."""
    results = {}
    for label, url in corpora.items():
        log(f"{label}: {url}")
        results[label] = found = {}
        for part in ["migrate", "render", "serve", "load", "nginx"]:
            if isinstance(found.get("migrate"), Failed):
                found[part] = Failed("the corpus could not be migrated")
                continue
            try:
                found[part] = run_part(part, url, quick)
            except Failed as error:
                found[part] = error
                log(f"  {error}")
    for label, url in searches.items():
        log(f"search, {label}: {url}")
        try:
            results[f"search {label}"] = {"search": run_part("search", url, quick)}
        except Failed as error:
            results[f"search {label}"] = {"search": error}
            log(f"  {error}")
    return results


def ms(value):
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def render_ms(row):
    """CPU ms of a render: Django's process, plus PostgreSQL's backend where it has one."""
    return row["ms"] + (row.get("server") or 0)


def verdict(good, total):
    return "yes" if good == total else f"no ({total - good} of {total} not)"


def rows_for(label, found):
    """(target, corpus, measured, met) for one corpus's parts."""
    rows = []

    def add(target, part, describe):
        figures = found.get(part)
        if isinstance(figures, Failed):
            rows.append((target, label, f"failed: {figures}", "—"))
        elif figures is not None:
            try:
                rows.append((target, label, *describe(figures)))
            except Exception as error:  # figures in an unexpected shape: say so, go on
                rows.append((target, label, f"failed: {type(error).__name__}: {error}", "—"))

    def renders(figures):
        on_pg = any(figures[p].get("server") is not None for p in PAGES)
        times = {p: render_ms(figures[p]) for p in PAGES}
        text = ", ".join(f"{p} {ms(t)}" for p, t in times.items()) + " ms"
        if on_pg:
            text += " (CPU of Django + PostgreSQL)"
        floor = figures.get("floor: robots.txt")
        if floor:  # Django's own floor, a view with no template: how busy the machine was
            text += f"; floor, robots.txt: {ms(render_ms(floor))} ms"
        return text, verdict(sum(t <= RENDER_MS for t in times.values()), len(times))

    def archive(figures):
        t = render_ms(figures["archive index"])
        return f"{ms(t)} ms", "yes" if t <= RENDER_MS else "no"

    def ratios(limit):
        def describe(figures):
            rows_ = figures["rows"]
            static, _, _ = rows_["static"]
            if not static:
                raise Failed("the static file was not served (0 requests/s)")
            parts, good, errors = [], 0, 0
            for page in PAGES:
                rate, _, failed = rows_[page]
                parts.append(f"{page} {rate / static:.2f}×")
                good += rate / static >= limit and not failed
                errors += failed
            text = ", ".join(parts) + f" (static file {static:,.0f} requests/s)"
            if errors:
                text += f"; {errors} failed requests"
            return text, verdict(good, len(PAGES))

        return describe

    def load_errors(figures):
        load, editor = figures["load"], figures["editor"]
        text = (
            f"{load['errors']:.0f} errors in {load['requests']:,.0f} requests "
            f"({figures['seconds']} s, {load['rps']:,.0f}/s); editor: {figures['summary']}"
        )
        met = load["errors"] == 0 and editor["saves"] > 0 and not editor["failures"]
        return text, "yes" if met else "no"

    def load_p99(figures):
        p99 = figures["load"]["p99_ms"]
        static = sum(s["p99"] for s in figures["static"]) / len(figures["static"])
        text = f"p99 {ms(p99)} ms = {p99 / static:.1f}× the static file's {ms(static)} ms"
        failed = figures["load"]["errors"]
        if failed:  # wrk leaves failed requests out of its percentiles: no p99 to judge
            return text + f", leaving out {failed:.0f} failed requests", "no"
        return text, "yes" if p99 <= LOAD_P99 * static else "no"

    add(f"In-process render ≤ {RENDER_MS:g} ms (median, uncached)", "render", renders)
    if "1M" in label:
        add(f"Archive index ≤ {RENDER_MS:g} ms", "render", archive)
    add(f"Uncached ≥ {SERVE_RATIO}× static file, same gunicorn", "serve", ratios(SERVE_RATIO))
    add("Load test, editor publishing every 5 s: 0 errors", "load", load_errors)
    add(f"Load test p99 ≤ {LOAD_P99}× static file's p99", "load", load_p99)
    add(f"Through nginx ≥ {NGINX_RATIO}× nginx's static file", "nginx", ratios(NGINX_RATIO))
    return rows


def growth_row(small, large):
    """No page slower at 1M than at 100k by more than 20 %."""
    target, label = "No page > 20 % slower at 1M than at 100k", "SQLite 1M / 100k"
    if isinstance(small, Failed) or isinstance(large, Failed):
        return (target, label, f"failed: {small if isinstance(small, Failed) else large}", "—")
    pages = [*PAGES, "archive index"]
    change = {p: render_ms(large[p]) / render_ms(small[p]) for p in pages}
    text = ", ".join(f"{p} {100 * (c - 1):+.0f} %" for p, c in change.items())
    return target, label, text, verdict(sum(c <= GROWTH for c in change.values()), len(pages))


def search_row(label, found):
    target = "Search p50 < 20 ms, p95 < 50 ms at 1M"
    figures = found["search"] if found else Failed("no search corpus given")
    if isinstance(figures, Failed):
        return target, label, f"not measured: {figures}", "—"
    text = (
        f"p50 {ms(figures['p50'])} ms, p95 {ms(figures['p95'])} ms "
        f"({figures['articles']:,} articles)"
    )
    return target, label, text, "yes" if figures["p50"] < 20 and figures["p95"] < 50 else "no"


def table(results):
    rows = []
    for label in CORPORA.values():
        if label in results:
            rows += rows_for(label, results[label])
    if "SQLite 100k" in results and "SQLite 1M" in results:
        small, large = results["SQLite 100k"]["render"], results["SQLite 1M"]["render"]
        rows.append(growth_row(small, large))
    for label in SEARCH.values():
        rows.append(search_row(label, results.get(f"search {label}")))
    lines = ["| target | corpus | measured | met? |", "| --- | --- | --- | --- |"]
    for row in rows:
        lines.append("| " + " | ".join(str(cell).replace("|", "\\|") for cell in row) + " |")
    return "\n".join(lines)


def arguments(argv):
    corpora, searches, quick = {}, {}, False
    i = 0
    while i < len(argv):
        flag = argv[i]
        if flag == "--quick":
            quick = True
        elif flag in CORPORA or flag in SEARCH:
            i += 1
            if i < len(argv) and argv[i]:  # an empty value (a Make variable left blank): skip
                (corpora if flag in CORPORA else searches)[CORPORA.get(flag) or SEARCH[flag]] = (
                    argv[i]
                )
        else:
            raise SystemExit(f"unknown argument {flag!r}\n{__doc__}")
        i += 1
    return corpora, searches, quick


def describe_run(run):
    return (
        f"{run['started']} UTC{', --quick' if run['quick'] else ''} "
        f"({', '.join(run['corpora'])}): {run['cores']} cores, load average "
        f"{run['load'][0]:.1f} at the start, {run['load'][1]:.1f} at the end (1-minute); "
        f"{run['minutes']:.0f} minutes in all."
    )


def save(run, results):
    """The run's figures as JSON (a failed part as {"failed": why})."""
    stored = {
        label: {
            part: {"failed": str(found)} if isinstance(found, Failed) else found
            for part, found in parts.items()
        }
        for label, parts in results.items()
    }
    text = json.dumps({"run": run, "results": stored}, ensure_ascii=False, indent=1)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"targets-{run['started'].replace(' ', 'T')}.json").write_text(text)
    (OUT / "targets.json").write_text(text)


def load(paths):
    """(runs, merged results) of saved runs, later files first for a corpus measured twice."""
    runs, results = [], {}
    for path in paths:
        saved = json.loads(Path(path).read_text())
        runs.append(saved["run"])
        for label, parts in saved["results"].items():
            results[label] = {
                part: Failed(found["failed"])
                if isinstance(found, dict) and set(found) == {"failed"}
                else found
                for part, found in parts.items()
            }
    return runs, results


def main():
    if sys.argv[1:2] == ["--table"]:
        runs, results = load(sys.argv[2:])
    else:
        corpora, searches, quick = arguments(sys.argv[1:])
        if not corpora and not searches:
            raise SystemExit(__doc__)
        started, load_before = time.time(), os.getloadavg()
        results = measure(corpora, searches, quick)
        runs = [
            {
                "started": time.strftime("%Y-%m-%d %H:%M", time.gmtime(started)),
                "quick": quick,
                "corpora": [*corpora, *(f"search {label}" for label in searches)],
                "cores": os.cpu_count(),
                "load": [load_before[0], os.getloadavg()[0]],
                "minutes": (time.time() - started) / 60,
            }
        ]
        save(runs[0], results)
    print("\n".join(f"- {describe_run(run)}" for run in runs) + "\n")
    print(table(results))


if __name__ == "__main__":
    main()
