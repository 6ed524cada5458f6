"""The weekly street digest printed to PDF in Chromium: one A4 page, QR codes 28 mm square."""

import datetime
import re
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

DIGEST = "/streets/yingbin/digest/?week=2022-W39"
A4_CONTENT_WIDTH = round((210 - 2 * 12) / 25.4 * 96)  # px between the 12 mm page margins
MM = 96 / 25.4  # CSS px per mm


def pdf_page_count(pdf):
    """Page objects in a PDF (not the /Pages tree nodes). Chromium writes them uncompressed."""
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def print_to_pdf(page):
    page.emulate_media(media="print")
    return page.pdf(format="A4", print_background=True)


def test_page_counter_counts_pages(page):
    """The counter is right: a short page is 1 page; a 3000 px (794 mm) tall one is 3 A4 pages
    (297 mm each)."""
    page.set_content("<p>一页</p>")
    assert pdf_page_count(print_to_pdf(page)) == 1
    page.set_content('<div style="height: 3000px; border: 1px solid">很长的一页</div>')
    assert pdf_page_count(print_to_pdf(page)) == 3


def test_bulletin_week_prints_on_one_a4_page(page, site, screenshot):
    page.goto(site + DIGEST)
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "平城社区新闻 · 迎宾街道 · 2022年第39周"
    )
    expect(page.get_by_role("heading", level=2)).to_have_text(
        ["清理枯树 保障出行", "污水外溢 快速处理"]
    )
    codes = page.get_by_role("img", name=re.compile("^扫码阅读："))
    expect(codes).to_have_count(2)
    for i in range(2):  # each SVG decoded and drawn
        assert codes.nth(i).evaluate("img => img.complete && img.naturalWidth > 0")
    expect(page.get_by_role("link", name="返回街道页面")).to_be_visible()
    screenshot("digest")

    page.set_viewport_size({"width": A4_CONTENT_WIDTH, "height": 1000})
    pdf = print_to_pdf(page)
    assert pdf_page_count(pdf) == 1
    # What the page looks like in print: the screen's links gone, QR codes 28 mm square.
    expect(page.get_by_role("link", name="返回街道页面")).to_be_hidden()
    box = codes.first.bounding_box()
    assert abs(box["width"] - 28 * MM) < 1 and abs(box["height"] - 28 * MM) < 1
    screenshot("digest-print")


def test_twelve_long_items_and_the_more_line_still_fit_one_page(page, site):
    from news.models import Article, Community, Reporter, Street

    street = Street.objects.create(name="水泊寺以东测试街道", slug="ceshi", position=99)
    community = Community.objects.create(street=street, name="很长名字的测试社区", slug="ceshi")
    reporter = Reporter.objects.get(slug="zheng-lin")
    monday = datetime.datetime(2022, 9, 26, 8, tzinfo=ZoneInfo("Asia/Shanghai"))
    for i in range(14):  # the worst case: 30-character headlines, summaries cut at 60
        Article.objects.create(
            headline=f"第{i + 1:02d}篇" + "社区志愿者上门服务独居老人" * 2,
            body="社区网格员和志愿者连日来走访辖区内的独居老人和困难家庭，" * 4 + "。\n\n第二段。",
            reporter=reporter,
            street=street,
            community=community,
            status=Article.Status.PUBLISHED,
            published_at=monday + datetime.timedelta(hours=10 * i),
        )
    page.goto(site + "/streets/ceshi/digest/?week=2022-W39")
    expect(page.get_by_role("heading", level=2)).to_have_count(12)
    expect(page.get_by_text("本周还有 2 篇稿件，请到网站阅读")).to_be_visible()
    assert pdf_page_count(print_to_pdf(page)) == 1


def test_empty_week_says_so_and_links_onward(page, site):
    page.goto(site + "/streets/yingbin/digest/?week=2022-W38")
    expect(page.get_by_text("这一周本街道没有稿件。")).to_be_visible()
    page.get_by_role("link", name="下一周（2022年第39周）").click()
    expect(page).to_have_url(re.compile(r"\?week=2022-W39$"))
    expect(page.get_by_role("heading", level=2)).to_have_count(2)


def test_digest_on_screen_fits_a_phone_and_shows_focus(page, site):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(site + DIGEST)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    page.keyboard.press("Tab")
    back = page.get_by_role("link", name="返回街道页面")
    expect(back).to_be_focused()
    assert back.evaluate("a => getComputedStyle(a).outlineStyle") == "solid"
