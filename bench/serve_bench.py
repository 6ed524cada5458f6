"""How close to a static file do our pages come? `make bench` (needs wrk and nginx: apt-get).

    DATABASE_URL=sqlite:///bench/out/bench.sqlite3 .venv/bin/python bench/serve_bench.py

On the benchmark corpus (bench/corpus.py, 100,000 articles), in one run, rows alternating
A B A B … so the machine's noise falls on all of them alike, each with `wrk -t2 -c32`:

(a) the front page's own bytes as a static file, served by whitenoise in the same gunicorn;
(b) the front, street and article pages as readers get them (page-cache hits);
(c) the same pages uncached (a second gunicorn with DJANGO_PAGE_CACHE=0);
(d) a 304 revalidation of the article page (If-None-Match);
(e) nginx serving the static file (deploy/nginx.conf, paths pointed here; `nginx -t` first).

It also times the in-process render of every page type (median of 30, uncached) and reads the
memory (RSS) of the gunicorn workers afterwards. Writes bench/out/serve.md and prints it.
"""

import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
VAR = OUT / "serve-var"
BIN = Path(sys.executable).parent
DURATION = os.environ.get("BENCH_SECONDS", "8")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
CACHED, UNCACHED, NGINX = 8101, 8102, 8103
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pingcheng.settings")
os.environ.update(DJANGO_VAR_DIR=str(VAR), DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost")
sys.path.insert(0, str(ROOT))


def pages():
    from news.models import Article, Street

    street = Street.objects.order_by("position").first()
    article = Article.objects.published().order_by("-published_at").first()
    return {
        "front": "/",
        "street": street.get_absolute_url(),
        "article": article.get_absolute_url(),
    }


def render_times(paths):
    """Median in-process render of each page type, uncached (Django's test client)."""
    from django.test import Client
    from django.test.utils import override_settings

    client, result = Client(), {}
    extra = {"search": "/search/?q=社区", "feed": "/feeds/rss/", "directory": "/streets/"}
    with override_settings(PAGE_CACHE=False, ALLOWED_HOSTS=["testserver"]):
        for name, path in {**paths, **extra}.items():
            client.get(path)
            times = []
            for _ in range(30):
                started = time.perf_counter()
                assert client.get(path).status_code == 200, path
                times.append((time.perf_counter() - started) * 1000)
            result[name] = statistics.median(times)
    return result


def start_gunicorn(port, **env):
    command = [str(BIN / "gunicorn"), "pingcheng.wsgi", "--config", "gunicorn.conf.py"]
    environ = {**os.environ, "PORT": str(port), "GUNICORN_ACCESS_LOG": "/dev/null", **env}
    process = subprocess.Popen(command, cwd=ROOT, env=environ, start_new_session=True)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/static/bench/front.html", timeout=1)
            return process
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn on {port} did not start")


def start_nginx(static_root):
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    conf = conf.replace("/srv/pingcheng/var/static/", f"{static_root}/")
    conf = conf.replace("/srv/pingcheng/var/media/", f"{VAR / 'media'}/")
    conf = conf.replace("/var/cache/nginx/pingcheng", str(OUT / "nginx-cache"))
    conf = conf.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{CACHED};")
    conf = re.sub(r"listen 80;", f"listen 127.0.0.1:{NGINX};", conf)
    main = OUT / "nginx-main.conf"
    (OUT / "nginx-site.conf").write_text(conf)
    main.write_text(
        f"pid {OUT / 'nginx.pid'};\nerror_log {OUT / 'nginx-error.log'};\nworker_processes 1;\n"
        "events { worker_connections 1024; }\n"
        f"http {{ include /etc/nginx/mime.types; access_log off; client_body_temp_path {OUT}/nginx-tmp;"
        f" proxy_temp_path {OUT}/nginx-tmp; include {OUT / 'nginx-site.conf'}; }}\n"
    )
    (OUT / "nginx-tmp").mkdir(exist_ok=True)
    test = subprocess.run(["nginx", "-t", "-c", str(main)], capture_output=True, text=True)
    print("nginx -t:", test.stderr.strip().splitlines()[-1])
    if test.returncode:
        raise SystemExit(test.stderr)
    subprocess.run(["nginx", "-c", str(main)], check=True)


def wrk(url, header=None):
    command = ["wrk", "-t2", "-c32", f"-d{DURATION}s", "--latency", url]
    if header:
        command[1:1] = ["-H", header]
    text = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: .*", text)

    def ms(label):
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", text).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    return rate, ms("50"), ms("99"), errors.group(0) if errors else ""


def wrk_run(url, seconds, connections=32):
    """wrk on `url`: {"rps", "p50", "p99" (ms), "errors": failed or non-2xx/3xx requests}.
    A request unanswered after 10 s is an error (wrk's own default, 2 s, counts a slow page
    as failed)."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    command += ["--latency", url]
    text = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))

    def ms(label):
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", text).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    status = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    errors = int(status.group(1)) if status else 0
    errors += sum(int(n) for n in sockets.groups()) if sockets else 0
    return {"rps": rate, "p50": ms("50"), "p99": ms("99"), "errors": errors}


def worker_rss(process):
    children = subprocess.run(
        ["pgrep", "-P", str(process.pid)], capture_output=True, text=True
    ).stdout.split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024)
    return max(sizes) if sizes else 0


def main():
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings

    from news.models import Article

    shutil.rmtree(VAR, ignore_errors=True)
    VAR.mkdir(parents=True)
    call_command("migrate", verbosity=0)
    call_command("optimize_database", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    paths = pages()
    static_root = Path(django.conf.settings.STATIC_ROOT)
    with override_settings(PAGE_CACHE=False, ALLOWED_HOSTS=["127.0.0.1"]):
        front = Client(HTTP_HOST="127.0.0.1").get("/").content
    (static_root / "bench").mkdir(exist_ok=True)
    (static_root / "bench" / "front.html").write_bytes(front)
    renders = render_times(paths)

    cached = start_gunicorn(CACHED)
    uncached = start_gunicorn(UNCACHED, DJANGO_PAGE_CACHE="0")
    start_nginx(static_root)
    try:
        article_url = f"http://127.0.0.1:{CACHED}{paths['article']}"
        etag = urllib.request.urlopen(article_url).headers["ETag"]
        rows = {
            "(a) static file, whitenoise": (
                f"http://127.0.0.1:{CACHED}/static/bench/front.html",
                None,
            )
        }
        for name, path in paths.items():
            rows[f"(b) {name}, cache hit"] = (f"http://127.0.0.1:{CACHED}{path}", None)
        for name, path in paths.items():
            rows[f"(c) {name}, uncached"] = (f"http://127.0.0.1:{UNCACHED}{path}", None)
        rows["(d) article, 304"] = (article_url, f"If-None-Match: {etag}")
        rows["(e) static file, nginx"] = (f"http://127.0.0.1:{NGINX}/static/bench/front.html", None)
        for url, header in rows.values():  # warm every worker's cache and the page cache
            subprocess.run(
                ["wrk", "-t2", "-c32", "-d2s", *(["-H", header] if header else []), url],
                capture_output=True,
                check=True,
            )
        results = {name: [] for name in rows}
        for _ in range(ROUNDS):
            for name, (url, header) in rows.items():
                results[name].append(wrk(url, header))
        rss = max(worker_rss(cached), worker_rss(uncached))
    finally:
        for process in (cached, uncached):
            os.killpg(process.pid, signal.SIGTERM)
        subprocess.run(["nginx", "-c", str(OUT / "nginx-main.conf"), "-s", "stop"], check=False)

    count = Article.objects.count()
    a = statistics.mean(r[0] for r in results["(a) static file, whitenoise"])
    e = statistics.mean(r[0] for r in results["(e) static file, nginx"])
    lines = [
        f"{count:,} articles, {os.cpu_count()} cores, wrk -t2 -c32 -d{DURATION}s, {ROUNDS} rounds "
        "alternating, mean of rounds (p50/p99: worst round)",
        "",
        "| row | requests/s | p50 ms | p99 ms | × (a) | × (e) | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, runs in results.items():
        rate = statistics.mean(r[0] for r in runs)
        p50, p99 = max(r[1] for r in runs), max(r[2] for r in runs)
        errors = "; ".join(sorted({r[3] for r in runs if r[3]})) or "0"
        lines.append(
            f"| {name} | {rate:,.0f} | {p50:.2f} | {p99:.2f} | {rate / a:.2f} | {rate / e:.2f} | {errors} |"
        )
    lines += ["", "In-process render, uncached, median of 30:", ""]
    lines += [f"- {name}: {ms:.1f} ms" for name, ms in renders.items()]
    lines += ["", f"Largest gunicorn worker after the run: {rss:.0f} MB RSS", ""]
    report = "\n".join(lines)
    (OUT / "serve.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
