"""A live site behind the real deploy/nginx.conf, for tests/test_nginx.py.

gunicorn (gunicorn.conf.py, two workers) serves a throwaway site: its own var dir and SQLite
file whatever DATABASE_URL the suite runs with, the bulletin loaded, the page cache on, local
memory (workers learn of an edit through the var dir). A private nginx runs the recipe with
only its CHANGE values pointed here, wrapped in a minimal main config, after `nginx -t`.
Both are stopped by their own pids when the block ends, whatever happened.
"""

import gzip
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECIPE = ROOT / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
PORTS = range(18200, 18300)
START_TIMEOUT = 60


class SiteError(RuntimeError):
    pass


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def cache(self):
        """nginx's word on the micro-cache: HIT, MISS, EXPIRED, BYPASS… (None if not asked)."""
        return self.headers.get("X-Micro-Cache")

    @property
    def html(self):
        raw = gzip.decompress(self.body) if self.headers.get("Content-Encoding") else self.body
        return raw.decode()

    @property
    def classes(self):
        """The reading-choice classes on <html>, e.g. "size-large contrast-high pointer-large"."""
        found = re.search(r'<html lang="zh-Hans" class="([^"]*)"', self.html).group(1).split()
        return " ".join(
            c for c in found if c.startswith(("size-", "contrast-", "pointer-", "guide-"))
        )


@dataclass
class Site:
    port: int
    env: dict  # the environment of the site's own manage.py
    cache_dir: Path

    def get(self, path, cookie=None, accept_encoding=None, method="GET", headers=(), body=None):
        """One request on a new connection, headers exactly as given: http.client would
        otherwise add `Accept-Encoding: identity`, and the tests need requests without one."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.putrequest(method, path, skip_accept_encoding=True)
            for name, value in [("Cookie", cookie), ("Accept-Encoding", accept_encoding)]:
                if value is not None:
                    connection.putheader(name, value)
            for name, value in headers:
                connection.putheader(name, value)
            if body is not None:
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            response = connection.getresponse()
            return Reply(response.status, response.headers, response.read())
        finally:
            connection.close()

    def stored_keys(self):
        """The key of every page nginx has written to its cache directory."""
        keys = []
        for path in self.cache_dir.rglob("*"):
            try:
                head = path.read_bytes()[:4096] if path.is_file() else None
            except FileNotFoundError:  # a temporary file renamed meanwhile
                continue
            if head is not None:
                found = re.search(rb"\nKEY: ([^\n]*)\n", head)
                keys.append(found.group(1).decode() if found else f"(no key in {path.name})")
        return keys


def recipe_for_test(text, *, upstream, listen, static, media, cache):
    """The recipe with its CHANGE values pointed at the test, nothing else touched. Each must
    occur exactly once, so a renamed directive fails here instead of testing another server."""
    for old, new in [
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};"),
        ("listen 80;", f"listen 127.0.0.1:{listen};"),
        ("server_name news.example.cn;", "server_name 127.0.0.1;"),
        ("/srv/pingcheng/var/static/", f"{static}/"),
        ("/srv/pingcheng/var/media/", f"{media}/"),
        ("proxy_cache_path /var/cache/nginx/pingcheng ", f"proxy_cache_path {cache} "),
    ]:
        if text.count(old) != 1:
            raise SiteError(f"deploy/nginx.conf should hold {old!r} once (a CHANGE value)")
        text = text.replace(old, new)
    return text


def main_config(tmp):
    """What /etc/nginx/nginx.conf gives the recipe, with every path in the test's folder."""
    temp_paths = "".join(
        f"    {name}_temp_path {tmp / name};\n"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"worker_processes 1;\npid {tmp / 'nginx.pid'};\nerror_log {tmp / 'nginx-error.log'};\n"
        "events { worker_connections 256; }\n"
        "http {\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
        f"    access_log {tmp / 'nginx-access.log'};\n{temp_paths}"
        f"    include {tmp / 'pingcheng.conf'};\n}}\n"
    )


def free_ports(count):
    ports = []
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        ports.append(port)
        if len(ports) == count:
            return ports
    raise SiteError(f"no {count} free ports in {PORTS.start}–{PORTS.stop - 1}")


def stop(process):
    """Stop one process we started, by its own pid: politely, then for good."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for_port(process, port, log):
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SiteError(
                f"exited with {process.returncode} before listening:\n{log.read_text()}"
            )
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SiteError(f"nothing listened on {port} after {START_TIMEOUT} s:\n{log.read_text()}")


def site_environment(tmp, port):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PINGCHENG_"))}
    env.pop("REDIS_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="pingcheng.settings",
        DJANGO_VAR_DIR=str(tmp / "var"),
        DATABASE_URL=f"sqlite:///{tmp / 'var' / 'db.sqlite3'}",
        DJANGO_PAGE_CACHE="1",
        PORT=str(port),
        HOST="127.0.0.1",
        WORKERS="2",
        GUNICORN_ACCESS_LOG=str(tmp / "gunicorn-access.log"),
    )
    return env


@contextmanager
def running_site():
    with ExitStack() as cleanup:
        # nginx's workers give up root's rights: the folder must be readable by them.
        tmp = Path(tempfile.mkdtemp(prefix="pingcheng-nginx-"))
        tmp.chmod(0o755)
        cleanup.callback(shutil.rmtree, tmp, ignore_errors=True)
        upstream, listen = free_ports(2)
        env = site_environment(tmp, upstream)
        for command in (
            ["migrate", "--noinput"],
            ["seed_bulletin"],
            ["collectstatic", "--noinput"],
        ):
            subprocess.run(
                [sys.executable, "manage.py", *command, "-v", "0"],
                cwd=ROOT,
                env=env,
                check=True,
                timeout=300,
            )

        log = tmp / "gunicorn.log"
        with log.open("wb") as out:
            gunicorn = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "pingcheng.wsgi", "-c", "gunicorn.conf.py"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=out,
            )
        cleanup.callback(stop, gunicorn)
        wait_for_port(gunicorn, upstream, log)

        cache = tmp / "nginx-cache"
        site_conf = recipe_for_test(
            RECIPE.read_text(),
            upstream=upstream,
            listen=listen,
            static=tmp / "var" / "static",
            media=tmp / "var" / "media",
            cache=cache,
        )
        (tmp / "pingcheng.conf").write_text(site_conf)
        (tmp / "nginx.conf").write_text(main_config(tmp))
        log = tmp / "nginx-error.log"
        nginx = [NGINX, "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-e", str(log)]
        checked = subprocess.run([*nginx, "-t"], capture_output=True, text=True, timeout=30)
        if checked.returncode:
            raise SiteError(f"nginx -t refused the recipe:\n{checked.stderr}")
        server = subprocess.Popen([*nginx, "-g", "daemon off;"], stderr=subprocess.DEVNULL)
        cleanup.callback(stop, server)
        wait_for_port(server, listen, log)
        yield Site(listen, env, cache)
