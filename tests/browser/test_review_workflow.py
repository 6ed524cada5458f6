"""先审后发 in Chromium: one item from 撰稿 through 初审 (one send-back), 复审 and 终审 to 发布,
with four accounts in four browser sessions, and its 审核表 printed on one A4 page."""

import importlib

import pytest
from playwright.sync_api import expect

from tests.browser.test_digest_print import pdf_page_count
from tests.browser.test_journeys import choose

PASSWORD = "先审后发-2022-secret"
HEADLINE = "永安里社区开展义诊活动"
OPEN = []  # the sessions of the test, closed before the live server stops


@pytest.fixture(autouse=True)
def close_sessions(site):
    yield
    while OPEN:
        OPEN.pop().close()


def make_member(username, *roles):
    """An account in the role groups. Transactional tests flush the database, the groups the
    data migration made included: make them again from the migration's own table."""
    from django.contrib.auth.models import Group, Permission, User

    roles_migration = importlib.import_module("newsroom.migrations.0004_review_roles")
    for name, wanted in roles_migration.ROLES.items():
        group, made = Group.objects.get_or_create(name=name)
        if made:
            group.permissions.set(
                [
                    Permission.objects.get(content_type__app_label=app, codename=codename)
                    for app, codename in wanted
                ]
            )
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.add(*Group.objects.filter(name__in=roles))


def seed_words():
    """The 错敏词 list as the data migration seeds it (a flush empties it too)."""
    from django.apps import apps

    importlib.import_module("newsroom.migrations.0006_seed_wrong_words").seed(apps, None)


def log_in(browser, site, username):
    page = browser.new_context().new_page()
    OPEN.append(page.context)
    page.goto(site + "/admin/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("#user-tools")).to_contain_text(username)
    return page


def open_from_queue(page, site):
    page.goto(site + "/admin/")
    expect(page.locator("#waiting-title")).to_have_text("待我审核（1）")
    page.locator(".review-queues").get_by_role("link", name=HEADLINE).click()
    expect(page.locator(".review-state")).to_contain_text("状态：")


def pass_step(page, site, step):
    open_from_queue(page, site)
    expect(page.get_by_role("heading", name=step, exact=True)).to_be_visible()
    page.get_by_role("button", name="通过", exact=True).click()
    expect(page.locator(".messagelist .success")).to_have_text(f"{step}：已通过。")


def test_one_item_through_every_step_with_a_send_back(browser, site, screenshot):
    seed_words()
    make_member("zhuangao", "撰稿")
    make_member("chushen", "初审")
    make_member("fushen", "复审")
    make_member("zhongshen", "终审", "发布")
    writer = log_in(browser, site, "zhuangao")

    # 撰稿 writes a draft and sees the 校对 before submitting.
    writer.goto(site + "/admin/news/article/add/")
    writer.locator("#id_headline").fill(HEADLINE)
    choose(writer, "id_reporter", "杨翠叶", "杨翠叶")
    writer.locator("#id_body").fill("近日，永安里社区开展义诊活动，请按装好软件后预约。")
    writer.get_by_role("button", name="保存并继续编辑").click()
    writer.get_by_role("link", name="审核（草稿）").click()
    expect(writer.locator("mark.proof-word")).to_have_text("按装")
    expect(writer.locator("mark.proof-word")).to_have_attribute("title", "请核对：建议改为“安装”。")
    screenshot("review-submit", of=writer)
    writer.get_by_role("button", name="提交审核").click()
    expect(writer.locator(".review-state")).to_contain_text("状态：待初审")

    # 初审 sends it back with an opinion.
    first = log_in(browser, site, "chushen")
    open_from_queue(first, site)
    first.get_by_role("button", name="退回修改").click()
    expect(first.locator(".messagelist .error")).to_contain_text("退回修改时请写审核意见")
    first.locator("#id_opinion").fill("“按装”应为“安装”。")
    first.get_by_role("button", name="退回修改").click()
    expect(first.locator(".messagelist .success")).to_have_text("初审：已退回修改。")

    # 撰稿 sees the opinion, corrects the text and submits the new version.
    writer.goto(site + "/admin/")
    mine = writer.locator(".review-queues tr").filter(has_text=HEADLINE)
    expect(mine).to_contain_text("草稿")
    expect(mine).to_contain_text("初审退回修改：“按装”应为“安装”。")
    mine.get_by_role("link", name=HEADLINE).click()
    writer.get_by_role("link", name="回到稿件和版本记录").click()
    writer.locator("#id_body").fill("近日，永安里社区开展义诊活动，请安装好软件后预约。")
    writer.get_by_role("button", name="保存并继续编辑").click()
    writer.get_by_role("link", name="审核（草稿）").click()
    expect(writer.locator("mark.proof")).to_have_count(0)
    writer.get_by_role("button", name="提交审核").click()
    expect(writer.locator(".review-state")).to_contain_text("状态：待初审")

    # 初审, 复审 and 终审 pass it, each in their own session.
    pass_step(first, site, "初审")
    pass_step(log_in(browser, site, "fushen"), site, "复审")
    final = log_in(browser, site, "zhongshen")
    pass_step(final, site, "终审")
    expect(final.locator(".review-state")).to_contain_text("状态：已签发")
    anonymous = browser.new_context()
    OPEN.append(anonymous)

    # 发布 (the same person holds 终审 and 发布) publishes it from the form.
    final.get_by_role("link", name="回到稿件和版本记录").click()
    final.locator("#id_status").select_option(label="已发布")
    final.get_by_role("button", name="保存", exact=True).click()
    expect(final.locator(".messagelist .success")).to_contain_text(HEADLINE)
    from news.models import Article

    article = Article.objects.get(headline=HEADLINE)
    assert anonymous.request.get(f"{site}/news/{article.pk}/").status == 200

    # The 审核表 of the approved version, printed: one A4 page with every step on it.
    final.goto(f"{site}/admin/news/article/{article.pk}/review/")
    final.get_by_role("link", name="审核表").click()
    sheet = final.locator(".steps tbody")
    expect(sheet.locator("tr")).to_have_count(4)  # this version's round: submit and three steps
    for name in ("zhuangao", "chushen", "fushen", "zhongshen"):
        expect(sheet).to_contain_text(name)
    expect(final.locator(".facts").last).to_contain_text("zhongshen")  # the publisher
    screenshot("review-sheet", of=final)
    assert pdf_page_count(final.pdf(format="A4", print_background=True)) == 1
