"""The cache backends' bounds (news/cache_store.py): local memory capped in bytes, a Redis that
hangs or refuses costing one timeout and one log line, and the deploy check on maxmemory."""

import logging
import os
import pickle
import shutil
from pathlib import Path

import pytest
import redis
from django.core.cache import cache, caches
from django.core.checks import Tags, run_checks

from news import cache_store
from news.models import Article
from tests.fake_redis import FakeRedis, free_port, private_redis
from tests.test_cache import REDIS_URL, redis_available
from tests.test_security import PRODUCTION, manage

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024


def locmem(name, max_bytes):
    return {
        "BACKEND": "news.cache_store.LocMemCache",
        "LOCATION": name,
        "OPTIONS": {"MAX_BYTES": max_bytes},
    }


def redis_at(url):
    return {
        "BACKEND": "news.cache_store.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": "pingcheng",
        # (longer than production's: when Redis is back, it is the shared test Redis, which
        # may be slow for a moment; a hanging server costs the test this once per pause)
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }


def require_redis():
    if not redis_available():
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"REQUIRE_REDIS=1 but no Redis at {REDIS_URL}")
        pytest.skip(f"no Redis at {REDIS_URL}")


TEST_REDIS = redis.connection.parse_url(REDIS_URL)


def upstream():
    """(host, port) of the test Redis, for a FakeRedis to forward to."""
    return TEST_REDIS.get("host", "127.0.0.1"), TEST_REDIS.get("port", 6379)


def redis_url(port):
    """A Redis URL on our own loopback `port`, naming the test Redis's database."""
    return f"redis://127.0.0.1:{port}/{TEST_REDIS.get('db', 0)}"


# --- Local memory: the byte cap ----------------------------------------------------------------


def test_the_byte_count_follows_every_change(settings):
    settings.CACHES = {"default": locmem("count", 10 * MB)}
    cache.set("a", "x" * 1000)
    cache.set("b", b"y" * 5000, timeout=0)  # expires at once
    cache.set("a", "x" * 3000)  # replaced: the old size no longer counts
    cache.add("c", 1)
    cache.incr("c", 41)
    cache.set_many({"d": [1, 2, 3], "e": "é" * 100})
    cache.delete("d")
    assert cache.get("b") is None  # expired, and removed on the way
    store = cache._cache
    assert cache.bytes == sum(cache_store.entry_size(k, v) for k, v in store.items()) > 3000
    assert store.keys() == {":1:a", ":1:c", ":1:e"}
    cache.clear()
    assert cache.bytes == 0


def test_the_byte_cap_holds_and_the_least_recently_used_go_first(settings):
    settings.CACHES = {"default": locmem("cap", 1 * MB)}
    page = b"p" * 100_000
    per_page = cache_store.entry_size(":1:page-0", pickle.dumps(page, pickle.HIGHEST_PROTOCOL))
    fit = MB // per_page
    for n in range(fit):
        cache.set(f"page-{n}", page)
    assert cache.get("page-0") == page  # read now: the most recently used
    cache.set(f"page-{fit}", page)
    assert cache.get("page-0") == page and cache.get("page-1") is None
    for n in range(fit + 1, 40):
        cache.set(f"page-{n}", page)
        assert cache.bytes <= 1 * MB
    kept = [n for n in range(40) if cache.get(f"page-{n}") is not None]
    assert kept == list(range(40 - fit, 40))  # the newest still hit


def test_an_entry_larger_than_the_whole_cache_is_not_kept(settings):
    settings.CACHES = {"default": locmem("huge", 1 * MB)}
    cache.set("small", "s")
    cache.set("huge", b"h" * (2 * MB))
    assert cache.get("huge") is None and cache.get("small") == "s"


