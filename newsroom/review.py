"""先审后发: the review steps an item's version passes before it may go live (issue 12).

Roles are groups (newsroom/migrations/0003_review_roles): 撰稿 submits, 初审, 复审 and 终审
pass or send back, 发布 publishes what passed. A record (`Review`) names exactly one version;
an item's state is read from the records of its newest version, after the last submission. Any
save makes a new version that no record names, so earlier approvals lapse by construction.

`require_approved()` is the guard: newsroom.publishing calls it on every path that makes a
version live (save with 已发布, publish, the bulk action, import), whoever asks.

Settings: NEWSROOM_REVIEW_LEVELS (1: 终审 only; 2: 初审 and 终审; 3: all three, the default) and
NEWSROOM_NO_SELF_APPROVAL (default True): whoever acted at one step — the writer who submitted,
or the reviewer who passed — may not pass the next one; and whoever saved the version may not
pass the first step.
"""

import hashlib
import json

from django.conf import settings
from django.db import transaction

from news.models import Article

from . import versions
from .models import Review

Step, Decision = Review.Step, Review.Decision
PERMISSIONS = {
    Step.SUBMIT: "newsroom.submit_article",
    Step.FIRST: "newsroom.review_first",
    Step.SECOND: "newsroom.review_second",
    Step.FINAL: "newsroom.review_final",
}
ROLE_OF_STEP = {Step.FIRST: "初审", Step.SECOND: "复审", Step.FINAL: "终审"}
LEVELS = {1: [Step.FINAL], 2: [Step.FIRST, Step.FINAL], 3: [Step.FIRST, Step.SECOND, Step.FINAL]}

DRAFT, SIGNED, LIVE = "草稿", "已签发", "已发布"
STATES = [DRAFT, "待初审", "待复审", "待终审", SIGNED, LIVE]


class ReviewRefused(Exception):
    """A review action that cannot be carried out; the message says why, in Chinese."""


def steps():
    """The review steps this district uses, in order."""
    levels = getattr(settings, "NEWSROOM_REVIEW_LEVELS", 3)
    if levels not in LEVELS:
        raise ValueError(f"NEWSROOM_REVIEW_LEVELS must be 1, 2 or 3, not {levels!r}")
    return LEVELS[levels]


def no_self_approval():
    return getattr(settings, "NEWSROOM_NO_SELF_APPROVAL", True)


