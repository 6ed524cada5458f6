"""Settings for 平城社区新闻: one file, driven by environment variables, safe by default.

Nothing needs configuring for the single-machine default (`make run`): SQLite and media live
in `var/`, and a secret key is generated there once. Production overrides come from the
environment only; the README lists every variable.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("DJANGO_VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default=False):
    return os.environ.get(name, "1" if default else "0").strip().lower() in {
        "1",
        "true",
        "yes",
        "on",
    }


def env_list(name, default):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key():
    """DJANGO_SECRET_KEY if set; otherwise a key generated once and kept in var/secret_key."""
    if key := os.environ.get("DJANGO_SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two workers starting at once must not each write a different key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DJANGO_DEBUG")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "axes",
    "news",
    "reversion",
    "newsroom",
]

MIDDLEWARE = [
    "pingcheng.db.SavedToFileMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "news.http.PublicGZipMiddleware",
    "news.http.SecurityHeadersMiddleware",
    "news.cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "news.reading.ReadingPreferencesMiddleware",
    "csp.middleware.CSPMiddleware",
    "pingcheng.db.DatabaseUnavailableMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Admin login brute force (django-axes, pingcheng/lockout.py): five failures for one account
# from one address lock that account from that address; 30 from one address, for any accounts,
# lock the address. For 15 minutes after the last failure; a success forgives its own pair's.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env_bool("DJANGO_AXES", default=True)
AXES_HANDLER = "pingcheng.lockout.PairAndAddressHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = 5  # per (account, address)
LOGIN_ADDRESS_FAILURE_LIMIT = 30  # per address, all accounts together
AXES_COOLOFF_TIME = 0.25  # hours
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "axes_lockout.html"
AXES_CLIENT_IP_CALLABLE = "pingcheng.lockout.client_address"  # nginx's X-Forwarded-For entry

ROOT_URLCONF = "pingcheng.urls"
WSGI_APPLICATION = "pingcheng.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "news.reading.context",
                "news.metadata.context",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, plus: a web server never creates the file, connections follow a file
    # that is moved or replaced, and the WAL is emptied after writes (pingcheng/sqlite/).
    # Connections are kept like PostgreSQL's: opening one costs ~1 ms of CPU a request
    # (bench/db_connection.py). WAL lets readers and the editor's writes proceed side by side
    # under several gunicorn workers; IMMEDIATE avoids "database is locked" on write
    # transactions that start as reads.
    DATABASES["default"]["ENGINE"] = "pingcheng.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# Our own zh_Hans strings first: where Django's Chinese catalogue leaves the admin in English
# or with half-width punctuation (locale/zh_Hans/LC_MESSAGES/*.po, compiled .mo committed).
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", VAR_DIR / "media"))
# Single-machine default: Django serves uploaded photos itself, only those of items the public
# can see (news/media.py). Behind nginx, DJANGO_MEDIA_ACCEL_REDIRECT=/internal-media/ keeps the
# check in Django and lets nginx send the file (deploy/nginx.conf). DJANGO_SERVE_MEDIA=0 leaves
# /media/ to a proxy or object storage entirely: then a taken-down item's photos stay online.
SERVE_MEDIA = env_bool("DJANGO_SERVE_MEDIA", default=True)
MEDIA_ACCEL_REDIRECT = os.environ.get("DJANGO_MEDIA_ACCEL_REDIRECT", "")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# The admin lives at /admin/ unless production moves it out of the way of scanners.
ADMIN_URL = os.environ.get("DJANGO_ADMIN_URL", "admin/").strip("/") + "/"

SITE_NAME = "平城社区新闻"
# The site's public address (scheme, host and port, no path): what a printed page's QR code
# encodes (news/qr.py), so it is made once when an item is published, not from the Host header
# of some reader's request, which a client can forge. The default suits `make run`.
SITE_URL = os.environ.get("DJANGO_SITE_URL", "http://127.0.0.1:8000").strip().rstrip("/")

# --- 先审后发 (newsroom/review.py) --------------------------------------------------------------
# How many review levels the district uses: 1 = 终审 only, 2 = 初审 + 终审, 3 = 初审 + 复审 + 终审.
NEWSROOM_REVIEW_LEVELS = int(os.environ.get("NEWSROOM_REVIEW_LEVELS", "3"))
# Whoever acted at one step (the writer who submitted, a reviewer who passed) may not pass the next.
NEWSROOM_NO_SELF_APPROVAL = env_bool("NEWSROOM_NO_SELF_APPROVAL", default=True)
# Review notices (newsroom/notices.py): printed to the console unless SMTP is configured.
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "webmaster@localhost")

# --- Security --------------------------------------------------------------------------------
# Served over HTTPS (DJANGO_HTTPS=1): redirect, secure cookies, HSTS. Behind a proxy that ends
# TLS (the nginx recipe in deploy/), DJANGO_BEHIND_PROXY=1 trusts its X-Forwarded-Proto, and
# the client address it appends to X-Forwarded-For (pingcheng/lockout.py).
HTTPS = env_bool("DJANGO_HTTPS")
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY")
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = HTTPS
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Nothing inline, nothing from elsewhere: scripts and styles are our own files; images may be
# data: URIs (the QR codes). JSON-LD is a data block, not a script the browser runs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
)

# --- Cache -----------------------------------------------------------------------------------
# Pages and their page tags: on one machine, on disk, shared by every gunicorn worker (a page is
# rendered once for all; a save retires exactly its pages in all of them); Redis, shared by every
# gunicorn host, when REDIS_URL is set; or each worker's own memory (DJANGO_PAGE_CACHE_STORE=
# memory; every save then retires every page). Chosen by figures: README, "One cache for every
# worker". Fragments (news/fragments.py), keyed on what they show and so never stale, stay in
# each worker's memory, the fastest to fill. All are bounded (news/cache_store.py): memory by
# DJANGO_PAGE_CACHE_MAX_MB per worker, the disk store by the same figure in all, Redis by its
# own maxmemory (deploy/redis.conf; `check --deploy` warns without one). A Redis that is
# gone or hangs must not stop the site: short timeouts, no retries, and a circuit breaker that
# then skips the cache for 30 s (one warning in the log), serving pages from the database.
PAGE_CACHE_MAX_BYTES = int(os.environ.get("DJANGO_PAGE_CACHE_MAX_MB", "64")) * 1024 * 1024
PAGE_CACHE_STORE = os.environ.get("DJANGO_PAGE_CACHE_STORE", "disk")
if PAGE_CACHE_STORE not in {"disk", "memory"}:
    raise ImproperlyConfigured("DJANGO_PAGE_CACHE_STORE is disk or memory")
# 100 ms: a hanging Redis costs each worker that once per pause. 50 ms tripped the breaker for
# nothing on a saturated 2-core machine (bench/cache_memory.py, README), 30 s without cache each.
REDIS_TIMEOUT = int(os.environ.get("DJANGO_REDIS_TIMEOUT_MS", "100")) / 1000
MEMORY_CACHE = {
    "BACKEND": "news.cache_store.LocMemCache",
    "LOCATION": "pingcheng",
    # MAX_BYTES is the bound; MAX_ENTRIES only keeps Django's cull from firing first.
    "OPTIONS": {"MAX_BYTES": PAGE_CACHE_MAX_BYTES, "MAX_ENTRIES": 1_000_000},
}
if REDIS_URL := os.environ.get("REDIS_URL"):
    PAGE_STORE = {
        "BACKEND": "news.cache_store.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "pingcheng",
        "OPTIONS": {
            "socket_connect_timeout": REDIS_TIMEOUT,
            "socket_timeout": REDIS_TIMEOUT,
            "BREAKER_SECONDS": 30,
        },
    }
elif PAGE_CACHE_STORE == "disk":
    PAGE_STORE = {
        "BACKEND": "news.cache_store.DiskCache",
        "LOCATION": str(VAR_DIR / "page-cache"),
        "SHARDS": 4,
        "OPTIONS": {"size_limit": PAGE_CACHE_MAX_BYTES},
    }
else:
    PAGE_STORE = MEMORY_CACHE
CACHES = {"default": PAGE_STORE, "fragments": {**MEMORY_CACHE, "LOCATION": "fragments"}}
PAGE_CACHE = env_bool("DJANGO_PAGE_CACHE", default=True)
# With local-memory caches: the file through which every worker learns of a change.
PAGE_GENERATION_FILE = VAR_DIR / "page-generation.json"
PAGE_CACHE_SECONDS = int(os.environ.get("DJANGO_PAGE_CACHE_SECONDS", "600"))
# Seconds by which the clocks of web servers sharing one Redis may differ (news/page_tags.py);
# 0 on one machine.
PAGE_CACHE_CLOCK_SKEW = float(os.environ.get("DJANGO_PAGE_CACHE_CLOCK_SKEW", "0"))
# Cards and article bodies (news/fragments.py) are keyed on what they show, so they never go
# stale; this only bounds how long an unused one stays before the byte cap would drop it.
FRAGMENT_CACHE_SECONDS = int(os.environ.get("DJANGO_FRAGMENT_CACHE_SECONDS", "86400"))
PAGE_MAX_AGE = int(os.environ.get("DJANGO_PAGE_MAX_AGE", "60"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