def test_the_cap_holds_under_a_flood_of_big_pages(client, settings, make_article, tmp_path):
    """Big pages through the page cache: two 300 KB articles in all six 字号/长者模式 variants
    are 3.6 MB of pages for a 2 MB cache."""
    settings.CACHES = {"default": locmem("flood", 2 * MB)}
    settings.PAGE_CACHE = True
    settings.PAGE_GENERATION_FILE = tmp_path / "page-generation.json"
    paragraph = "社区网格员逐户走访，登记独居老人的需求，帮助解决生活中的难题。" * 16
    urls = [
        make_article(headline=f"长稿{n}", body="\n\n".join([paragraph] * 200)).get_absolute_url()
        for n in range(2)
    ]
    served = []
    for url in urls:
        for size in ("small", "medium", "large"):
            for contrast in ("normal", "high"):
                client.cookies["pc_size"], client.cookies["pc_contrast"] = size, contrast
                response = client.get(url)
                assert response["X-Page-Cache"] == "miss" and len(response.content) > 300_000
                assert caches["default"].bytes <= 2 * MB
                served.append((url, size, contrast))

    def again(url, size, contrast):
        client.cookies["pc_size"], client.cookies["pc_contrast"] = size, contrast
        return client.get(url)["X-Page-Cache"]

    assert again(*served[-1]) == "hit" and again(*served[-2]) == "hit"
    assert again(*served[0]) == "miss"  # the oldest made room


# --- Redis: the circuit breaker ----------------------------------------------------------------


