"""适老化: every page type checked in Chromium against the numbers of 工信部's two age-friendly
design specifications (网站 and APP, 2021): in 中 and 大, in 长者模式 alone and with 大 (one
test each), on a 375 px phone and a 1280 px screen, in the light and the dark colour scheme.

Per page load, from computed styles and geometry (tests/browser/age_friendly.js), once in each
colour scheme (switched without reloading):
- text sizes: every text run ≥ the setting's floor, body and article text ≥ its body size
  (长者模式 ≥ 24 px = 18 pt; the largest setting, 长者模式 with 大, ≥ 30 px);
- line height ≥ 1.3 × the font size, the gap between paragraphs ≥ 1.3 × the line height;
- contrast of every text run (and placeholder) ≥ 4.5:1, ≥ 3:1 for large text;
- every link and control ≥ 44 × 44 px, ≥ 60 × 60 px in 长者模式;
- no sideways scrolling;
- nothing told by colour alone (links in text underlined or boxed; current, pressed and
  marked states differ in weight, decoration, border or outline too);
- focus: Tab through the whole page (real key presses, light scheme): every focusable element
  reached, in reading order, each with a :focus-visible outline ≥ 2 px at ≥ 3:1 against what
  is behind it, in view and not covered; in the dark scheme the same stops are focused again by
  script (after keyboard use they keep :focus-visible, which is checked) and measured again.

One browser (the session's), one live server, one data load per test; each test reports every
problem it finds at once. The last test spoils a page on purpose and expects each kind of fault
to be named, so the check itself is known to fail when it should.
"""

import json
from pathlib import Path

import pytest

from .test_accessibility import PAGE_TYPES
from .test_html_validity import add_a_second_page_of_items
from .test_read_aloud import MANDARIN, STUB

AUDIT_JS = (Path(__file__).parent / "age_friendly.js").read_text()

PAGES = {**PAGE_TYPES, "street-page-2": "/streets/ceshi/?page=2"}
WIDTHS = {"phone": {"width": 375, "height": 812}, "screen": {"width": 1280, "height": 800}}
# The reader's settings (cookies, as the 字号 and 长者模式 links set them) and their limits in
# CSS px: the smallest text anywhere, the body text, the smallest link or control.
SETTINGS = {
    "medium": ({}, {"minText": 16, "minBody": 18, "minTarget": 44}),
    "large": ({"pc_size": "large"}, {"minText": 21, "minBody": 24, "minTarget": 44}),
    "elder": ({"pc_contrast": "high"}, {"minText": 24, "minBody": 24, "minTarget": 60}),
    "elder-large": (
        {"pc_contrast": "high", "pc_size": "large"},
        {"minText": 24, "minBody": 30, "minTarget": 60},
    ),
}


@pytest.fixture
def reader(browser, site_with_photo, request):
    """A page in a browser context with one setting's cookies and the auditor installed, and
    the setting's limits."""
    cookies, limits = SETTINGS[request.param]
    context = browser.new_context(locale="zh-CN")
    site = site_with_photo
    context.add_cookies([{"name": k, "value": v, "url": site} for k, v in cookies.items()])
    context.add_init_script(AUDIT_JS)
    # A Mandarin voice, so that articles show their 朗读 controls and those are measured too.
    context.add_init_script(STUB % json.dumps([MANDARIN]))
    yield context.new_page(), limits
    context.close()


def tab_through(page):
    """Press Tab once per focusable element; each focus is measured as it happens."""
    count = page.evaluate("__ageFriendly.watchFocus(), __ageFriendly.tabbable().length")
    for _ in range(count):
        page.keyboard.press("Tab")
    return page.evaluate("__ageFriendly.focusProblems()")


def check_page(page, limits):
    """Both colour schemes of the loaded page: its problems (each named with the scheme) and
    what was measured."""
    problems = []
    counts = {"targets": 0, "textRuns": 0, "paragraphPairs": 0, "states": 0, "focusStops": 0}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        found = page.evaluate("limits => __ageFriendly.audit(limits)", limits)
        if scheme == "light":
            focus = tab_through(page)
        else:
            focus = page.evaluate("__ageFriendly.refocus(), __ageFriendly.focusProblems()")
        problems += [f"{scheme}: {p}" for p in found["problems"] + focus["problems"]]
        for key, value in found["counts"].items():
            counts[key] += value
        counts["focusStops"] += focus["stops"]
    return problems, counts


