"""Lighthouse, as an outside auditor sees the site: accessibility, best practices and SEO of the
front page, an article, a street page and search. Not a test (Lighthouse's scores change with
its version and its audits' timing); the README reports one run.

    .venv/bin/python bench/lighthouse.py                      # its own server, then the four pages
    .venv/bin/python bench/lighthouse.py --url http://127.0.0.1:8000   # a site already running

Lighthouse is pinned (12.2.3; 13.x needs Node 22) and installed from npm into
bench/out/lighthouse on first use; it drives the system Chromium (CHROME_PATH=/usr/bin/chromium,
headless, no sandbox). Its own server: gunicorn with the production settings (DEBUG off, hashed
and compressed static files, the page cache, CSP), on a fresh SQLite database in bench/out with
the bulletin loaded, on port 18731; stopped at the end. Each page's full report is kept in
bench/out/lighthouse-<page>.json. Search says `noindex` on purpose, so its SEO score is lower.
"""

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
LIGHTHOUSE_DIR = OUT / "lighthouse"
LIGHTHOUSE = LIGHTHOUSE_DIR / "node_modules" / ".bin" / "lighthouse"
VERSION = "12.2.3"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PORT = 18731
PAGES = {
    "front": "/",
    "article": "/news/1/",
    "street": "/streets/yingbin/",
    "search": "/search/?q=社区",
}
CATEGORIES = ("accessibility", "best-practices", "seo")
BIN = Path(sys.executable).parent


def install_lighthouse():
    package = LIGHTHOUSE_DIR / "node_modules" / "lighthouse" / "package.json"
    if package.exists() and json.loads(package.read_text())["version"] == VERSION:
        return
    LIGHTHOUSE_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run(  # noqa: S603 (our own command line)
        ["npm", "install", "--prefix", str(LIGHTHOUSE_DIR), "--no-audit", "--no-fund"]  # noqa: S607
        + ["--loglevel=error", "-E", f"lighthouse@{VERSION}"],
        check=True,
    )


def start_site():
    """A fresh database with the bulletin, static files collected, gunicorn on PORT."""
    var = OUT / "lighthouse-var"
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    env = {
        **os.environ,
        "DJANGO_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'db.sqlite3'}",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PORT": str(PORT),
        "WORKERS": "2",
        "GUNICORN_ACCESS_LOG": "/dev/null",
    }
    env.pop("DJANGO_DEBUG", None)
    manage = [str(BIN / "python"), "manage.py"]
    for command in (
        ["migrate", "--noinput", "-v0"],
        ["seed_bulletin"],
        ["rebuild_search_index"],
        ["collectstatic", "--noinput", "-v0"],
    ):
        subprocess.run([*manage, *command], cwd=ROOT, env=env, check=True)  # noqa: S603
    server = subprocess.Popen(  # noqa: S603
        [str(BIN / "gunicorn"), "pingcheng.wsgi", "--config", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{PORT}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/", timeout=1)  # noqa: S310 (our own local server)
            return server, url
        except OSError:
            time.sleep(0.2)
    os.killpg(server.pid, signal.SIGTERM)
    raise SystemExit(f"gunicorn on {PORT} did not start")


def audit(url, name):
    """One Lighthouse run: the report's category scores (0–100) and the audits that lost
    points, by category."""
    report = OUT / f"lighthouse-{name}.json"
    subprocess.run(  # noqa: S603 (our own command line)
        [
            str(LIGHTHOUSE),
            url,
            "--output=json",
            f"--output-path={report}",
            f"--only-categories={','.join(CATEGORIES)}",
            "--chrome-flags=--headless=new --no-sandbox",
            "--quiet",
        ],
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        check=True,
    )
    data = json.loads(report.read_text())
    scores, lost = {}, {}
    for key in CATEGORIES:
        category = data["categories"][key]
        scores[key] = round(category["score"] * 100) if category["score"] is not None else None
        lost[key] = [
            ref["id"]
            for ref in category["auditRefs"]
            if ref["weight"] > 0 and (data["audits"][ref["id"]]["score"] or 0) < 1
        ]
    return scores, lost, data["lighthouseVersion"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a site already running (default: start one)")
    args = parser.parse_args()
    install_lighthouse()
    server = None
    if args.url:
        site = args.url.rstrip("/")
    else:
        server, site = start_site()
    try:
        rows = []
        for name, path in PAGES.items():
            scores, lost, version = audit(site + path, name)
            rows.append((name, path, scores, lost))
    finally:
        if server:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait()
    print(f"\nLighthouse {version}, {CHROMIUM}, {site}\n")
    print("| page | accessibility | best practices | SEO |")
    print("| --- | ---: | ---: | ---: |")
    for name, path, scores, _ in rows:
        cells = " | ".join(str(scores[key]) for key in CATEGORIES)
        print(f"| {name} `{path}` | {cells} |")
    for name, _, _, lost in rows:
        for key, audits in lost.items():
            if audits:
                print(f"{name}, {key}: lost points on {', '.join(audits)}")


if __name__ == "__main__":
    main()
