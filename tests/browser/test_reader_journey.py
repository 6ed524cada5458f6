"""A resident reads the bulletin in Chromium: front page → street → article → reporter."""

import re

from playwright.sync_api import expect


def test_resident_reads_street_article_and_reporter(page, site, screenshot):
    page.goto(site + "/")
    expect(page).to_have_title("平城社区新闻")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_role("heading", name="打造特色服务 提升社工能力")).to_be_visible()
    expect(page.get_by_text("高敏与儿童交流")).to_be_visible()
    screenshot("front")

    page.get_by_role("navigation", name="按街道浏览").get_by_role("link", name="迎宾街道").click()
    expect(page).to_have_url(re.compile(r"/streets/yingbin/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("迎宾街道")
    screenshot("street")

    page.get_by_role("link", name="污水外溢 快速处理").click()
    expect(page).to_have_url(re.compile(r"/news/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("污水外溢 快速处理")
    expect(page.get_by_text("经过5个多小时的疏通清理")).to_be_visible()
    expect(page.get_by_role("navigation", name="当前位置")).to_contain_text("永安里社区")
    screenshot("article")

    page.get_by_role("link", name="郑林", exact=True).first.click()
    expect(page).to_have_url(re.compile(r"/reporters/zheng-lin/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("记者 郑林")
    expect(page.get_by_text("共 5 篇")).to_be_visible()
    screenshot("reporter")


def test_article_fits_a_320px_phone_without_sideways_scrolling(page, site):
    page.set_viewport_size({"width": 320, "height": 640})
    for path in ("/", "/news/1/", "/streets/", "/streets/yingbin/"):
        page.goto(site + path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (path, overflow)


def test_skip_link_moves_focus_to_the_content(page, site):
    page.goto(site + "/news/2/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到正文")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))


def test_chinese_renders_with_a_system_cjk_font(page, site):
    page.goto(site + "/news/2/")
    # Ask Chromium which installed font actually drew the headline's glyphs: without a CJK
    # font every character would be a box drawn by a Latin fallback.
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    h1 = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "h1"})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": h1})["fonts"]
    families = {font["familyName"] for font in fonts}
    assert any(re.search(r"CJK|WenQuanYi|PingFang|YaHei|Source Han", f) for f in families), families
    assert sum(font["glyphCount"] for font in fonts) == len("文艺演出迎国庆")