@pytest.mark.parametrize("reader", SETTINGS, indirect=True)
def test_every_page_type_meets_the_age_friendly_numbers(reader, site_with_photo):
    page, limits = reader
    add_a_second_page_of_items()
    problems, totals = [], {"pages": 0}
    for viewport in WIDTHS.values():
        page.set_viewport_size(viewport)
        for name, path in PAGES.items():
            response = page.goto(site_with_photo + path)
            assert response.status == (404 if name == "not-found" else 200), path
            found, counts = check_page(page, limits)
            problems += [f"{name} {path} @{viewport['width']}px {p}" for p in found]
            totals["pages"] += 1
            for key, value in counts.items():
                totals[key] = totals.get(key, 0) + value
    # It went everywhere: 15 page types at two widths, each in two schemes; per test some 2,000
    # targets and focus stops, 3,400 text runs, 70 paragraph pairs, 300 marked states.
    assert totals["pages"] == 2 * len(PAGES)
    assert totals["targets"] > 40 * totals["pages"] and totals["focusStops"] > 40 * totals["pages"]
    assert totals["textRuns"] > 100 * totals["pages"]
    assert totals["paragraphPairs"] > 2 * totals["pages"] and totals["states"] > 5 * totals["pages"]
    unique = list(dict.fromkeys(problems))
    assert not unique, f"{len(unique)} problems:\n" + "\n".join(unique[:150])


# Faults a careless stylesheet or script could bring, one of each kind the check looks for.
FAULTS = """
  .breadcrumb { font-size: 11px !important; }
  .story-body p { font-size: 15px !important; }
  #site-search-q::placeholder { color: #c8c8c8 !important; }
  .skip-link:focus { top: -10rem !important; }
  .story h1 { line-height: normal !important; }
  .story-body p:has(+ p), .story-body p + p { margin-block: 0.2em !important; }
  .story .meta { color: #b0b0b0 !important; }
  .site-nav a { min-height: 0 !important; padding-block: 0 !important; }
  .share-qr { width: 900px !important; height: 900px !important; }
  .story .meta a { text-decoration: none !important; }
  .reading-tools a[aria-current] { font-weight: inherit !important; }
  .site-search button:focus-visible { outline: none !important; }
  .site-footer { position: fixed !important; inset: auto 0 0 0; background: #fff; z-index: 5; }
"""
TRAP = """document.querySelector(".prev-next a").addEventListener("keydown", (event) => {
  if (event.key === "Tab") event.preventDefault();  // a keyboard trap
});
document.querySelector(".story .meta a").tabIndex = 1;  // jumps the queue"""


def test_the_check_finds_each_kind_of_fault(browser, site):
    """The check itself can fail: on an article spoilt on purpose it names every fault."""
    context = browser.new_context(locale="zh-CN", bypass_csp=True, viewport=WIDTHS["phone"])
    context.add_init_script(AUDIT_JS)
    page = context.new_page()
    page.goto(site + "/news/7/")
    page.add_style_tag(content=FAULTS)
    page.evaluate(TRAP)
    found = page.evaluate("limits => __ageFriendly.audit(limits)", SETTINGS["medium"][1])[
        "problems"
    ]
    focus = tab_through(page)["problems"]
    context.close()
    report = "\n".join(found + focus)
    for expected in (
        "text 11px < 16px: <a>首页",
        "article text 15px < 18px: <p>本报讯",
        "placeholder contrast 1.67:1",
        'line height "normal" (unspecified): <h1>清理枯树',
        "paragraph gap 3.0px < 1.3 × 27.0px: <p>本报讯",
        "contrast 2.17:1 < 4.5:1: <p.meta>发布时间",
        "target 44×32 < 44×44: <a>首页",
        "sideways scrolling by",
        "link in text told apart by colour only: <a>郑林",
        "state shown by colour only: <a>字号 中",
        "focus outline 0px < 2px: <button>搜索",
        "focused element covered by another: <a>暖“新”议事",
        "never reached by Tab: <a>首页",  # the footer's, after the trap
        "Tab order differs from the reading order",
        "focused element out of view: <a.skip-link>",
    ):
        assert expected in report, f"{expected!r} not found in:\n{report}"
