"""Moving "now" in a test without sleeping: what Django reads (timezone.now: published(), the
search's due key, auto_now) and what the page cache reads (time.time: when a generation ends)."""

from django.utils import timezone

from news import cache as page_cache


class Clock:
    def __init__(self, monkeypatch, now=None):
        self.monkeypatch = monkeypatch
        self.set(now or timezone.now())

    def set(self, moment):
        self.now = moment
        self.monkeypatch.setattr("django.utils.timezone.now", lambda: moment)
        self.monkeypatch.setattr(page_cache.time, "time", lambda: moment.timestamp())
        return moment

    def forward(self, **delta):
        return self.set(self.now + timezone.timedelta(**delta))
