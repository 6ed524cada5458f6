"""HTTP concerns outside any one view: extra security headers, a database that is down."""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import render
from django.utils.cache import patch_cache_control

log = logging.getLogger(__name__)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class DatabaseUnavailableMiddleware:
    """The database unreachable or locked: a Chinese 503 page that asks the reader to come back,
    never a traceback. Nothing is kept broken: the next request opens a fresh connection, so
    the site recovers by itself when the database does."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        # (Django closes an unusable connection when the request ends: the next one reconnects.)
        log.error("database unavailable: %s", exception)
        response = render(request, "503.html", status=503)
        response["Retry-After"] = "30"
        patch_cache_control(response, no_store=True)
        return response


class PublicGZipMiddleware(GZipMiddleware):
    """gzip for public pages (a 14 KB listing travels as 2.5 KB to a phone on a slow network).
    Never for editors' pages: they carry a CSRF token, and compressing a secret beside text an
    attacker chooses is the BREACH attack. Static files come compressed from whitenoise."""

    def process_response(self, request, response):
        private = settings.SESSION_COOKIE_NAME in request.COOKIES
        if private or request.path.startswith("/" + settings.ADMIN_URL):
            return response
        return super().process_response(request, response)
