"""Whole journeys in Chromium, as a resident and as an editor go through the site."""

import re

from playwright.sync_api import expect

LARGE = re.compile(r"^字号\s*大$")
ELDER_ON = re.compile(r"^长者模式\s*开$")


def horizontal_overflow(page):
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def font_size(page, selector):
    return page.locator(selector).first.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")


def test_resident_journey(page, site, screenshot):
    # The front page, then a street from the list of streets.
    page.goto(site + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("平城社区新闻")
    page.get_by_role("navigation", name="按街道浏览").get_by_role("link", name="迎宾街道").click()
    expect(page).to_have_url(site + "/streets/yingbin/")
    expect(page.get_by_role("heading", level=1)).to_have_text("迎宾街道")
    expect(page.get_by_text("（共 2 篇）")).to_be_visible()

    # One of its communities, and the item there.
    page.get_by_role("navigation", name="本街道的社区").get_by_role(
        "link", name="永安里社区"
    ).click()
    expect(page).to_have_url(site + "/streets/yingbin/yonganli/")
    expect(page.get_by_role("heading", level=1)).to_have_text("永安里社区")
    page.get_by_role("link", name="污水外溢 快速处理").click()
    expect(page).to_have_url(re.compile(r"/news/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("污水外溢 快速处理")
    crumbs = page.get_by_role("navigation", name="当前位置")
    expect(crumbs.get_by_role("link")).to_have_text(
        ["首页", "迎宾街道", "永安里社区", "污水外溢 快速处理"]
    )
    screenshot("journey-article")

    # The reporter who wrote it, and everything else by her.
    page.locator(".story .meta").get_by_role("link", name="郑林", exact=True).click()
    expect(page).to_have_url(site + "/reporters/zheng-lin/")
    expect(page.get_by_role("heading", level=1)).to_have_text("记者 郑林")
    expect(page.get_by_text("共 5 篇")).to_be_visible()

    # Search from the header box.
    box = page.get_by_role("search", name="全站搜索").get_by_role("searchbox")
    box.fill("枯树")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=%E6%9E%AF%E6%A0%91$"))
    expect(page.get_by_role("status")).to_contain_text("找到 1 篇稿件")
    expect(page.locator(".search-results h2")).to_have_text(["清理枯树 保障出行"])
    screenshot("journey-search")

    # 订阅 in the footer, and the street's feed answers with XML.
    page.get_by_role("contentinfo").get_by_role("link", name="订阅").click()
    expect(page).to_have_url(site + "/feeds/")
    expect(page.get_by_role("heading", level=1)).to_have_text("订阅")
    rss = page.get_by_role("link", name=re.compile(r"^RSS\s*：迎宾街道$"))
    expect(rss).to_have_attribute("href", "/feeds/streets/yingbin/rss/")
    feed = page.request.get(site + rss.get_attribute("href"))
    assert feed.status == 200
    assert "xml" in feed.headers["content-type"]
    assert re.search(r"<rss|<feed", feed.text())
    assert "污水外溢 快速处理" in feed.text()

    # Large type and 长者模式 from the header's 阅读设置, on an article.
    page.goto(site + "/news/8/")
    normal = font_size(page, ".story-body p")
    settings = page.get_by_role("navigation", name="阅读设置")
    settings.get_by_role("link", name=LARGE).click()
    expect(page).to_have_url(site + "/news/8/")
    expect(settings.get_by_role("link", name=LARGE)).to_have_attribute("aria-current", "true")
    settings.get_by_role("link", name=ELDER_ON).click()
    expect(page).to_have_url(site + "/news/8/")
    expect(page.locator("html")).to_have_class("size-large contrast-high")
    assert font_size(page, ".story-body p") > normal * 1.3
    assert page.evaluate("getComputedStyle(document.body).color") == "rgb(0, 0, 0)"
    screenshot("journey-elder-mode")

    # The print view: the item and its address, no navigation.
    page.emulate_media(media="print")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator(".print-url")).to_be_visible()
    expect(page.locator(".print-url")).to_contain_text(site + "/news/8/")
    for hidden in (".site-nav", ".site-search", ".reading-tools", ".breadcrumb", ".site-footer"):
        expect(page.locator(hidden)).to_be_hidden()
    screenshot("journey-print")
    page.emulate_media(media="screen")

    # A 375 px phone, large type and 长者模式 still on: nothing scrolls sideways.
    page.set_viewport_size({"width": 375, "height": 812})
    for path in (
        "/",
        "/streets/yingbin/",
        "/streets/yingbin/yonganli/",
        "/news/8/",
        "/reporters/zheng-lin/",
        "/search/?q=枯树",
        "/feeds/",
    ):
        page.goto(site + path)
        expect(page.locator("html")).to_have_class("size-large contrast-high")
        assert horizontal_overflow(page) <= 0, path
    screenshot("journey-phone-375")


def make_editor(username, password):
    """An editor account in the 编辑 group. Transactional tests flush the database, the group
    the data migration made included, so make it again when it is gone or empty."""
    from django.contrib.auth.models import Group, Permission, User

    from newsroom.editors import EDITOR_GROUP, editor_permission_codenames

    group, _ = Group.objects.get_or_create(name=EDITOR_GROUP)
    if not group.permissions.exists():
        group.permissions.set(
            Permission.objects.filter(
                content_type__app_label="news", codename__in=editor_permission_codenames()
            )
        )
    editor = User.objects.create_user(username, password=password, is_staff=True)
    editor.groups.add(group)
    return editor


def real_jpeg(path):
    """A 1200×900 photo as a camera would save it: a JPEG that really decodes."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1200, 900), (96, 140, 190))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 600, 1200, 900), fill=(70, 110, 60))
    for x in range(60, 1200, 180):
        draw.rectangle((x, 380, x + 90, 640), fill=(150, 70, 50))
    draw.ellipse((950, 80, 1080, 210), fill=(250, 220, 120))
    image.save(path, "JPEG", quality=88)
    return path


def choose(page, field_id, typed, option):
    """Pick a value in one of the admin's autocomplete (select2) fields as an editor does."""
    page.locator(f"#{field_id} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(typed)
    page.get_by_role("option", name=option, exact=True).click()
    expect(page.locator(f"#{field_id} + .select2 .select2-selection__rendered")).to_contain_text(
        option
    )


def test_editor_journey(browser, page, site, screenshot, tmp_path):
    headline = "御河岸边新添健身步道"
    make_editor("wangbian", "步道-2022-secret")
    photo = real_jpeg(tmp_path / "IMG_0412.jpg")

    # Log in to the admin.
    page.goto(site + "/admin/")
    page.locator("#id_username").fill("wangbian")
    page.locator("#id_password").fill("步道-2022-secret")
    page.get_by_role("button", name="登录").click()
    expect(page.locator("#user-tools")).to_contain_text("wangbian")

    # Write the item as a draft, with a real photo.
    page.goto(site + "/admin/news/article/add/")
    page.locator("#id_headline").fill(headline)
    choose(page, "id_reporter", "杨翠叶", "杨翠叶")
    choose(page, "id_street", "迎宾", "迎宾街道")
    page.locator("#id_community").select_option(label="永安里社区")  # grouped by street
    page.locator("#id_body").fill(
        "近日，迎宾街道在御河岸边修建的健身步道完工，居民有了散步锻炼的好去处。"
        "\n\n步道全长1.2公里，沿途设置了休息座椅和照明设施。"
    )
    page.locator("#id_photo").set_input_files(photo)
    page.locator("#id_photo_caption").fill("居民在新步道上散步")
    page.locator("#id_photo_alt").fill("几位居民沿着河边的新步道散步")
    page.locator("#id_photo_credit").fill("杨翠叶 摄")
    page.locator("#id_status").select_option(label="草稿")
    screenshot("editor-add-form")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".messagelist .success")).to_contain_text(headline)
    row = page.locator("#result_list tbody tr").filter(has_text=headline)
    expect(row).to_contain_text("草稿")
    screenshot("editor-changelist-draft")

    # Preview it on the site: only an editor sees the draft, under a 预览 banner.
    with page.expect_popup() as popup:
        row.get_by_role("link", name="在网站上查看").click()
    preview = popup.value
    expect(preview.get_by_role("heading", level=1)).to_have_text(headline)
    expect(preview.locator(".preview-banner")).to_contain_text("预览")
    expect(preview.locator(".preview-banner")).to_contain_text("还是草稿")
    image = preview.get_by_role("img", name="几位居民沿着河边的新步道散步")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0  # it loads
    expect(preview.locator("figcaption")).to_contain_text("居民在新步道上散步")
    article_url = preview.url
    screenshot("editor-preview", of=preview)
    preview.close()
    anonymous = browser.new_context()
    assert anonymous.request.get(article_url).status == 404  # nobody else sees a draft
    anonymous.close()

    # Review (先审后发: here straight through, tests/browser/test_review_workflow.py walks it
    # in the browser), then publish it with the list's action.
    from news.models import Article
    from tests.review import approve

    approve(Article.objects.get(headline=headline))
    page.reload()
    row.get_by_role("checkbox").check()
    page.locator("select[name=action]").select_option(
        label="发布所选稿件（发布时间已过的改为现在）"
    )
    page.get_by_role("button", name="执行").click()
    expect(page.locator(".messagelist .success")).to_contain_text("已发布 1 篇稿件")
    expect(page.locator("#result_list tbody tr").filter(has_text=headline)).to_contain_text(
        "已发布"
    )
    screenshot("editor-changelist-published")

    # Log out (a POST form in the admin's header).
    page.locator("#logout-form").get_by_role("button", name="注销").click()
    expect(page.get_by_role("link", name="重新登录")).to_be_visible()

    # Anyone now finds it on the front page, its own page and in the street's feed.
    page.goto(site + "/")
    latest = page.get_by_role("region", name="最新稿件")
    expect(latest.get_by_role("link", name=headline)).to_be_visible()
    latest.get_by_role("link", name=headline).click()
    expect(page).to_have_url(article_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(headline)
    expect(page.locator(".preview-banner")).to_have_count(0)
    expect(page.get_by_role("img", name="几位居民沿着河边的新步道散步")).to_be_visible()
    screenshot("editor-published-article")
    feed = page.request.get(site + "/feeds/streets/yingbin/rss/")
    assert feed.status == 200
    assert "<rss" in feed.text()
    assert headline in feed.text()
