"""deploy/nginx.conf, the real file, in front of a live gunicorn: what readers and editors get.

A private nginx (the recipe with only its CHANGE values pointed here) and gunicorn with
gunicorn.conf.py run as subprocesses on a throwaway site (its own SQLite file, whatever
DATABASE_URL the suite runs with). Without nginx these tests skip with a reason, except under
REQUIRE_NGINX=1 (set by .ci/run), where a missing nginx is a failure.

Timing-free where it can be: a key that was never stored answers MISS however long a test
takes, so "never stored" and "a different entry" are read from X-Micro-Cache; only "HIT on a
second request" retries, in case the machine stalls past the one-second lifetime.
"""

import gzip
import io
import os
import re
import subprocess
import sys
import time
import uuid

import pytest
from django.test import RequestFactory
from PIL import Image

from news import reading
from news.images import MAX_BYTES
from tests.nginx_site import NGINX, RECIPE, ROOT, running_site, stop

FRESHNESS = 2.0  # seconds within which an edit must show through nginx

pytestmark = pytest.mark.skipif(
    not NGINX and os.environ.get("REQUIRE_NGINX") != "1",
    reason="nginx is not installed (apt-get install nginx); REQUIRE_NGINX=1 makes this a failure",
)


@pytest.fixture(scope="module")
def site():
    if not NGINX:
        pytest.fail("REQUIRE_NGINX=1 but nginx is not installed (apt-get install nginx)")
    with running_site() as running:  # stops nginx and gunicorn by their pids, whatever happens
        yield running


def fresh(path="/"):
    """A URL nothing has asked for yet: the page at `path`, with a query Django ignores."""
    return f"{path}?probe={uuid.uuid4().hex[:12]}"


def repeat_until_hit(site, path, tries=5, **request):
    """A request, then the same again at once: the second must come from nginx's cache. A
    machine that stalls past the one-second lifetime gets a few more tries."""
    for _ in range(tries):
        first = site.get(path, **request)
        second = site.get(path, **request)
        if second.cache == "HIT":
            return first, second
    pytest.fail(f"{path}: the second request was never a HIT (last: {second.cache})")


# --- Freshness: the micro-cache keeps a page one second, whatever Django's max-age says -------

EDITOR = """
import sys
from news.models import Article
article = Article.objects.published().order_by("pk").first()
print("URL", article.get_absolute_url(), flush=True)
article.headline = sys.stdin.readline().strip()
article.save()
print("SAVED", flush=True)
"""


def lines_from(process, prefix):
    for line in process.stdout:
        if line.startswith(prefix):
            return line.split(maxsplit=1)[1:]
    pytest.fail(f"the editor's process ended without {prefix!r}")


