"""An editor saving once every few seconds while the load test runs (bench/load.py --editor).

Each save is a real one, the way an editor's goes out: newsroom/publishing.py saves a changed
body as a working version, it passes 先审后发 (submitted, then 初审/复审/终审 by three other
accounts) and is published with a 更正说明. Publishing changes the row, so the page cache retires
what shows the item, exactly as in production (news.signals). The items are the newest
published ones, in turn: they are on the front page, their street, community, reporter and
month, which the load test reads. Each save adds or removes a marker at the end of the body, so
the corpus keeps its own text from run to run. Accounts `bench-<role>` are made once, in the
benchmark database only (the caller refuses any other).
"""

import statistics
import threading
import time

MARK = "（基准测试：编辑修改）"
ROLE_PERMISSIONS = {
    "writer": ["submit_article", "add_article", "change_article", "view_article"],
    "first": ["review_first", "view_article"],
    "second": ["review_second", "view_article"],
    "final": ["review_final", "view_article"],
    "publisher": ["publish_article", "change_article", "view_article"],
}


def accounts():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    users = {}
    for role, codenames in ROLE_PERMISSIONS.items():
        user, made = get_user_model().objects.get_or_create(
            username=f"bench-{role}", defaults={"is_staff": True, "last_name": f"基准{role}"}
        )
        if made:
            user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
        users[role] = get_user_model().objects.get(pk=user.pk)  # permissions read afresh
    return users


def save_and_publish(pk, users):
    """One editor's change to item `pk`, from the form's save to 发布."""
    from news.models import Article
    from newsroom import checks, publishing, review, versions

    row = Article.objects.get(pk=pk)
    edited = Article.objects.get(pk=pk)
    edited.body = row.body.removesuffix(MARK) if row.body.endswith(MARK) else row.body + MARK
    publishing.save(edited, user=users["writer"], opened_on=row.edit_version)
    review.submit(pk, user=users["writer"])
    for step in review.steps():
        reasons = []
        if step == review.Step.FINAL:  # personal data in the text: confirmed, one reason each
            report, _ = checks.check(versions.content(versions.latest(row)))
            reasons = ["基准测试：已核实可以公开"] * len(report.personal)
        review.decide(pk, user=users[step.value], step=step, passed=True, reasons=reasons)
    publishing.publish(pk, user=users["publisher"], correction="基准测试：正文末尾的说明有改动")


class Editor(threading.Thread):
    """Saves one item every `every` seconds until stop(); counts saves, failures, durations."""

    def __init__(self, every=5.0, pool=20):
        super().__init__(daemon=True)
        self.every, self.pool = every, pool
        self.durations, self.failures = [], []
        self._stop_event = threading.Event()

    def run(self):
        from django.db import connection

        from news.models import Article

        try:
            users = accounts()
            items = list(
                Article.objects.published()
                .order_by("-published_at", "-pk")
                .values_list("pk", flat=True)[: self.pool]
            )
            turn, due = 0, time.monotonic() + self.every
            while not self._stop_event.wait(max(0.0, due - time.monotonic())):
                due += self.every
                started = time.perf_counter()
                try:
                    save_and_publish(items[turn % len(items)], users)
                    self.durations.append((time.perf_counter() - started) * 1000)
                except Exception as error:  # counted and reported: the run goes on
                    self.failures.append(f"{type(error).__name__}: {error}")
                turn += 1
        except Exception as error:
            self.failures.append(f"{type(error).__name__}: {error}")
        finally:
            connection.close()

    def stop(self):
        self._stop_event.set()
        self.join()

    def summary(self):
        median = statistics.median(self.durations) if self.durations else 0
        text = f"{len(self.durations)} saves (median {median:.0f} ms each)"
        if self.failures:
            text += f", {len(self.failures)} failed: {self.failures[0]}"
        return text
