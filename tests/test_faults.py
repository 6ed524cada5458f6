"""Faults: the database down or locked, a full or read-only disk, a password-guessing attack."""

import errno
import json
import os
import selectors
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.db import OperationalError
from django.urls import reverse

from news.models import Article
from tests.admin_forms import article_form
from tests.images import phone_photo

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_a_locked_database_gets_a_chinese_503_not_a_traceback(client, bulletin, monkeypatch):
    from news.views import ArticleDetailView

    def locked(self, queryset=None):
        raise OperationalError("database is locked")

    monkeypatch.setattr(ArticleDetailView, "get_object", locked)
    client.raise_request_exception = False
    response = client.get("/news/1/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert "网站暂时无法访问" in html and "Traceback" not in html and "locked" not in html
    monkeypatch.undo()
    assert client.get("/news/1/").status_code == 200  # and the next request is fine again


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_unreachable_database_then_recovery_without_restart(tmp_path):
    """A real server whose database file cannot be opened answers 503 in Chinese; once the
    database is there, the same server serves the page."""
    database = tmp_path / "later" / "db.sqlite3"  # the folder does not exist yet
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_VAR_DIR": str(tmp_path / "var"),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "pingcheng.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                status, html = fetch(f"http://127.0.0.1:{port}/")
                break
            except OSError:
                time.sleep(0.1)
        assert status == 503 and "网站暂时无法访问" in html and "Traceback" not in html
        database.parent.mkdir()
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=120,
        )
        status, html = fetch(f"http://127.0.0.1:{port}/")
        assert status == 200 and "平城社区新闻" in html
    finally:
        server.terminate()
        server.wait(timeout=10)


def wait_for_line(process, text, timeout=60):
    """Read the process's stderr until a line holds `text`; fail if it exits or goes quiet."""
    reader = selectors.DefaultSelector()
    reader.register(process.stderr, selectors.EVENT_READ)
    seen = []
    while reader.select(timeout):
        line = process.stderr.readline()
        if not line:
            break
        seen.append(line)
        if text in line:
            return
    raise AssertionError(f"no “{text}” from the server; it said:\n{''.join(seen)}")


def test_two_sites_on_one_machine_never_share_a_control_socket(tmp_path):
    """gunicorn's default control socket is one path per user, which each new gunicorn takes
    over; with gunicorn.conf.py each site's is its own, in its var/, and answers for it."""
    runtime, home = tmp_path / "xdg", tmp_path / "home"
    runtime.mkdir(), home.mkdir()
    servers = {}
    try:
        for site in ("a", "b"):
            env = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "tests.settings",
                "DJANGO_VAR_DIR": str(tmp_path / site / "var"),
                "PORT": str(free_port()),
                "WORKERS": "1",
                "HOME": str(home),
                "XDG_RUNTIME_DIR": str(runtime),
            }
            servers[site] = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "pingcheng.wsgi", "-c", "gunicorn.conf.py"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            wait_for_line(servers[site], "Control socket listening at")
        for site, server in servers.items():
            socket_path = tmp_path / site / "var" / "gunicorn.ctl"
            assert socket_path.is_socket() and socket_path.stat().st_mode & 0o777 == 0o600
            gunicornc = [Path(sys.executable).parent / "gunicornc", "-s", socket_path, "-j"]
            answer = subprocess.run(
                [*gunicornc, "-c", "show stats"],
                capture_output=True,
                text=True,
                timeout=30,
                check=True,
            )
            assert json.loads(answer.stdout)["pid"] == server.pid  # this site's own master
        assert list(runtime.iterdir()) == [] and list(home.iterdir()) == []  # no shared default
    finally:
        for server in servers.values():
            server.terminate()
            server.wait(timeout=60)


