"""特大鼠标 and 十字线 in Chromium: chosen with plain links (no JavaScript needed to set them),
remembered across pages, and what each does to the page."""

import re

import pytest
from playwright.sync_api import expect


def choose(page, group, value):
    page.get_by_role("navigation", name="阅读设置").get_by_role(
        "link", name=re.compile(rf"^{group}\s*{value}$")
    ).click()


def cursor(page, selector):
    return page.locator(selector).first.evaluate("el => getComputedStyle(el).cursor")


def test_large_pointer_is_set_without_javascript_and_kept(browser, site):
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "/news/7/")
    assert "cursor-" not in cursor(page, "body")
    choose(page, "特大鼠标", "开")
    expect(page).to_have_url(site + "/news/7/")
    expect(page.locator("html")).to_contain_class("pointer-large")
    page.get_by_role("link", name="迎宾街道").first.click()  # another page: still on
    expect(page.locator("html")).to_contain_class("pointer-large")
    assert re.search(r'url\("[^"]*/img/cursor-arrow\.svg"\) 6 4, default', cursor(page, "p"))
    assert "cursor-hand.svg" in cursor(page, ".card-title a")
    assert "cursor-text.svg" in cursor(page, "#site-search-q")
    context.close()


@pytest.mark.parametrize("name", ["cursor-arrow", "cursor-hand", "cursor-text"])
def test_each_large_pointer_image_is_a_64_px_picture(page, site, name):
    page.goto(site + "/")
    size = page.evaluate(
        """async (url) => {
            const image = new Image();
            image.src = url;
            await image.decode();
            return [image.naturalWidth, image.naturalHeight];
        }""",
        f"{site}/static/img/{name}.svg",
    )
    assert size == [64, 64]


def test_reading_guide_follows_the_mouse_and_the_keyboard(page, site, screenshot):
    page.goto(site + "/news/1/")
    expect(page.locator(".guide-line")).to_have_count(0)  # nothing until it is chosen
    choose(page, "十字线", "开")
    expect(page.locator("html")).to_contain_class("guide-on")
    expect(page.locator("html")).to_contain_class("guide-js")  # its script is running
    across, down = page.locator(".guide-across"), page.locator(".guide-down")
    expect(across).to_be_hidden()  # no pointer over the page yet
    page.mouse.move(300, 400)
    expect(across).to_be_visible()
    expect(down).to_be_visible()
    assert across.bounding_box()["y"] == pytest.approx(399, abs=1)
    assert down.bounding_box()["x"] == pytest.approx(299, abs=1)
    assert across.bounding_box()["width"] == page.viewport_size["width"]
    screenshot("reading-guide")
    page.keyboard.press("Tab")  # the skip link: the guide moves to the focus
    focused = page.locator(":focus").bounding_box()
    assert across.bounding_box()["y"] == pytest.approx(focused["y"] + focused["height"] - 1, abs=2)
    # The lines cross exactly where the pointer is, and never catch the click.
    link = page.locator(".story-footer").get_by_role("link", name="记者郑林的稿件")
    link.scroll_into_view_if_needed()
    box = link.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page).to_have_url(site + "/reporters/zheng-lin/")
    expect(page.locator("html")).to_contain_class("guide-on")  # and it stays on


def test_reading_guide_without_javascript_underlines_the_paragraph_under_the_pointer(browser, site):
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    context.add_cookies([{"name": "pc_guide", "value": "on", "url": site}])
    page = context.new_page()
    page.goto(site + "/news/1/")
    paragraph = page.locator(".story-body p").nth(1)
    decoration = "el => getComputedStyle(el).textDecorationLine"
    assert paragraph.evaluate(decoration) == "none"
    paragraph.hover()
    assert paragraph.evaluate(decoration) == "underline"
    expect(page.locator(".guide-line")).to_have_count(0)
    context.close()
