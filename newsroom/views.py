"""The admin's pages for versions: compare, revert, publish a working version; and what the
article's change form shows of them. Thin: the rules live in newsroom.publishing."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from news.models import Article

from . import diff, publishing, review, versions

VERSIONS_SHOWN = 50


def change_form_context(request, article, form):
    """The version list, the working-version banner and a refused save's compare."""
    newest = getattr(article, "newest_version", None)
    rows = version_rows(article)
    return {
        "version_rows": rows,
        "pending": versions.is_working(newest),
        "newest_version": newest,
        "live_row": next((r for r in rows if r["live"]), None),
        "may_publish": publishing.may_publish(request.user),
        "review_state": review.state(article, newest),
        "conflict": form.conflict,
        "conflict_fields": form.conflict_compare(),
    }


def version_rows(article):
    """The newest versions, each with what it was and which one the public sees."""
    found = list(versions.history(article)[: VERSIONS_SHOWN + 1])
    public = article.status == Article.Status.PUBLISHED
    live_seen = False
    rows = []
    for index, version in enumerate(found[:VERSIONS_SHOWN]):
        edit = version.revision.edit
        live = public and not edit.working and not live_seen
        live_seen = live_seen or live
        rows.append(
            {
                "version": version,
                "edit": edit,
                "who": (
                    "—"
                    if edit.action == edit.Action.BASELINE
                    else publishing.who(version.revision.user)
                ),
                "when": publishing.when(version.revision.date_created),
                "newest": index == 0,
                "live": live,
                "working": edit.working,
                "previous": found[index + 1] if index + 1 < len(found) else None,
            }
        )
    return rows


def _article(request, model_admin, object_id, may):
    article = model_admin.get_object(request, object_id)
    if article is None:
        raise Http404("没有这篇稿件。")
    if not may(request, article):
        raise PermissionDenied
    return article


def _page(request, model_admin, article, title, **context):
    return {
        **model_admin.admin_site.each_context(request),
        "opts": Article._meta,
        "original": article,
        "title": title,
        "change_url": reverse("admin:news_article_change", args=[article.pk]),
        **context,
    }


def _version(article, value):
    version = versions.get(article, value)
    if version is None:
        raise Http404("这篇稿件没有这个版本。")
    return version


@require_http_methods(["GET"])
def compare(request, object_id, model_admin):
    """Any two versions, field by field, character by character (?a=older&b=newer; without
    them, the newest against the one before it)."""
    article = _article(request, model_admin, object_id, model_admin.has_view_permission)
    newer = _version(article, request.GET["b"]) if "b" in request.GET else article.newest_version
    if newer is None:
        raise Http404("这篇稿件还没有版本记录。")
    if "a" in request.GET:
        older = _version(article, request.GET["a"])
    else:
        number = newer.revision.edit.number
        older = versions.history(article).filter(revision__edit__number__lt=number).first()
        older = older or newer
    fields = diff.compare(versions.content(older), versions.content(newer))
    return TemplateResponse(
        request,
        "newsroom/compare.html",
        _page(
            request,
            model_admin,
            article,
            f"对比第 {older.revision.edit.number} 版和第 {newer.revision.edit.number} 版",
            older=older,
            newer=newer,
            fields=fields,
            choices=version_rows(article),
        ),
    )


@require_http_methods(["GET", "POST"])
def revert(request, object_id, version_id, model_admin):
    """GET: what reverting to the version would change; POST: revert (a new version)."""
    article = _article(request, model_admin, object_id, model_admin.has_change_permission)
    version = _version(article, version_id)
    number = version.revision.edit.number
    if request.method == "POST":
        try:
            saved = publishing.revert(
                article.pk,
                version,
                user=request.user,
                opened_on=_number(request.POST.get("opened_on")),
                comment=request.POST.get("comment", "").strip()[:200],
            )
        except publishing.Refused as refused:
            messages.error(request, f"{refused} 请重新查看后再决定。")
            return redirect(request.path)
        outcome = "还没有发布，读者看到的仍是已发布的内容" if saved.working else "已保存"
        messages.success(
            request, f"已还原到第 {number} 版的内容，成为第 {saved.number} 版（{outcome}）。"
        )
        return redirect("admin:news_article_change", article.pk)
    newest = article.newest_version
    result = versions.content(newest)
    versions.copy_fields(
        versions.content(version),
        result,
        [f for f in versions.EDITOR_FIELDS if f not in versions.STATE_FIELDS],
    )
    return TemplateResponse(
        request,
        "newsroom/revert.html",
        _page(
            request,
            model_admin,
            article,
            f"还原到第 {number} 版",
            version=version,
            newest=newest,
            fields=diff.compare(versions.content(newest), result),
            opened_on=article.edit_version,
            goes_to_working=article.status == Article.Status.PUBLISHED,
        ),
    )


@require_http_methods(["GET", "POST"])
def publish(request, object_id, model_admin):
    """GET: the working version against what the public sees now; POST: publish it."""
    article = _article(request, model_admin, object_id, lambda r, a: publishing.may_publish(r.user))
    newest = article.newest_version
    if not versions.is_working(newest):
        messages.info(request, "这篇稿件没有待发布的修改。")
        return redirect("admin:news_article_change", article.pk)
    if request.method == "POST":
        version = _version(article, request.POST.get("version"))
        try:
            saved = publishing.publish(
                article.pk,
                user=request.user,
                version=version,
                correction=request.POST.get("correction", "").strip()[:200],
            )
        except publishing.Refused as refused:
            messages.error(request, str(refused))
            return redirect(request.path)
        messages.success(request, f"已发布第 {saved.number} 版：读者现在看到的是修改后的内容。")
        return redirect("admin:news_article_change", article.pk)
    live = Article.objects.get(pk=article.pk)  # the row: what the public sees
    return TemplateResponse(
        request,
        "newsroom/publish.html",
        _page(
            request,
            model_admin,
            article,
            f"发布第 {newest.revision.edit.number} 版的修改",
            newest=newest,
            fields=diff.compare(live, versions.content(newest)),
        ),
    )


def _number(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # no number or a bad one: treated as stale, the editor is asked to look again
