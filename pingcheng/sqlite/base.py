"""Django's SQLite backend, following the file at the path (why: pingcheng/sqlite/__init__.py)."""

import logging
import os
from urllib.parse import quote

from django.db.backends.sqlite3 import base

from . import database_replaced, is_serving

log = logging.getLogger(__name__)
# Beside a database that exists or existed: its unsaved writes, and its shared WAL index.
TRACES = ("", "-wal", "-shm", "-journal")


def file_identity(path):
    """(device, inode) of the file at `path`, or None when nothing is there."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_dev, found.st_ino


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.opened_file = None  # the file the open connection reads
        self.known_file = None  # the database file this process last found at the path
        self.wal_dirty = False  # written since the WAL was last emptied
        self.changes_seen = 0

    @property
    def path(self):
        """The database file's path; None for an in-memory database or a URI given as NAME."""
        name = str(self.settings_dict["NAME"])
        return None if self.is_in_memory_db() or name.startswith("file:") else name

    def get_connection_params(self):
        params = super().get_connection_params()
        path = self.path
        creates = path and not is_serving() and not any(os.path.lexists(path + t) for t in TRACES)
        if path and not creates:
            # mode=rw: open the file that is there, or fail ("unable to open database file").
            params["database"] = f"file:{quote(os.path.abspath(path))}?mode=rw"
        return params

    def get_new_connection(self, conn_params):
        # Looked at before opening: if the file is replaced in between, the next check sees a
        # different file and reconnects. Looked at afterwards, a connection to the old file
        # could be taken for one to the new.
        before = self.path and file_identity(self.path)
        connection = super().get_new_connection(conn_params)
        if self.path:
            self.opened_file = before or file_identity(self.path)  # or the one just created
            self._found(self.opened_file)
            self.changes_seen, self.wal_dirty = connection.total_changes, False
        return connection

    def is_usable(self):
        """Django's health check (CONN_HEALTH_CHECKS), before a request's first query."""
        return self.path is None or file_identity(self.path) == self.opened_file

    def close_if_unusable_or_obsolete(self):
        """Django calls this at the start and the end of every request."""
        self.empty_wal()
        super().close_if_unusable_or_obsolete()
        if self.path is None:
            return
        current = file_identity(self.path)
        if self.connection is not None and current != self.opened_file:
            log.warning("the database file at %s was moved or replaced: reconnecting", self.path)
            self.close()
        self._found(current)

    def _close(self):
        self.empty_wal()
        super()._close()

    def _found(self, identity):
        if identity is None:
            return
        if self.known_file is not None and identity != self.known_file:
            database_replaced.send(sender=type(self), connection=self)
        self.known_file = identity

    def empty_wal(self):
        """After writes, copy the WAL into the main file and truncate it. Never for a file that
        is no longer at the path: the -wal there may hold the new file's writes."""
        connection = self.connection
        if connection is None or self.path is None or connection.in_transaction:
            return
        if connection.total_changes != self.changes_seen:
            self.changes_seen, self.wal_dirty, wait_ms = connection.total_changes, True, 100
        elif self.wal_dirty:
            wait_ms = 0  # a retry, at a later request: never make a reader wait for it
        else:
            return
        if not self.is_usable():
            return
        try:
            (previous,) = connection.execute("PRAGMA busy_timeout").fetchone()
            connection.execute(f"PRAGMA busy_timeout = {wait_ms}")
            try:
                busy, _, _ = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            finally:
                connection.execute(f"PRAGMA busy_timeout = {previous}")
        except self.Database.Error as error:
            log.info("WAL checkpoint postponed: %s", error)
            return
        # Busy: a reader (a long backup, say) still uses the WAL; tried again at the next request.
        self.wal_dirty = bool(busy)
