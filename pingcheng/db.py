"""The database as the site's plumbing sees it: a database that is away gets a 503, and an
editor's save is in the SQLite file itself before the editor is told it is saved."""

import logging

from django.db import InterfaceError, OperationalError, connections
from django.shortcuts import render
from django.utils.cache import patch_cache_control

log = logging.getLogger(__name__)


class SavedToFileMiddleware:
    """Outermost: after everything else has written (the session, the admin's history), the
    SQLite WAL is copied into the main file and emptied before the answer goes out, so a file
    copied or replaced right after an editor's save holds it, and a file put in its place is
    never read through the old file's WAL (pingcheng/sqlite/). No-op on PostgreSQL."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        for connection in connections.all(initialized_only=True):
            if empty_wal := getattr(connection, "empty_wal", None):
                empty_wal()
        return response


class DatabaseUnavailableMiddleware:
    """The database unreachable, locked, or its file away: a Chinese 503 page that asks the
    reader to come back, never a traceback. Nothing is kept broken: Django closes a connection
    that failed, and a SQLite connection whose file was moved or replaced, before the next
    request, which opens the file that is there; so the site recovers by itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        log.error("database unavailable: %s", exception)
        response = render(request, "503.html", status=503)
        response["Retry-After"] = "30"
        patch_cache_control(response, no_store=True)
        return response
