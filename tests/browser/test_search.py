"""A resident searches from the header box in Chromium and finds the right items."""

import pytest
from playwright.sync_api import expect

CASES = [
    ("社工", ["打造特色服务 提升社工能力"]),
    ("老", ["打造特色服务 提升社工能力", "送学上门暖人心", "科创体验学科学"]),
    ("外卖小哥", ["暖“新”议事 认领服务"]),
    ("永安里", ["污水外溢 快速处理"]),
    ("3D打印", ["科创体验学科学"]),
]


@pytest.mark.parametrize("query, headlines", CASES, ids=[q for q, _ in CASES])
def test_resident_finds_items_from_the_header_search_box(page, site, query, headlines):
    page.goto(site + "/streets/")
    box = page.get_by_role("search", name="全站搜索").get_by_role("searchbox")
    box.fill(query)
    box.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("搜索")
    expect(page.get_by_role("status")).to_contain_text(f"找到 {len(headlines)} 篇稿件")
    results = page.locator(".search-results h2")
    expect(results).to_have_count(len(headlines))
    assert sorted(results.all_inner_texts()) == sorted(headlines)
    expect(page.locator(".search-results mark").first).to_be_visible()


def test_search_filters_and_result_link(page, site, screenshot):
    page.goto(site + "/search/?q=社区")
    page.get_by_label("街道").select_option(label="迎宾街道")
    page.get_by_role("button", name="搜索").last.click()
    expect(page.get_by_role("status")).to_contain_text("找到 2 篇稿件（迎宾街道）")
    screenshot("search")
    page.get_by_role("link", name="清理枯树 保障出行").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("清理枯树 保障出行")
