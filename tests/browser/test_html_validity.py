"""Every page type passes the Nu HTML Checker (vnu) without errors.

The pages come from the live server as a browser gets them; one vnu run checks them all (the JVM
takes seconds to start). Without Java or vnu.jar the test skips, except under REQUIRE_BROWSER=1.
"""

import json
import subprocess

from django.test import RequestFactory
from django.views import defaults

from .test_accessibility import PAGE_TYPES

# What axe checks, plus pages whose markup differs: a listing's second page (pagination), a search
# with filters, the other reporter. Each also with large type and 长者模式 on.
EXTRA_PAGES = {
    "street-page-2": "/streets/ceshi/?page=2",
    "search-filtered": "/search/?q=社区&street=yingbin&reporter=zheng-lin",
    "reporter-yang": "/reporters/yang-cuiye/",
}
PREFERENCE_COOKIES = "pc_size=large; pc_contrast=high"


def error_pages():
    """400, 403 and 500 as Django's handlers render them (500 without a request context)."""
    request = RequestFactory().get("/news/1/")
    return {
        "error-400": defaults.bad_request(request, Exception()).content,
        "error-403": defaults.permission_denied(request, Exception()).content,
        "error-500": defaults.server_error(request).content,
    }


def draft_preview():
    """A draft as its editor previews it: the 预览 banner and noindex on top of the article."""
    from django.contrib.auth.models import User
    from django.test import Client

    from news.models import Article, Community, Reporter
    from tests.images import image_bytes, upload

    community = Community.objects.get(slug="yonganli")
    draft = Article.objects.create(
        headline="预览中的草稿",
        body="草稿第一段。\n\n草稿第二段。",
        reporter=Reporter.objects.get(slug="zheng-lin"),
        street=community.street,
        community=community,
        photo=upload(image_bytes(size=(640, 480))),
        photo_alt="草稿的配图",
        photo_caption="配图说明",
        status=Article.Status.DRAFT,
    )
    client = Client()
    client.force_login(User.objects.create_superuser("zongbian", password="unused-here"))
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200 and "preview-banner" in response.text
    return response.content


def add_a_second_page_of_items():
    """21 items in a test street, so its listing has a second page and pagination links."""
    from django.utils import timezone

    from news.models import Article, Reporter, Street

    street = Street.objects.create(name="测试街道", slug="ceshi", position=99)
    reporter = Reporter.objects.get(slug="yang-cuiye")
    for i in range(21):
        Article.objects.create(
            headline=f"测试稿件{i + 1}",
            body="测试正文第一段。\n\n第二段。",
            reporter=reporter,
            street=street,
            status=Article.Status.PUBLISHED,
            published_at=timezone.now() - timezone.timedelta(days=400 + i),
        )


def test_every_page_type_is_valid_html(vnu, page, site_with_photo, tmp_path):
    site = site_with_photo
    add_a_second_page_of_items()
    files = {}
    pages = {**PAGE_TYPES, **EXTRA_PAGES}
    for name, path in pages.items():
        for variant, cookie in (("", None), ("-elder", PREFERENCE_COOKIES)):
            response = page.request.get(site + path, headers={"Cookie": cookie} if cookie else {})
            assert response.status == (404 if name == "not-found" else 200), (path, variant)
            files[tmp_path / f"{name}{variant}.html"] = response.body()
    files[tmp_path / "article-preview.html"] = draft_preview()
    for name, body in error_pages().items():
        files[tmp_path / f"{name}.html"] = body
    for file, body in files.items():
        file.write_bytes(body)

    run = subprocess.run(  # noqa: S603 (our own command line)
        [*vnu, "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        messages = json.loads(run.stderr)["messages"]
    except ValueError:
        raise AssertionError(f"vnu did not report in JSON:\n{run.stderr}") from None
    errors = [
        f"{m['url'].rsplit('/', 1)[-1]}:{m.get('lastLine', '?')}: {m['message']}"
        f"\n    {m.get('extract', '').strip()}"
        for m in messages
        if m["type"] in ("error", "non-document-error")
    ]
    assert not errors, f"{len(errors)} vnu errors:\n" + "\n".join(errors)
    assert run.returncode == 0, run.stderr
