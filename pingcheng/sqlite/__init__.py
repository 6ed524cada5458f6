"""The site's SQLite engine (`ENGINE = "pingcheng.sqlite"`): Django's, plus what a live file needs.

SQLite keeps a WAL database in three files found *by name*: `db.sqlite3`, `db.sqlite3-wal`
(committed writes not yet copied into the main file) and `db.sqlite3-shm` (the index of the
WAL, shared by every connection). An open connection holds the main file itself, so when the
file is moved away or replaced (`mv`, `os.replace`, a restored copy) old connections go on
with the old file while new ones open whatever is at the path, and both share one -wal and
-shm. Measured before this engine (issue 10): with the file moved away for 10 s while editors
saved, new connections created an empty database at the path; its last connection then
checkpointed and deleted the -wal, and saves reported as committed were lost.

So, here:
- a web server never creates the database: a missing file is an outage (a 503 until the file
  is back), never a new empty site; other processes (`migrate`) create one only where no
  database was: no file and no -wal, -shm or -journal beside it;
- each connection remembers which file (device and inode) it opened; at the start and end of
  every request, and as Django's health check before the first query, a connection whose file
  is no longer the one at the path is closed, and the next query opens the file that is there.
  Closing it is safe: SQLite does not checkpoint or delete the -wal of a file that has moved;
- after a request (or a command) that wrote, the WAL is checkpointed and truncated, so between
  writes the main file alone holds every committed change: a file that replaces it is never
  read through the old file's WAL, and a copy of the file is complete.

`database_replaced` is sent when a process finds a different database file at the path than
the one it had open, so that what was derived from the old one (cached pages) is dropped.
"""

from django.dispatch import Signal

database_replaced = Signal()

_serving = False


def serving():
    """Called by pingcheng.wsgi: this process serves requests, so it must never create the
    database file (see above)."""
    global _serving
    _serving = True


def is_serving():
    return _serving
