"""Test settings: the production settings, with what tests must not depend on swapped out."""

import os
import tempfile
from pathlib import Path

from pingcheng.settings import *  # noqa: F403

# No collectstatic in tests: the manifest storage would 404 every static file.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static/ as it is now, never a stale collectstatic copy from var/static.
STATIC_ROOT = tempfile.mkdtemp(prefix="pingcheng-test-static-")
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Uploaded photos go to a throwaway folder, never into var/media.
MEDIA_ROOT = tempfile.mkdtemp(prefix="pingcheng-test-media-")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Most tests look at freshly rendered pages; tests/test_cache.py turns the page cache on.
PAGE_CACHE = False
AXES_ENABLED = False  # tests/test_faults.py turns it on; client.login() cannot pass a request
# (a second process in tests/test_cache.py is told which file the test uses)
PAGE_GENERATION_FILE = Path(
    os.environ.get("PINGCHENG_TEST_GENERATION_FILE")
    or Path(tempfile.mkdtemp(prefix="pingcheng-test-gen-")) / "page-generation.json"
)
if CACHES["default"]["BACKEND"] == "news.cache_store.RedisCache":  # noqa: F405 (REDIS_URL set)
    # The test Redis is shared with other runs and may pause longer than production's timeout;
    # one pause must not open the breaker on every test after it. The tests of timeouts and of
    # the breaker (tests/test_cache_store.py) configure their own.
    CACHES["default"]["OPTIONS"].update(  # noqa: F405
        socket_connect_timeout=2, socket_timeout=2, BREAKER_SECONDS=0
    )
# Not the test client's host (testserver): tests can tell that a printed address and its QR code
# come from the setting, never from a request.
SITE_URL = "https://news.example.cn"
if CACHES["default"]["BACKEND"] == "news.cache_store.DiskCache":  # noqa: F405 (no REDIS_URL)
    # Never var/page-cache: each run its own folder (a second process in tests/test_cache.py is
    # told which).
    CACHES["default"]["LOCATION"] = os.environ.get(  # noqa: F405
        "PINGCHENG_TEST_PAGE_CACHE"
    ) or tempfile.mkdtemp(prefix="pingcheng-test-pages-")