@pytest.mark.django_db
@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS], ids=["disk-full", "read-only"])
@pytest.mark.parametrize("fail_at", [1, 3], ids=["first-file", "third-file"])
def test_full_or_read_only_disk_is_a_form_error_and_nothing_is_half_saved(
    admin_client, bulletin, monkeypatch, settings, code, fail_at
):
    real_save, calls = FileSystemStorage._save, []

    def failing_save(self, name, content):
        calls.append(name)
        if len(calls) >= fail_at:
            raise OSError(code, os.strerror(code))
        return real_save(self, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", failing_save)
    before = {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()}
    response = admin_client.post(
        reverse("admin:news_article_add"),
        article_form(headline="磁盘满时上传的稿件", photo=phone_photo()),
    )
    assert response.status_code == 200
    assert "图片没有保存：服务器的存储空间已满或暂时不能写入" in response.content.decode()
    assert not Article.objects.filter(headline="磁盘满时上传的稿件").exists()
    assert {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()} == before


@pytest.fixture
def guarded(settings, db):
    settings.AXES_ENABLED = True
    User.objects.create_user("wangbian", password="Right-password-2022", is_staff=True)
    User.objects.create_user("libian", password="Other-password-2022", is_staff=True)


def login(client, username, password, address="10.0.0.1"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


A_RIGHT = ("wangbian", "Right-password-2022")  # editor A
B_RIGHT = ("libian", "Other-password-2022")  # editor B
OFFICE = "10.0.0.1"  # the district office: every editor behind one public address


def logs_in(client, account, address=OFFICE):
    """Whether the right password gets in (then logged out again); False when locked (429)."""
    status = login(client, *account, address=address).status_code
    assert status in (302, 429), status
    client.logout()
    return status == 302


def fail(client, username, times, address=OFFICE):
    return [login(client, username, "wrong", address=address).status_code for _ in range(times)]


def test_five_failures_lock_that_account_from_that_address(client, guarded):
    assert fail(client, "wangbian", 5) == [200, 200, 200, 200, 429]  # the fifth locks
    locked = login(client, *A_RIGHT)
    assert locked.status_code == 429 and "登录已暂停" in locked.content.decode()


def test_five_failures_for_one_editor_do_not_lock_another_at_the_same_address(client, guarded):
    fail(client, "wangbian", 5)
    assert logs_in(client, B_RIGHT)
    assert not logs_in(client, A_RIGHT)


def test_five_failures_from_elsewhere_do_not_lock_the_account_here(client, guarded):
    """Whoever knows an editor's user name locks only their own attempts, not the editor."""
    fail(client, "wangbian", 5, address="203.0.113.9")
    assert logs_in(client, A_RIGHT)
    assert not logs_in(client, A_RIGHT, address="203.0.113.9")


def test_thirty_failures_from_one_address_lock_it_for_every_account(client, guarded):
    for n in range(29):  # a guesser trying many accounts, three at most each
        assert fail(client, f"guess{n % 10}", 1) == [200]
    assert logs_in(client, B_RIGHT)  # 29: not yet
    assert fail(client, "guess9", 1) == [429]  # the 30th (guess9's third) locks the address
    assert not logs_in(client, B_RIGHT)
    assert not logs_in(client, A_RIGHT)
    assert logs_in(client, A_RIGHT, address="10.0.0.3")  # only that address


def test_a_success_forgives_its_own_failures_only(client, guarded):
    fail(client, "wangbian", 4)
    fail(client, "libian", 4)
    assert logs_in(client, A_RIGHT)
    assert fail(client, "wangbian", 4) == [200] * 4  # A starts again from nothing
    assert logs_in(client, A_RIGHT)
    assert fail(client, "libian", 1) == [429]  # B's four still count: A's success is not B's


def test_an_administrator_unlocks_an_account_or_an_address(client, guarded):
    fail(client, "wangbian", 5)
    call_command("axes_reset_ip_username", OFFICE, "wangbian", stdout=StringIO())
    assert logs_in(client, A_RIGHT)
    for n in range(30):
        login(client, f"guess{n % 10}", "wrong")
    call_command("axes_reset_ip", OFFICE, stdout=StringIO())
    assert logs_in(client, B_RIGHT)


def test_behind_nginx_the_address_is_the_one_nginx_appended(client, guarded, settings):
    """nginx appends the client's address to X-Forwarded-For; what comes before it is the
    client's own to invent, so changing it for every guess helps nothing."""
    settings.BEHIND_PROXY = True

    def via_nginx(username, password, client_address, invented="198.51.100.1"):
        return client.post(
            reverse("admin:login"),
            {"username": username, "password": password, "next": "/admin/"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"{invented}, {client_address}",
        ).status_code

    statuses = [via_nginx("wangbian", "wrong", "203.0.113.5", f"10.9.9.{n}") for n in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    assert via_nginx(*A_RIGHT, "203.0.113.5") == 429
    assert via_nginx(*A_RIGHT, "203.0.113.6") == 302  # another client behind the same nginx


def test_without_a_proxy_x_forwarded_for_is_ignored(client, guarded):
    for n in range(5):
        client.post(
            reverse("admin:login"),
            {"username": "wangbian", "password": "wrong"},
            REMOTE_ADDR=OFFICE,
            HTTP_X_FORWARDED_FOR=f"10.9.9.{n}",
        )
    assert not logs_in(client, A_RIGHT)


def test_a_few_mistakes_do_not_lock_anyone_out(client, guarded):
    for _ in range(3):
        login(client, "wangbian", "wrong")
    assert login(client, "wangbian", "Right-password-2022").status_code == 302
