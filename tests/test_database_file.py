"""The SQLite file under a running server: replaced by a copy, moved away and back (issue 10).

Real gunicorn servers with two workers, each with its own SQLite in a temporary folder (also
when the suite runs on PostgreSQL), the page cache on, as in production. Which worker answered
comes from gunicorn's access log (its pid), so "every worker" is checked, not assumed.
"""

import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from django.db import OperationalError
from django.db.utils import ConnectionHandler

from pingcheng import sqlite as site_sqlite

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2
PASSWORD = "Zhubian-password-2022"
SETTINGS = """from tests.settings import *  # noqa: F403
PAGE_CACHE = True  # as in production: cached pages must not outlive a replaced database
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(folder):
    return {
        **os.environ,
        "PYTHONPATH": f"{folder}{os.pathsep}{ROOT}",
        "DJANGO_SETTINGS_MODULE": "database_file_settings",
        "DATABASE_URL": f"sqlite:///{folder / 'var' / 'db.sqlite3'}",
        "DJANGO_VAR_DIR": str(folder / "var"),
        "PINGCHENG_TEST_GENERATION_FILE": str(folder / "var" / "page-generation.json"),
    }


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A migrated database with the bulletin and an editor-in-chief, made once."""
    folder = tmp_path_factory.mktemp("database-template")
    (folder / "database_file_settings.py").write_text(SETTINGS)
    env = {**environment(folder), "DJANGO_SUPERUSER_PASSWORD": PASSWORD}
    for command in (
        ["migrate", "-v0"],
        ["seed_bulletin"],
        ["createsuperuser", "--noinput", "--username", "zhubian", "--email", "z@example.cn"],
    ):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=120,
            capture_output=True,
        )
    return folder / "var" / "db.sqlite3"


