"""axe-core in Chromium: no WCAG 2.1 A/AA violations on any page type, light and dark, and with
large type and 长者模式 on. Each run leaves a screenshot in the gitignored screenshots/ folder."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}

# One address per page type (name → path); the names become the screenshots' file names.
PAGE_TYPES = {
    "front": "/",
    "article-lead": "/news/1/",
    "article": "/news/7/",
    "streets": "/streets/",
    "street": "/streets/yingbin/",
    "community": "/streets/yingbin/yonganli/",
    "reporter": "/reporters/zheng-lin/",
    "search-results": "/search/?q=社区",
    "search-empty": "/search/",
    "archive": "/archive/",
    "archive-month": "/archive/2022/09/",
    "feeds": "/feeds/",
    "digest": "/streets/yingbin/digest/?week=2022-W39",
    "not-found": "/no-such-page/",
}


@pytest.fixture(scope="session")
def axe():
    return Axe()


def assert_no_violations(axe, page, label):
    result = axe.run(page, options=AXE_OPTIONS)
    assert result.violations_count == 0, f"{label}\n{result.generate_report()}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name, path", PAGE_TYPES.items(), ids=PAGE_TYPES.keys())
def test_page_type_has_no_wcag_violations(
    page, site_with_photo, axe, screenshot, name, path, scheme
):
    page.emulate_media(color_scheme=scheme)
    response = page.goto(site_with_photo + path)
    assert response.status == (404 if name == "not-found" else 200)
    assert_no_violations(axe, page, f"{path} ({scheme})")
    screenshot(f"a11y-{name}-{scheme}")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_large_type_and_elder_mode_have_no_wcag_violations(
    page, site_with_photo, axe, screenshot, scheme
):
    site = site_with_photo
    page.context.add_cookies(
        [
            {"name": "pc_size", "value": "large", "url": site},
            {"name": "pc_contrast", "value": "high", "url": site},
        ]
    )
    page.emulate_media(color_scheme=scheme)
    page.goto(site + "/news/7/")
    expect(page.locator("html")).to_have_class("size-large contrast-high")  # the cookies took
    screenshot(f"a11y-elder-mode-article-{scheme}")
    for path in PAGE_TYPES.values():
        page.goto(site + path)
        assert_no_violations(axe, page, f"{path} (长者模式, 字号 大, {scheme})")
