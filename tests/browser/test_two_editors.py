"""Two editors in two browser sessions open the same item: the second save, from the older
form, is refused; neither editor's text is lost."""

import re

from playwright.sync_api import expect

from tests.browser.test_journeys import make_editor

PASSWORD = "两位编辑-2022-secret"


def log_in(context, site, username):
    page = context.new_page()
    page.goto(site + "/admin/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("#user-tools")).to_contain_text(username)
    return page


def test_a_stale_save_is_refused_and_both_texts_survive(browser, site, screenshot):
    from news.models import Article
    from newsroom import versions

    make_editor("wangbian", PASSWORD)
    make_editor("libian", PASSWORD)
    wang_context, li_context = browser.new_context(), browser.new_context()
    wang = log_in(wang_context, site, "wangbian")
    li = log_in(li_context, site, "libian")
    change = site + "/admin/news/article/2/change/"
    wang.goto(change)
    li.goto(change)  # both forms are opened on the same version
    original_body = li.locator("#id_body").input_value()

    # 王编辑 adds a 副题 and saves first.
    wang.locator("#id_subtitle").fill("王编辑加的副题")
    wang.locator("#id_comment").fill("补副题")
    wang.get_by_role("button", name="保存", exact=True).click()
    expect(wang.locator(".messagelist")).to_contain_text("修改已保存为第 1 版，还没有发布")

    # 李编辑, from her older form, adds a sentence to the body and saves.
    li_body = original_body + "\n\n李编辑补充的一段。"
    li.locator("#id_body").fill(li_body)
    li.get_by_role("button", name="保存", exact=True).click()
    expect(li.locator(".errorlist.nonfield")).to_contain_text(
        re.compile(
            r"没有保存：你打开这篇稿件以后，wangbian在\d{4}年\d+月\d+日 \d\d:\d\d保存了第 1 版"
        )
    )
    # Her text is still in the form; the compare shows what she would overwrite.
    assert li.locator("#id_body").input_value() == li_body
    conflict = li.locator(".conflict")
    expect(conflict).to_contain_text("现在保存的第 1 版 → 你提交的内容")
    expect(conflict.locator("del")).to_contain_text(["王编辑加的副题"])
    expect(conflict.locator("ins")).to_contain_text(["李编辑补充的一段。"])
    screenshot("two-editors-refused", of=li)

    # Nothing was overwritten: the newest version holds his 副题 and not her paragraph.
    newest = versions.latest(Article.objects.get(pk=2))
    assert newest.field_dict["subtitle"] == "王编辑加的副题"
    assert "李编辑补充的一段。" not in newest.field_dict["body"]

    # She takes his 副题 into her form, confirms she has seen the compare, and saves.
    li.locator("#id_subtitle").fill("王编辑加的副题")
    li.get_by_label("我已看过上面的对比").check()
    li.get_by_role("button", name="保存", exact=True).click()
    expect(li.locator(".messagelist")).to_contain_text("修改已保存为第 2 版，还没有发布")
    newest = versions.latest(Article.objects.get(pk=2))
    assert newest.field_dict["subtitle"] == "王编辑加的副题"
    assert newest.field_dict["body"].replace("\r\n", "\n") == li_body  # textareas post CRLF

    # Both appear in the version list, with who saved them.
    li.goto(change)
    versions_table = li.locator("#versions")
    expect(versions_table).to_contain_text("第 2 版")
    expect(versions_table.locator("tbody tr").nth(1)).to_contain_text("wangbian")
    expect(versions_table.locator("tbody tr").nth(1)).to_contain_text("补副题")
    expect(versions_table.locator("tbody tr").first).to_contain_text("libian")
    screenshot("two-editors-versions", of=li)
    wang_context.close()
    li_context.close()