class Site:
    """A gunicorn serving a copy of the template database from its own folder."""

    def __init__(self, folder, template):
        self.folder, self.template = folder, template
        (folder / "var").mkdir()
        (folder / "database_file_settings.py").write_text(SETTINGS)
        self.database = folder / "var" / "db.sqlite3"
        shutil.copy(template, self.database)
        self.log = folder / "access.log"
        self.port = free_port()
        self.requests = 0
        self.server = subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn", "pingcheng.wsgi"),
                *("-b", f"127.0.0.1:{self.port}", "-w", str(WORKERS), "--no-control-socket"),
                *("--access-logfile", str(self.log), "--access-logformat", "%(p)s %(s)s"),
            ],
            cwd=ROOT,
            env=environment(folder),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(200):  # until it listens
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        self.cookies = CookieJar()
        self.editor = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect
        )

    def stop(self):
        self.server.terminate()
        self.server.wait(timeout=20)

    def get(self, path, opener=None):
        """(status, headers, page, pid of the worker that answered)."""
        self.requests += 1
        try:
            with (opener or urllib.request.build_opener()).open(self.url(path), timeout=10) as r:
                answer = r.status, r.headers, r.read().decode()
        except urllib.error.HTTPError as error:
            answer = error.code, error.headers, error.read().decode()
        return (*answer, self.worker_of_last_request())

    def worker_of_last_request(self):
        # A worker writes the access-log line just after the answer: wait for it.
        for _ in range(400):
            lines = self.log.read_text().splitlines() if self.log.exists() else []
            if len(lines) >= self.requests:
                return lines[self.requests - 1].split()[0]
            time.sleep(0.01)
        raise AssertionError("gunicorn wrote no access-log line")

    def from_every_worker(self, path):
        """Ask until every worker has answered; returns {pid: (status, headers, page)}.

        Which sync worker accepts a connection is the kernel's choice, and on a loaded machine
        one worker can take every request for a while (seen in CI: 200 in a row). So the bound
        is generous — 30 s, past the 20 s SQLite busy timeout a worker may be waiting out — and
        the test fails only if a worker never answers in that time."""
        answers, deadline = {}, time.monotonic() + 30
        while time.monotonic() < deadline:
            status, headers, page, pid = self.get(path)
            answers.setdefault(pid, []).append((status, headers, page))
            if len(answers) == WORKERS:
                return answers
        counts = {pid: len(got) for pid, got in answers.items()}
        raise AssertionError(f"only {len(answers)} of {WORKERS} workers answered: {counts}")

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def log_in(self):
        self.get("/admin/login/", self.editor)
        status, headers, _, _ = self.post(
            "/admin/login/", {"username": "zhubian", "password": PASSWORD, "next": "/admin/"}
        )
        assert status == 302 and headers["Location"] == "/admin/"

    def post(self, path, fields):
        token = next(c.value for c in self.cookies if c.name == "csrftoken")
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}).encode()
        self.requests += 1
        try:
            with self.editor.open(self.url(path), data=data, timeout=30) as r:
                answer = r.status, r.headers, r.read().decode()
        except urllib.error.HTTPError as error:
            answer = error.code, error.headers, error.read().decode()
        return (*answer, self.worker_of_last_request())

    def save_headline(self, article, headline):
        """An editor's save in the admin (every field as it was, a new headline), then the
        publishing of that working version, so that readers see it. (The form's version number
        comes from the template database: each test saves an item once.)"""
        with sqlite3.connect(f"file:{self.template}?mode=ro", uri=True) as db:
            row = db.execute(
                "SELECT kicker, subtitle, dateline, reporter_id, street_id, community_id, body,"
                " photo_caption, status, published_at, edit_version FROM news_article"
                " WHERE id = ?",
                (article,),
            ).fetchone()
        kicker, subtitle, dateline, reporter, street, community, body, caption, state, at = row[:10]
        opened_on = row[10]
        when = re.match(r"(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)", at)  # (UTC: a shift is fine)
        fields = {
            "kicker": kicker,
            "headline": headline,
            "subtitle": subtitle,
            "dateline": dateline,
            "reporter": reporter,
            "street": street or "",
            "community": community or "",
            "body": body,
            "photo_caption": caption,
            "photo_alt": "",
            "photo_credit": "",
            "status": state,
            "published_at_0": when[1],
            "published_at_1": when[2],
            "opened_on": opened_on,
        }
        status, _, page, _ = self.post(f"/admin/news/article/{article}/change/", fields)
        if status != 302 or state != "published":
            return status, page
        self.approve(article)
        publish = f"/admin/news/article/{article}/publish/"
        version = re.search(r'name="version" value="(\d+)"', self.get(publish, self.editor)[2])
        status, _, page, _ = self.post(publish, {"version": version[1], "correction": "标题有误"})
        return status, page

    def approve(self, article):
        """先审后发: the working version passes every review step (tests/review.py), in a
        process of its own on the site's database, as reviewers would in theirs."""
        code = (
            f"import django; django.setup(); from tests.review import approve; approve({article})"
        )
        subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=environment(self.folder),
            check=True,
            timeout=120,
            capture_output=True,
        )


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def site(tmp_path, template):
    site = Site(tmp_path, template)
    yield site
    site.stop()


def headline_of(page):
    return re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)[1].strip()


def copy_with_headline(database, folder, article, headline):
    """What an operator restores: a copy of the database with one headline different."""
    copy = folder / "restored.sqlite3"
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as source:
        with sqlite3.connect(copy) as target:
            source.backup(target)
    with sqlite3.connect(copy) as target:
        target.execute("UPDATE news_article SET headline = ? WHERE id = ?", (headline, article))
    target.close()
    return copy


def test_a_database_file_replaced_under_the_server_is_read_by_every_worker(site, tmp_path):
    before = site.from_every_worker("/news/1/")  # every worker holds a connection, has the page
    assert {headline_of(page) for answers in before.values() for _, _, page in answers} == {
        "打造特色服务 提升社工能力"
    }
    restored = copy_with_headline(site.template, tmp_path, 1, "备份里的标题")
    site.log_in()
    assert site.save_headline(1, "编辑刚保存的标题")[0] == 302  # in the WAL, unless emptied
    assert headline_of(site.get("/news/1/")[2]) == "编辑刚保存的标题"
    inode = os.stat(site.database).st_ino

    os.replace(restored, site.database)

    assert os.stat(site.database).st_ino != inode
    after = site.from_every_worker("/news/1/")
    for pid, answers in after.items():
        for status, _, page in answers:
            assert status == 200, pid
            assert headline_of(page) == "备份里的标题", pid  # never the old file's save
    for path in ("/", "/streets/", "/news/2/"):
        assert site.get(path)[0] == 200
    site.stop()
    with sqlite3.connect(site.database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT headline FROM news_article WHERE id = 1").fetchone() == (
            "备份里的标题",
        )