def test_an_edit_shows_through_nginx_within_two_seconds(site):
    """An editor saves on one host: readers behind nginx see it within two seconds, though
    pages tell browsers max-age=60 (the old recipe kept them that long)."""
    editor = subprocess.Popen(
        [sys.executable, "manage.py", "shell", "-c", EDITOR],
        cwd=ROOT,
        env=site.env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        (url,) = lines_from(editor, "URL")
        url = url.strip()
        _, cached = repeat_until_hit(site, url)  # the old headline is in nginx's cache
        assert "max-age=60" in cached.headers["Cache-Control"]
        headline = f"平城区社区食堂开门了（{uuid.uuid4().hex[:6]}）"
        editor.stdin.write(headline + "\n")
        editor.stdin.flush()
        lines_from(editor, "SAVED")
        saved = time.monotonic()
        seen = []
        while headline not in (reply := site.get(url)).html:
            seen.append(reply.cache)
            if time.monotonic() - saved > FRESHNESS:
                pytest.fail(f"edit not shown through nginx after {FRESHNESS} s: {seen[-5:]}")
            time.sleep(0.05)
    finally:
        stop(editor)


# --- Compression: one entry per encoding actually sent -----------------------------------------

NOT_GZIP = [None, "identity", "br", "gzip;q=0"]


def assert_plain_html(reply, asked):
    assert reply.status == 200
    assert "Content-Encoding" not in reply.headers, f"Accept-Encoding {asked!r} got gzip"
    assert reply.body.lstrip().lower().startswith(b"<!doctype html>")


def assert_gzip_html(reply):
    assert reply.status == 200
    assert reply.headers.get("Content-Encoding") == "gzip"
    assert gzip.decompress(reply.body).lstrip().lower().startswith(b"<!doctype html>")


def test_clients_without_gzip_never_get_gzip_from_the_cache(site):
    path = fresh()
    assert_gzip_html(site.get(path, accept_encoding="gzip, deflate, br"))  # fills the cache
    for asked in NOT_GZIP:
        assert_plain_html(site.get(path, accept_encoding=asked), asked)
    _, again = repeat_until_hit(site, path, accept_encoding="gzip, deflate")
    assert_gzip_html(again)


def test_gzip_clients_get_gzip_after_a_plain_client_filled_the_cache(site):
    path = fresh()
    assert_plain_html(site.get(path), None)
    assert_gzip_html(site.get(path, accept_encoding="gzip"))
    _, again = repeat_until_hit(site, path)
    assert_plain_html(again, None)


# --- Reading choices: validated, one entry per variant Django renders ---------------------------

# (Cookie header, the classes the reader must get). Django reads a cookie only when its value
# is exactly one it knows (news/reading.py preferences()); anything else is the default.
READERS = [
    (None, "size-medium contrast-normal"),
    ("pc_size=medium; pc_contrast=normal", "size-medium contrast-normal"),
    ("pc_size=small", "size-small contrast-normal"),
    ("pc_size=large", "size-large contrast-normal"),
    ("pc_contrast=high", "size-medium contrast-high"),
    ("pc_size=small; pc_contrast=high", "size-small contrast-high"),
    ("pc_size=large; pc_contrast=high", "size-large contrast-high"),
    ("pc_pointer=large", "size-medium contrast-normal pointer-large"),
    ("pc_guide=on", "size-medium contrast-normal guide-on"),
    (
        "pc_size=large; pc_pointer=large; pc_guide=on",
        "size-large contrast-normal pointer-large guide-on",
    ),
]
VALID = {classes for _, classes in READERS}
ODD = [
    ("pc_size=largehigh", "size-medium contrast-normal"),  # the old key's "large"+"high"
    ("pc_size=large;pc_contrast=high", "size-large contrast-high"),
    ("pc_size=large|high", "size-medium contrast-normal"),
    ("pc_size=large high", "size-medium contrast-normal"),
    ("pc_size=huge; pc_contrast=dark", "size-medium contrast-normal"),
    ("pc_size=; pc_contrast=", "size-medium contrast-normal"),
    ("pc_size=LARGE; pc_contrast=HIGH", "size-medium contrast-normal"),  # Django: case counts
    ("pc_size=large%20; pc_contrast=high%00", "size-medium contrast-normal"),
    # Headers nginx and Django read differently (the first of two values or the last, quotes,
    # a space before ";", a comma, the name's case): the reader gets one valid variant, and
    # nobody else is affected, as Django is given the validated values, not the raw header.
    ("pc_size=small; pc_size=large", None),
    ('pc_size="large"; pc_contrast="high"', None),
    ("pc_size=large ; pc_contrast=high", None),
    ("x=1, pc_size=large", None),
    ("PC_SIZE=large", None),
]


def recipe_map(cookie):
    """(the values the recipe's map lets through for a cookie, the value anything else gets)"""
    found = re.search(rf"map \$cookie_{cookie} \$\w+ \{{(.*?)\}}", RECIPE.read_text(), re.S)
    assert found, f"deploy/nginx.conf has no map for the {cookie} cookie"
    values = re.findall(r"~\^(\w+)\$ \1;", found.group(1))
    return set(values), re.search(r"default (\w+);", found.group(1)).group(1)


def test_the_recipe_reads_the_choices_as_django_does():
    """The recipe knows exactly the cookies and values news/reading.py knows, with the same
    defaults."""
    default = reading.preferences(RequestFactory().get("/"))
    for choice in reading.CHOICES:
        assert recipe_map(choice.cookie) == (set(choice.options), default[choice.name])


@pytest.mark.parametrize("cookie, expected", ODD)
def test_odd_cookies_never_switch_reading_choices_for_others(site, cookie, expected):
    """A crafted cookie fills the cache first; then every reader must get the classes of their
    own valid choice — nobody may switch 长者模式 or the text size off for others. The crafted
    request must land in the entry of a valid choice: nonsense makes no entries of its own."""
    path = fresh()
    odd = site.get(path, cookie=cookie)
    assert odd.status == 200
    statuses = []
    for reader, classes in READERS:
        reply = site.get(path, cookie=reader)
        assert reply.classes == classes, f"after {cookie!r}, {reader!r} got {reply.classes!r}"
        statuses.append(reply.cache)
    assert set(statuses) != {"MISS"}, f"{cookie!r} was stored under a key no reader shares"
    assert odd.classes == expected if expected else odd.classes in VALID


@pytest.mark.parametrize(
    "choice", ["pc_size=small", "pc_contrast=high", "pc_pointer=large", "pc_guide=on"]
)
def test_each_valid_choice_has_its_own_entry_and_nonsense_shares_the_default(site, choice):
    """Every choice has entries of its own. A key never stored answers MISS however late it is
    asked; one that was stored never does."""
    path = fresh()
    assert site.get(path).cache == "MISS"  # the default entry, alone in the cache
    name = choice.split("=")[0]
    for nonsense in ("", "bogus", "LARGE", "ON", "High", "largehigh", "normal|large", "on1"):
        assert site.get(path, cookie=f"{name}={nonsense}").cache != "MISS", nonsense
    assert site.get(path, cookie=choice).cache == "MISS"  # a variant of its own


# --- Who is cached: anonymous pages for a second, editors never --------------------------------


def test_anonymous_pages_are_micro_cached(site):
    path = fresh("/news/1/")
    first, second = repeat_until_hit(site, path)
    assert second.body == first.body
    assert second.headers["Cache-Control"] == first.headers["Cache-Control"]
    assert "max-age=60" in second.headers["Cache-Control"]  # browsers keep Django's lifetime


def test_editors_pages_are_never_served_from_or_stored_in_the_cache(site):
    """A session cookie or the admin path: never from the cache, never into it, and never
    compressed by nginx (pages with a CSRF token beside echoed text: BREACH)."""
    path = fresh()
    for _ in range(3):
        reply = site.get(path, cookie="sessionid=abc123; pc_size=large", accept_encoding="gzip")
        assert reply.status == 200 and reply.cache == "BYPASS"
        assert "Content-Encoding" not in reply.headers
    login = "/admin/login/?next=/admin/"
    for cookie in (None, "csrftoken=" + "a" * 32, "pc_size=large"):
        for _ in range(3):
            reply = site.get(login, cookie=cookie, accept_encoding="gzip")
            assert reply.status == 200 and reply.cache == "BYPASS", cookie
            assert "Content-Encoding" not in reply.headers, cookie
    assert not [key for key in site.stored_keys() if "/admin/" in key or path in key]
    assert site.get(path, cookie="pc_size=large").cache == "MISS"  # nothing was stored

    # ... and the check above reads the right folder: the reader's page does appear there.
    deadline = time.monotonic() + 10
    while not [key for key in site.stored_keys() if path in key]:
        assert time.monotonic() < deadline, f"no entry for {path} in {site.cache_dir}"
        time.sleep(0.05)


# --- An upload over the limit ------------------------------------------------------------------


def big_photo(over):
    """A real JPEG from Pillow over `over` bytes: a 17-megapixel noise photo at quality 100."""
    image = Image.frombytes("RGB", (4800, 3600), os.urandom(4800 * 3600 * 3))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=100)
    data = buffer.getvalue()
    assert len(data) > over
    return data


def test_an_upload_over_the_limit_gets_a_chinese_page_that_says_go_back(site):
    size = re.search(r"client_max_body_size (\d+)m;", RECIPE.read_text())
    limit_mb = int(size.group(1))
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="headline"\r\n\r\n'
            f'区里的新公园\r\n--{boundary}\r\nContent-Disposition: form-data; name="photo"; '
            f'filename="park.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
        ).encode()
        + big_photo(limit_mb * 2**20)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    reply = site.get(
        "/admin/news/article/add/",
        method="POST",
        cookie="sessionid=abc123; csrftoken=" + "a" * 32,
        headers=[("Content-Type", f"multipart/form-data; boundary={boundary}")],
        body=body,
    )
    assert reply.status == 413
    assert reply.headers.get_content_type() == "text/html"
    assert reply.headers.get_content_charset() == "utf-8"
    page = reply.html
    assert '<html lang="zh-Hans">' in page
    assert f"{MAX_BYTES // 2**20} MB" in page  # the site's photo limit (news/images.py)
    assert f"{limit_mb} MB" in page  # what nginx lets through
    assert "返回" in page and "。" in page
    assert not re.search(r"\b(?:src|href|action)\s*=|url\(|@import", page), "outside resources"