class Clock:
    """The breaker's clock, moved by the test instead of waited for."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(cache_store, "monotonic", clock)
    return clock


@pytest.fixture
def network(monkeypatch):
    """Counts what the Redis client does on the network: sockets opened, commands sent."""
    counts = {"connects": 0, "commands": 0}
    connect = redis.connection.Connection._connect
    send = redis.connection.AbstractConnection.send_packed_command

    def counting_connect(self):
        counts["connects"] += 1
        return connect(self)

    def counting_send(self, *args, **kwargs):
        counts["commands"] += 1
        return send(self, *args, **kwargs)

    monkeypatch.setattr(redis.connection.Connection, "_connect", counting_connect)
    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counting_send)
    return counts


@pytest.fixture
def hanging():
    server = FakeRedis(upstream=upstream(), mode="hang")
    yield server
    server.close()


def serve_without_cache(client, times=5):
    for _ in range(times):
        response = client.get("/news/7/")
        assert response.status_code == 200 and "清理枯树" in response.content.decode()
        assert "X-Page-Cache" not in response


def breaker_warnings(caplog):
    records = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert all(r.name == "news.cache_store" and r.exc_info is None for r in records), records
    assert "Traceback" not in caplog.text
    return records


@pytest.fixture
def site(settings, bulletin, tmp_path, caplog):
    if redis_available():  # no page stored by an earlier test (the FakeRedis proxies reach it)
        redis.Redis.from_url(REDIS_URL).flushdb()
    settings.PAGE_CACHE = True
    settings.PAGE_GENERATION_FILE = tmp_path / "page-generation.json"
    caplog.set_level(logging.WARNING)
    return settings


def test_a_hanging_redis_costs_one_timeout_then_is_left_alone(
    client, site, hanging, clock, network, caplog
):
    site.CACHES = {"default": redis_at(hanging.url)}
    serve_without_cache(client, times=1)  # the one timeout
    assert network["connects"] == 1 and hanging.accepted == 1
    used = dict(network)
    serve_without_cache(client, times=20)
    assert network == used  # the breaker is open: no network at all
    [warning] = breaker_warnings(caplog)
    assert "TimeoutError" in warning.getMessage() and f":{hanging.port}/0" in warning.getMessage()

    clock.now += 31  # the pause is over: one more try, one more timeout, one more line
    serve_without_cache(client, times=10)
    assert network["connects"] == 2 and network["commands"] == 2 * used["commands"]
    assert len(breaker_warnings(caplog)) == 2


def test_a_refusing_redis_costs_one_attempt_then_is_left_alone(
    client, site, clock, network, caplog
):
    site.CACHES = {"default": redis_at(redis_url(free_port()))}
    serve_without_cache(client, times=20)
    assert network == {"connects": 1, "commands": 0}
    [warning] = breaker_warnings(caplog)
    assert "ConnectionError" in warning.getMessage()


@pytest.mark.parametrize("failure", ["hang", "refuse"])
def test_the_breaker_closes_when_redis_is_back(client, site, clock, caplog, failure):
    require_redis()
    port = free_port()
    hanging = FakeRedis(upstream=upstream(), port=port) if failure == "hang" else None
    site.CACHES = {"default": redis_at(redis_url(port))}
    serve_without_cache(client)
    if hanging:
        hanging.close()
    back = FakeRedis(upstream=upstream(), port=port, mode="proxy")  # Redis answers again
    try:
        serve_without_cache(client)  # still within the pause
        clock.now += 31
        assert client.get("/news/7/")["X-Page-Cache"] == "miss"
        assert client.get("/news/7/")["X-Page-Cache"] == "hit"
    finally:
        back.close()
    assert len(breaker_warnings(caplog)) == 1


def test_a_save_while_redis_is_unreachable_still_retires_the_pages(
    client, site, clock, django_capture_on_commit_callbacks
):
    """The editor's save could not reach Redis, but Redis kept the old pages (a partition, not a
    restart): the first request that reaches Redis again must not be served them."""
    require_redis()
    server = FakeRedis(upstream=upstream(), mode="proxy")
    site.CACHES = {"default": redis_at(redis_url(server.port))}
    try:
        client.get("/news/2/")
        assert client.get("/news/2/")["X-Page-Cache"] == "hit"
        server.mode = "hang"
        for sock in server.sockets:
            sock.close()  # the pooled connection breaks; the next one hangs
        serve_without_cache(client, times=1)
        article = Article.objects.get(pk=2)
        article.headline = "文艺演出庆国庆"
        with django_capture_on_commit_callbacks(execute=True):
            article.save()
        server.mode = "proxy"
        clock.now += 31
        response = client.get("/news/2/")
    finally:
        server.close()
    assert response["X-Page-Cache"] == "miss" and "文艺演出庆国庆" in response.content.decode()


# --- Redis: maxmemory, checked under `check --deploy` ------------------------------------------


@pytest.fixture
def redis_server():
    if shutil.which("redis-server") is None:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail("REQUIRE_REDIS=1 but no redis-server to start")
        pytest.skip("no redis-server to start")
    return private_redis


def deploy_warnings():
    """The ids of our warnings from the checks `manage.py check --deploy` runs."""
    found = run_checks(tags=[Tags.caches], include_deployment_checks=True)
    return [w.id for w in found if w.id.startswith("news.")]


def test_the_recipe_bounds_redis_and_the_check_is_satisfied(settings, tmp_path, redis_server):
    with redis_server(tmp_path, ROOT / "deploy" / "redis.conf") as port:
        settings.CACHES = {"default": redis_at(redis_url(port))}
        memory = caches["default"].memory_settings()
        assert memory["maxmemory"] == 256 * MB and memory["maxmemory_policy"] == "allkeys-lru"
        assert deploy_warnings() == []
        result = manage(
            "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION, REDIS_URL=redis_url(port)
        )
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "options, expected",
    [((), ["news.W001"]), (("--maxmemory", "64mb"), ["news.W001"])],
    ids=["no maxmemory", "noeviction"],
)
def test_a_redis_without_a_bound_is_reported(settings, tmp_path, redis_server, options, expected):
    policy = ("--maxmemory-policy", "noeviction")
    with redis_server(tmp_path, *options, *policy) as port:
        settings.CACHES = {"default": redis_at(redis_url(port))}
        assert deploy_warnings() == expected
        result = manage(
            "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION, REDIS_URL=redis_url(port)
        )
        assert result.returncode != 0 and "news.W001" in result.stderr


def test_an_unreachable_redis_is_reported(settings):
    settings.CACHES = {"default": redis_at(redis_url(free_port()))}
    assert deploy_warnings() == ["news.W002"]


def test_the_disk_store_holds_its_cap_under_a_flood(settings, tmp_path):
    """The shared disk store (the default on one machine) keeps at most its size_limit of
    entries however many distinct pages are stored: 40 MB of pages into a 4 MB store."""
    settings.CACHES = {
        "default": {
            "BACKEND": "news.cache_store.DiskCache",
            "LOCATION": str(tmp_path / "pages"),
            "SHARDS": 2,
            "OPTIONS": {"size_limit": 4 * MB},
        }
    }
    page = b"p" * (100 * 1024)
    for n in range(400):
        cache.set(f"page:{n}", page)
    store = caches["default"]._cache
    assert store.volume() <= 6 * MB  # the SQLite files: the entries and their pages' slack
    kept = sum(1 for n in range(400) if cache.get(f"page:{n}") is not None)
    assert 0 < kept <= 4 * MB // len(page)
    assert cache.get("page:399") == page  # the newest stay
