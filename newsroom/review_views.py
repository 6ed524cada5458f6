"""The admin's 审核 page for one item: its state, the 校对 results for the newest version, the
records, and the one action the user may take now (提交审核, or 通过 / 退回修改 at the step the
item waits at). Thin: the rules live in newsroom.review."""

import csv
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from news.models import Article

from . import checks, publishing, review, versions
from .models import Edit, Review
from .views import _page, _version


def available_action(user, article, newest):
    """("submit", None), ("decide", step) or (None, None) for `user` on `article` now."""
    if article.status == Article.Status.PUBLISHED and not versions.is_working(newest):
        return None, None
    step = review.waiting_step(newest)
    if step is None:
        return ("submit", None) if review.may_act(user, review.Step.SUBMIT) else (None, None)
    if step != review.SIGNED and review.may_act(user, step):
        return "decide", step
    return None, None


@require_http_methods(["GET", "POST"])
def review_page(request, object_id, model_admin):
    article = model_admin.get_object(request, object_id)
    if article is None:
        raise Http404("没有这篇稿件。")
    if not model_admin.has_view_permission(request, article):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    newest = article.newest_version
    if newest is None:
        messages.info(request, "这篇稿件还没有版本记录，请先保存一次。")
        return redirect("admin:news_article_change", article.pk)
    if request.method == "POST":
        return _act(request, article)
    content = versions.content(newest)
    report, warnings = checks.check(content)
    action, step = available_action(request.user, article, newest)
    records = Review.objects.filter(article=article).select_related("reviewer")
    return TemplateResponse(
        request,
        "newsroom/review.html",
        _page(
            request,
            model_admin,
            article,
            f"审核：{article.headline}",
            newest=newest,
            state=review.state(article, newest),
            fields=checks.labelled(report),
            report=report,
            personal=list(enumerate(report.personal)),
            warnings=warnings,
            action=action,
            step=step,
            is_final=step == review.Step.FINAL,
            records=records.order_by("-created_at", "-pk"),
            steps=review.steps(),
        ),
    )


def _act(request, article):
    version = _version(article, request.POST.get("version"))
    what = request.POST.get("action")
    try:
        if what == "submit":
            review.submit(article.pk, user=request.user, version=version)
            done = "已提交审核。"
        elif what in ("pass", "return"):
            step = review.Step(request.POST.get("step", ""))
            reasons = [
                request.POST.get(f"reason-{i}", "") if request.POST.get(f"confirm-{i}") else ""
                for i in range(min(int(request.POST.get("hits", "0") or 0), 200))
            ]
            review.decide(
                article.pk,
                user=request.user,
                step=step,
                passed=what == "pass",
                opinion=request.POST.get("opinion", "")[:2000],
                version=version,
                reasons=reasons,
            )
            done = f"{step.label}：{'已通过' if what == 'pass' else '已退回修改'}。"
        else:
            raise review.ReviewRefused("不知道要做什么，请在审核页上点按钮。")
    except (review.ReviewRefused, ValueError) as refused:
        message = str(refused) if isinstance(refused, review.ReviewRefused) else "表单有误。"
        messages.error(request, message)
        return redirect(request.path)
    messages.success(request, done)
    return redirect(request.path)


# --- 审核表 and the CSV of records ------------------------------------------------------------


@require_http_methods(["GET"])
def sheet(request, object_id, model_admin):
    """The 审核表 of one item and version (?version=; the newest without it), to print on one
    A4 page and file."""
    article = model_admin.get_object(request, object_id)
    if article is None:
        raise Http404("没有这篇稿件。")
    if not model_admin.has_view_permission(request, article):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    if "version" in request.GET:
        version = _version(article, request.GET["version"])
    else:
        version = article.newest_version
    if version is None:
        raise Http404("这篇稿件还没有版本记录。")
    edit = version.revision.edit
    if edit.action == Edit.Action.PUBLISH and edit.source_id:
        version = edit.source  # the version published: its sheet is the approved version's
    content = versions.content(version)
    rounds = review.records(version)
    published = (
        Edit.objects.filter(article=article, source=version, action=Edit.Action.PUBLISH)
        .select_related("revision__user")
        .order_by("number")
        .first()
    )
    return TemplateResponse(
        request,
        "newsroom/review_sheet.html",
        {
            "article": article,
            "content": content,
            "version": version,
            "number": version.revision.edit.number,
            "places": versions.shown_values(content),
            "word_count": len("".join(content.body.split())),
            "records": rounds,
            "confirmed": [hit for r in rounds for hit in r.confirmed_hits],
            "fingerprint": review.fingerprint(content),
            "state": review.state(article) if version == article.newest_version else None,
            "published": published,
            "publisher": published and publishing.who(published.revision.user),
            "site_name": getattr(settings, "SITE_NAME", ""),
        },
    )


@require_http_methods(["GET"])
def records_csv(request, model_admin):
    """Every review record from ?from= to ?to= (dates, both included), for the office's files."""
    if not model_admin.has_view_permission(request):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    try:
        start = date.fromisoformat(request.GET.get("from", ""))
        end = date.fromisoformat(request.GET.get("to", ""))
    except ValueError:
        return HttpResponseBadRequest(
            "请给出日期范围，例如 ?from=2022-10-01&to=2022-10-31。".encode(),
            content_type="text/plain; charset=utf-8",
        )
    zone = timezone.get_current_timezone()
    found = Review.objects.filter(
        created_at__gte=datetime.combine(start, time.min, zone),
        created_at__lt=datetime.combine(end + timedelta(days=1), time.min, zone),
    ).select_related("article")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="review-records-{start}-{end}.csv"'
    response.write("\ufeff")  # so that Excel on the office's PC reads the Chinese as UTF-8
    writer = csv.writer(response)
    writer.writerow(
        [
            "稿件编号",
            "主题",
            "版本",
            "环节",
            "结论",
            "审核人",
            "时间",
            "审核意见",
            "确认的个人信息",
            "文字指纹",
        ]
    )
    for r in found.order_by("created_at", "pk"):
        writer.writerow(
            [
                r.article_id,
                _cell(r.article.headline),
                r.number,
                r.get_step_display(),
                r.get_decision_display(),
                _cell(r.reviewer_name),
                timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                _cell(r.opinion),
                _cell(
                    "；".join(f"{h['label']}“{h['text']}”：{h['reason']}" for h in r.confirmed_hits)
                ),
                r.fingerprint,
            ]
        )
    return response


def _cell(text):
    """A spreadsheet must not run what a writer typed: =, +, - and @ start a formula."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
