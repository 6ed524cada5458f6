"""The two cache backends the page cache runs on, each with a bound on what it can cost.

- `LocMemCache`: Django's local-memory cache, capped in bytes. Django's own limit counts entries
  (MAX_ENTRIES), and 5,000 entries of a 340 KB page are 1.7 GB per worker. This one counts
  the pickled size of what it holds and drops the least recently used entries to stay under
  OPTIONS["MAX_BYTES"]. Django's LocMemCache already keeps its entries in recency order; only
  the counting and the eviction loop are added, so no library is needed (cachetools' LRUCache
  would count sizes too, but it would replace Django's expiry, locking and pickling rather than
  add to them).
- `RedisCache`: Django's Redis cache behind a circuit breaker. A Redis that is gone or hangs
  costs one short timeout; then, for BREAKER_SECONDS, every operation fails at once without
  touching the network (the page cache serves from the database), with one warning in the log,
  no traceback. After the pause the next operation tries Redis again. Redis bounds its own
  memory with `maxmemory` (deploy/redis.conf); a deploy check warns when it has none.
"""

import functools
import logging
from collections import OrderedDict
from time import monotonic
from urllib.parse import urlsplit

import redis
from diskcache import DjangoCache
from django.core.cache import caches
from django.core.cache.backends import locmem
from django.core.cache.backends import redis as django_redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.checks import Tags, register
from django.core.checks import Warning as CheckWarning
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import cached_property

log = logging.getLogger(__name__)

# What an entry costs beyond its pickled bytes and its key: the str and bytes objects' headers,
# the ordered dict's node and slot, the expiry dict's slot and float. Measured roughly; it
# matters only for small entries.
ENTRY_OVERHEAD = 256


def entry_size(key, pickled):
    return len(pickled) + len(key) + ENTRY_OVERHEAD


class SizedStore(OrderedDict):
    """Django's local-memory store (an OrderedDict, most recent first) that counts its bytes.
    Django changes it only by item assignment, `del`, popitem() and clear()."""

    def __init__(self):
        super().__init__()
        self.bytes = 0

    def __setitem__(self, key, value):
        if key in self:
            self.bytes -= entry_size(key, self[key])
        super().__setitem__(key, value)
        self.bytes += entry_size(key, value)

    def __delitem__(self, key):
        self.bytes -= entry_size(key, self[key])
        super().__delitem__(key)

    def popitem(self, last=True):
        key, value = super().popitem(last)
        self.bytes -= entry_size(key, value)
        return key, value

    def pop(self, key, *default):
        if key in self:
            self.bytes -= entry_size(key, self[key])
        return super().pop(key, *default)

    def clear(self):
        super().clear()
        self.bytes = 0


class LocMemCache(locmem.LocMemCache):
    """Local memory, least recently used out first once OPTIONS["MAX_BYTES"] is reached."""

    def __init__(self, name, params):
        locmem._caches.setdefault(name, SizedStore())
        super().__init__(name, params)
        if not isinstance(self._cache, SizedStore):
            raise ImproperlyConfigured(f"local-memory cache {name!r} is already in use unbounded")
        self.max_bytes = int(params.get("OPTIONS", {})["MAX_BYTES"])

    @property
    def bytes(self):
        """What the entries cost now, by this cache's own accounting."""
        return self._cache.bytes

    def _set(self, key, value, timeout=DEFAULT_TIMEOUT):
        # (called with the lock held) Room first: the old value of this key, then the least
        # recently used entries, at the end of Django's recency order.
        self._delete(key)
        size = entry_size(key, value)
        if size > self.max_bytes:
            return  # larger than the whole cache: keeping it would empty the cache for nothing
        while self._cache.bytes + size > self.max_bytes:
            stale, _ = self._cache.popitem()
            del self._expire_info[stale]
        super()._set(key, value, timeout)


class CacheUnavailable(Exception):
    """The cache cannot be used now; what needs it should carry on without it."""


