"""Large type, 长者模式, dark mode and print, as a resident gets them in Chromium."""

import re

import pytest
from playwright.sync_api import expect


@pytest.fixture
def no_js_page(browser, site):
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    yield context.new_page()
    context.close()


def font_size(page, selector="body"):
    return page.evaluate(
        f"parseFloat(getComputedStyle(document.querySelector('{selector}')).fontSize)"
    )


def test_large_type_and_high_contrast_survive_navigation_without_javascript(
    no_js_page, site, screenshot
):
    page = no_js_page
    page.goto(site + "/news/2/")
    normal = font_size(page, ".story-body p")
    page.get_by_role("navigation", name="阅读设置").get_by_role(
        "link", name=re.compile(r"^字号\s*大$")
    ).click()
    expect(page).to_have_url(re.compile(r"/news/2/$"))
    assert font_size(page, ".story-body p") > normal * 1.2
    page.get_by_role("navigation", name="阅读设置").get_by_role(
        "link", name=re.compile(r"^长者模式\s*开$")
    ).click()
    expect(page.locator("html")).to_have_class("size-large contrast-high")
    page.get_by_role("link", name="永泰街道").first.click()
    expect(page.locator("html")).to_have_class("size-large contrast-high")
    assert page.evaluate("getComputedStyle(document.body).color") == "rgb(0, 0, 0)"
    page.set_viewport_size({"width": 320, "height": 640})
    for path in ("/", "/news/1/", "/search/?q=社区"):
        page.goto(site + path)
        width = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert width <= 0, (path, width)
    screenshot("elder-mode-320")


def test_dark_mode_follows_the_system_setting(page, site, screenshot):
    page.emulate_media(color_scheme="dark")
    page.goto(site + "/news/2/")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(18, 18, 18)"
    screenshot("dark-article")


def test_print_view_keeps_the_article_and_drops_navigation(page, site):
    page.goto(site + "/news/7/")
    page.emulate_media(media="print")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator(".story .meta")).to_be_visible()
    expect(page.locator(".print-url")).to_contain_text("本文网址：" + site + "/news/7/")
    for hidden in (
        ".site-nav",
        ".site-search",
        ".reading-tools",
        ".site-footer",
        ".prev-next",
        ".share",
    ):
        expect(page.locator(hidden)).to_be_hidden()
    page.goto(site + "/news/1/")
    page.emulate_media(media="print")
    expect(page.locator("figcaption")).to_have_text("高敏与儿童交流")
