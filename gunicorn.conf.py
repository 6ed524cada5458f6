"""gunicorn for 平城社区新闻: `make run` and production use this file (env overrides in caps).

Sync workers: every page is a short, CPU-bound render or a cache hit, and SQLite serialises
writes anyway. Two per core plus one keeps both cores busy while one worker waits on the disk.
"""

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
preload_app = True  # import Django once; the workers share the parent's memory pages
timeout = 30  # a request that takes longer is stuck: restart the worker
graceful_timeout = 30
keepalive = 5  # behind nginx, connections are reused
# Recycling workers would empty their local-memory page cache; off unless a leak is found.
max_requests = int(os.environ.get("MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# The control socket (`gunicornc -s var/gunicorn.ctl`): gunicorn's default is one path per user
# ($XDG_RUNTIME_DIR/gunicorn.ctl or ~/.gunicorn/gunicorn.ctl), which every gunicorn on the machine
# takes over from the last. This site's lives beside its database, owner-only (mode 0600).
var_dir = os.environ.get("DJANGO_VAR_DIR") or os.path.join(os.path.dirname(__file__), "var")
control_socket = os.path.join(os.path.abspath(var_dir), "gunicorn.ctl")


def when_ready(server):
    """The page cache on disk (and in Redis) outlives a restart: pages stored by the code or
    the data before it are retired before the first request (news/cache.py: a new generation).
    Once, in the master, not in every worker that starts."""
    from news.cache import invalidate

    invalidate()