class CircuitBreaker:
    """Open after a failure: for `pause` seconds every call fails at once, without trying."""

    def __init__(self, name, pause):
        self.name, self.pause = name, pause
        self.open_until = None  # a monotonic() time while open

    def call(self, operation, *args, **kwargs):
        if self.open_until is not None and monotonic() < self.open_until:
            raise CacheUnavailable(f"{self.name}: circuit open")
        try:
            result = operation(*args, **kwargs)
        except (redis.RedisError, OSError) as error:
            self.open_until = monotonic() + self.pause
            # One line per pause and worker: the cause, not a traceback (it is always the same).
            log.warning(
                "Redis cache at %s failed (%s: %s); pages are served without the cache "
                "for %g s, then Redis is tried again.",
                self.name,
                type(error).__name__,
                error,
                self.pause,
            )
            raise CacheUnavailable(f"{self.name}: {error}") from None
        if self.open_until is not None:
            self.open_until = None
            log.info("Redis cache at %s answers again.", self.name)
        return result


class _Guarded:
    """A RedisCacheClient whose every operation goes through the breaker."""

    def __init__(self, client, breaker):
        self._client, self._breaker = client, breaker

    def __getattr__(self, name):
        return functools.partial(self._breaker.call, getattr(self._client, name))


def describe(server):
    """host:port/db of a Redis URL, without any password, for the log."""
    parts = urlsplit(server)
    return f"{parts.hostname}:{parts.port or 6379}{parts.path or '/0'}"


class RedisCache(django_redis.RedisCache):
    """Django's Redis cache with a circuit breaker (OPTIONS["BREAKER_SECONDS"], default 30).
    Keep the OPTIONS socket timeouts short: the first failure costs one of them."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        pause = float(options.pop("BREAKER_SECONDS", 30))
        super().__init__(server, {**params, "OPTIONS": options})
        self.breaker = CircuitBreaker(describe(self._servers[0]), pause)

    @cached_property
    def _cache(self):
        return _Guarded(self._class(self._servers, **self._options), self.breaker)

    def memory_settings(self):
        """Redis's INFO memory (maxmemory, maxmemory_policy, used_memory …)."""
        client = self._cache.get_client(None, write=True)  # (no network yet)
        return self.breaker.call(client.info, "memory")


@register(Tags.caches, deploy=True)
def check_redis_maxmemory(app_configs=None, **kwargs):
    """`check --deploy`: a Redis page cache must bound its memory and evict to stay in it.
    Without maxmemory, every distinct page stays for its 10 minutes however many there are;
    with `noeviction`, a full Redis refuses every new page."""
    warnings = []
    for alias in caches:
        backend = caches[alias]
        if not isinstance(backend, RedisCache):
            continue
        hint = "Set maxmemory and maxmemory-policy allkeys-lru, as in deploy/redis.conf."
        try:
            memory = backend.memory_settings()
        except CacheUnavailable as error:
            message = f"Could not ask the Redis of cache '{alias}' for its maxmemory: {error}."
            warnings.append(CheckWarning(message, hint=hint, id="news.W002"))
            continue
        if not int(memory.get("maxmemory", 0)):
            message = f"The Redis of cache '{alias}' ({backend.breaker.name}) has no maxmemory."
            warnings.append(CheckWarning(message, hint=hint, id="news.W001"))
        elif memory.get("maxmemory_policy") == "noeviction":
            message = f"The Redis of cache '{alias}' never evicts (maxmemory-policy noeviction)."
            warnings.append(CheckWarning(message, hint=hint, id="news.W001"))
    return warnings


class DiskCache(DjangoCache):
    """Pages and their page tags on one machine's disk, shared by every gunicorn worker: a page
    rendered once is served to all of them, and a save retires it in all of them at once
    (diskcache: SQLite files under the folder LOCATION, in SHARDS files so writers seldom wait).
    Capped in bytes (OPTIONS size_limit); the least recently stored entries go first. An entry
    that is gone is only rendered again: an evicted tag counts as changed (news/page_tags.py),
    and the generation lives in its own file (news/cache.py), never evicted."""

    def close(self, **kwargs):
        """Kept open. Django closes every cache after each request; for this store that meant
        opening each shard's SQLite file again on the next (a hit took 2.0 ms instead of 0.2).
        The connections are per thread and a sync worker has one."""
