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


def test_the_version_pages_pass_axe(page, site):
    """The version list and the compare page (ours, inside Django's admin) meet WCAG 2.1 AA."""
    from axe_playwright_python.sync_playwright import Axe

    from news.models import Article
    from newsroom import publishing

    make_editor("wangbian", PASSWORD)
    article = Article.objects.get(pk=7)
    article.headline = "清理倒伏枯树 保障出行"
    publishing.save(article, user=None, opened_on=0, comment="标题更具体")
    page.goto(site + "/admin/login/")
    page.locator("#id_username").fill("wangbian")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    options = {
        "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
        "resultTypes": ["violations"],
    }
    page.goto(site + "/admin/news/article/7/change/")
    expect(page.locator("#versions")).to_contain_text("第 1 版")
    result = Axe().run(page, context="#versions", options=options)
    assert result.violations_count == 0, result.generate_report()

    page.get_by_role("button", name="对比所选的两个版本").click()
    expect(page.locator(".field-changes ins")).to_contain_text(["倒伏"])
    result = Axe().run(page, context="#content-main", options=options)
    assert result.violations_count == 0, result.generate_report()