def test_a_database_file_moved_away_is_a_503_until_it_is_back_and_no_save_is_lost(site, tmp_path):
    site.from_every_worker("/news/1/")  # every worker holds a connection to the file
    site.log_in()
    assert site.save_headline(2, "搬走之前保存的标题")[0] == 302
    away = tmp_path / "away.sqlite3"

    os.rename(site.database, away)

    for pid, answers in site.from_every_worker("/news/3/").items():
        for status, headers, page in answers:
            assert status == 503, pid  # not a 500, and not an empty site
            assert headers["Retry-After"] == "30"
            assert "网站暂时无法访问" in page and "Traceback" not in page
    status, page = site.save_headline(2, "数据库不在时保存的标题")
    assert status == 503 and "网站暂时无法访问" in page  # the editor is not told it was saved
    assert not site.database.exists()  # no new, empty database was made at the path

    os.rename(away, site.database)

    for pid, answers in site.from_every_worker("/news/2/").items():
        for status, _, page in answers:
            assert status == 200, pid
            assert headline_of(page) == "搬走之前保存的标题", pid


@pytest.fixture
def sqlite_connection(django_db_blocker):
    """Connections through the site's SQLite engine to a file, outside the test database."""
    made = []

    def connect_to(path):
        handler = ConnectionHandler({"default": {"ENGINE": "pingcheng.sqlite", "NAME": str(path)}})
        made.append(handler["default"])
        return made[-1]

    with django_db_blocker.unblock():
        yield connect_to
        for connection in made:
            connection.close()


def test_a_server_never_creates_a_missing_database_file(tmp_path, monkeypatch, sqlite_connection):
    monkeypatch.setattr(site_sqlite, "_serving", True)
    connection = sqlite_connection(tmp_path / "db.sqlite3")
    with pytest.raises(OperationalError, match="unable to open database file"):
        connection.ensure_connection()
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("leftover", ["-wal", "-shm", "-journal"])
def test_a_command_never_creates_a_database_where_one_has_been(
    tmp_path, leftover, sqlite_connection
):
    """The file is away, but its WAL (saves not yet in the file) or index is still there:
    `migrate` or `backup_site` must not make a new database that would take them over."""
    (tmp_path / f"db.sqlite3{leftover}").write_bytes(b"")
    connection = sqlite_connection(tmp_path / "db.sqlite3")
    with pytest.raises(OperationalError, match="unable to open database file"):
        connection.ensure_connection()
    assert not (tmp_path / "db.sqlite3").exists()


def test_a_command_creates_a_fresh_database(tmp_path, sqlite_connection):
    connection = sqlite_connection(tmp_path / "db.sqlite3")  # `migrate` on a new machine
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE t (x)")
    connection.close()
    assert (tmp_path / "db.sqlite3").exists()


def test_on_postgresql_the_file_logic_is_absent(tmp_path):
    """With DATABASE_URL on PostgreSQL, Django's own backend is used, unchanged: persistent
    connections with health checks, and nothing of pingcheng/sqlite."""
    settings = subprocess.run(
        [
            sys.executable,
            "-c",
            "from pingcheng.settings import DATABASES as d; "
            "print(d['default']['ENGINE'], d['default']['CONN_MAX_AGE'], "
            "d['default']['CONN_HEALTH_CHECKS'], d['default'].get('OPTIONS'))",
        ],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k != "DJANGO_CONN_MAX_AGE"},
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/pc_dbfault",
            "DJANGO_VAR_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        check=True,
    )
    assert settings.stdout.split() == ["django.db.backends.postgresql", "60", "True", "None"]


@pytest.mark.django_db
def test_pages_and_saves_on_the_suite_database(admin_client, bulletin):
    """Whichever database the suite runs on (in-memory SQLite, or PostgreSQL where none of the
    file logic exists), the plumbing lets pages and saves through."""
    from django.db import connection

    from news.models import Article
    from tests.admin_forms import article_form

    assert hasattr(connection, "empty_wal") == (connection.vendor == "sqlite")
    assert admin_client.get("/news/1/").status_code == 200
    response = admin_client.post(
        "/admin/news/article/add/", article_form(headline="存得下", status="draft")
    )
    assert response.status_code == 302
    assert Article.objects.filter(headline="存得下").exists()
