"""The article form in Chromium: the headline box shows 30 characters with a live count."""

from playwright.sync_api import expect

from tests.browser.test_journeys import make_editor

PASSWORD = "表单-2022-secret"
THIRTY = "平城区永安里社区开展消防安全演练居民踊跃参加学习灭火器使用方法"[:30]


def test_the_headline_box_fits_30_characters_and_counts_them(page, site):
    make_editor("wangbian", PASSWORD)
    page.goto(site + "/admin/")
    page.locator("#id_username").fill("wangbian")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(site + "/admin/news/article/add/")

    box = page.locator("#id_headline")
    box.fill(THIRTY)
    expect(page.locator("#headline-count")).to_have_text("30 / 30 字")
    # Every character is visible: nothing scrolled out of the box.
    assert box.evaluate("el => el.scrollWidth <= el.clientWidth")
    box.press("End")
    box.type("吗")
    expect(page.locator("#headline-count")).to_have_text("31 字，超过 30 字，手机上会折成多行")

    # The community list names its street (an optgroup each).
    group = page.locator("#id_community optgroup[label='迎宾街道']")
    expect(group.locator("option")).to_have_text(["北馨园社区", "永安里社区"])
