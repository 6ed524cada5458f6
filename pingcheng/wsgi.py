import os

from django.core.wsgi import get_wsgi_application

from pingcheng import sqlite

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pingcheng.settings")
# A server finding no SQLite file answers 503 until it is back; it never makes an empty one.
sqlite.serving()
application = get_wsgi_application()