def fingerprint(article):
    """SHA-256 of what readers would read of `article` (a row or a version's content)."""
    values = {}
    for name in versions.READER_FIELDS:
        value = getattr(article, Article._meta.get_field(name).attname)
        values[name] = str(value) if name == "photo" else value
    text = json.dumps(values, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def records(version):
    """The records of `version` since its last submission (a send-back ends a round)."""
    found = list(Review.objects.filter(version=version).select_related("reviewer"))
    last_submit = max(
        (i for i, r in enumerate(found) if r.decision == Decision.SUBMIT), default=None
    )
    return [] if last_submit is None else found[last_submit:]


def waiting_step(version):
    """The step `version` waits at: a Step, SIGNED when every step passed, or None (a draft:
    never submitted, or sent back)."""
    if version is None:
        return None
    current = records(version)
    if not current or current[-1].decision == Decision.RETURN:
        return None
    passed = {r.step for r in current if r.decision == Decision.PASS}
    for step in steps():
        if step not in passed:
            return step
    return SIGNED


def is_approved(version):
    return waiting_step(version) == SIGNED


def state(article, newest=None):
    """草稿 / 待初审 / 待复审 / 待终审 / 已签发 / 已发布 for `article` (a row)."""
    newest = newest if newest is not None else versions.latest(article)
    if article.status == Article.Status.PUBLISHED and not versions.is_working(newest):
        return LIVE
    step = waiting_step(newest)
    if step is None:
        return DRAFT
    return SIGNED if step == SIGNED else f"待{step.label}"


def require_approved(version, article=None):
    """Refuse unless `version` passed every configured step and (when given) `article`, the
    content about to go live, is what was approved, character for character."""
    if version is None or not is_approved(version):
        raise ReviewRefused(
            "没有发布：这一版还没有通过全部审核（先审后发）。"
            "请先提交审核，" + "、".join(s.label for s in steps()) + "都通过后才能发布。"
        )
    if article is not None and fingerprint(article) != fingerprint(versions.content(version)):
        raise ReviewRefused(
            "没有发布：要发布的内容和审核通过的那一版不一样。请保存后重新提交审核。"
        )


def may_act(user, step):
    return user is not None and user.is_active and user.has_perm(PERMISSIONS[step])


def _lock_newest(pk, version):
    from .publishing import _baseline

    row = Article.objects.select_for_update().get(pk=pk)
    _baseline(row)  # an item from before versions were kept: its content becomes version 0
    newest = versions.latest(row)
    if newest is None:
        raise ReviewRefused("这篇稿件还没有保存过版本，请先保存。")
    if version is not None and version.pk != newest.pk:
        raise ReviewRefused(
            f"第 {version.revision.edit.number} 版已经不是最新的，"
            f"稿件又保存了第 {newest.revision.edit.number} 版。请看过最新的内容再审核。"
        )
    if row.status == Article.Status.PUBLISHED and not versions.is_working(newest):
        raise ReviewRefused("这篇稿件已经发布，没有待审核的修改。")
    return row, newest


def _record(row, version, user, step, decision, opinion="", confirmed_hits=()):
    from .publishing import who

    return Review.objects.create(
        article=row,
        version=version,
        number=version.revision.edit.number,
        step=step,
        decision=decision,
        opinion=opinion,
        fingerprint=fingerprint(versions.content(version)),
        confirmed_hits=list(confirmed_hits),
        reviewer=user,
        reviewer_name=who(user),
    )


def submit(pk, *, user, version=None):
    """撰稿 sends the newest version to the first step. `user=None`: import_bulletin."""
    with transaction.atomic():
        if user is not None and not may_act(user, Step.SUBMIT):
            raise ReviewRefused("你没有提交审核的权限（撰稿）。")
        row, newest = _lock_newest(pk, version)
        if waiting_step(newest) is not None:
            raise ReviewRefused("这一版已经在审核中了，不用再提交。")
        record = _record(row, newest, user, Step.SUBMIT, Decision.SUBMIT)
    _notify_after_commit(row, newest)
    return record


def decide(pk, *, user, step, passed, opinion="", version=None, reasons=()):
    """A reviewer passes (`passed=True`) or sends back the newest version at `step`.

    At 终审, a pass needs every personal-data hit of the version confirmed: `reasons` gives one
    reason per hit, in the order newsroom.checks reports them; they go on the record. A 错敏词
    at level block cannot pass 终审 at all: the text has to be corrected first."""
    opinion = opinion.strip()
    if step not in steps():
        raise ReviewRefused("这个审核环节没有启用。")
    with transaction.atomic():
        if not may_act(user, step):
            raise ReviewRefused(
                f"你没有{step.label}的权限，只有{ROLE_OF_STEP[step]}能在这一步审核。"
            )
        row, newest = _lock_newest(pk, version)
        waiting = waiting_step(newest)
        if waiting != step:
            where = "还没有提交审核" if waiting is None else f"现在{state(row, newest)}"
            raise ReviewRefused(f"这一版不在{step.label}这一步：{where}。")
        if not passed and not opinion:
            raise ReviewRefused("退回修改时请写审核意见，说明要改什么。")
        if passed and no_self_approval():
            previous = records(newest)[-1]
            if previous.reviewer_id is not None and previous.reviewer_id == user.pk:
                raise ReviewRefused(
                    f"不能审核自己上一步经手的稿件：{previous.get_step_display()}是你做的，"
                    f"{step.label}要由另一位{ROLE_OF_STEP[step]}来做。"
                )
            if step == steps()[0] and newest.revision.user_id == user.pk:
                # Whoever saved this version wrote it, even if someone else submitted it.
                raise ReviewRefused(
                    f"不能审核自己写的稿件：第 {newest.revision.edit.number} 版是你保存的，"
                    f"{step.label}要由另一位{ROLE_OF_STEP[step]}来做。"
                )
        confirmed = _final_checks(newest, reasons) if passed and step == Step.FINAL else []
        decision = Decision.PASS if passed else Decision.RETURN
        record = _record(row, newest, user, step, decision, opinion, confirmed)
    if passed:
        _notify_after_commit(row, newest)
    return record


def _final_checks(version, reasons):
    from . import checks

    report, _ = checks.check(versions.content(version))
    if report.blocking:
        words = "、".join(f"“{hit.word}”（应为“{hit.suggestion}”）" for hit in report.blocking)
        raise ReviewRefused(f"终审不能通过：正文里有必须改正的错字 {words}。请退回修改。")
    reasons = [" ".join(str(reason).split()) for reason in reasons]
    hits = report.personal
    if len(reasons) < len(hits) or not all(reasons[: len(hits)]):
        listed = "、".join(f"{hit.label}“{hit.text}”" for hit in hits)
        raise ReviewRefused(
            f"终审不能通过：稿件里有 {len(hits)} 处个人信息（{listed}），"
            "请逐条确认可以公开并写明理由，或者退回修改。"
        )
    return [
        {"kind": hit.kind, "label": hit.label, "text": hit.text, "reason": reason}
        for hit, reason in zip(hits, reasons, strict=False)
    ]


def _notify_after_commit(row, version):
    from . import notices

    transaction.on_commit(lambda: notices.step_reached(row, version))
