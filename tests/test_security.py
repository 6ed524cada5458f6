"""Production safety: `check --deploy` with the README's settings, and the security headers."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "pingcheng.settings",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "news.example.cn",
    "DJANGO_HTTPS": "1",
    "DJANGO_BEHIND_PROXY": "1",
    "DJANGO_ADMIN_URL": "bianji-7f3k/",
    "DJANGO_SITE_URL": "https://news.example.cn",
}

NOT_PRODUCTION = {"DJANGO_ALLOW_ASYNC_UNSAFE", "REDIS_URL"}


def manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        # (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for the whole run; check --deploy
        # rightly warns about it, and production never has it. The tests' REDIS_URL is not
        # production's either: tests/test_cache_store.py checks one with and without a bound.)
        env={**{k: v for k, v in os.environ.items() if k not in NOT_PRODUCTION}, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_fails_without_https_settings():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", **{**PRODUCTION, "DJANGO_HTTPS": "0"}
    )
    assert result.returncode != 0
    assert "SECURE_HSTS_SECONDS" in result.stdout + result.stderr


@pytest.mark.django_db
def test_every_page_carries_the_security_headers(client, bulletin):
    response = client.get("/news/1/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert "geolocation=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_admin_path_is_configurable():
    result = manage(
        "shell",
        "-c",
        "from django.urls import reverse; print(reverse('admin:index'))",
        DJANGO_SETTINGS_MODULE="tests.settings",
        DJANGO_ADMIN_URL="bianji-7f3k/",
    )
    assert result.stdout.strip().splitlines()[-1] == "/bianji-7f3k/", result.stderr


@pytest.mark.django_db
def test_public_pages_are_compressed_and_editors_pages_are_not(client, admin_client, bulletin):
    import gzip

    response = client.get("/streets/yingbin/", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert "迎宾街道" in gzip.decompress(response.content).decode()
    assert "Accept-Encoding" in response["Vary"]
    editor = admin_client.get("/admin/", HTTP_ACCEPT_ENCODING="gzip")
    assert "Content-Encoding" not in editor
    staff_page = admin_client.get("/streets/yingbin/", HTTP_ACCEPT_ENCODING="gzip")
    assert "Content-Encoding" not in staff_page
