"""朗读 in Chromium. Headless Chromium has no voices, so a stub `speechSynthesis` is installed
before any page script: it lists the voices the test gives it and records every utterance
(text, language, voice, rate) and every cancel, in order. An utterance ends only when the test
says so (`__speech.finish()`), so the test can look at the page while each one is "spoken".
"""

import json

import pytest
from playwright.sync_api import expect

from news.models import Article

STUB = """
(() => {
  const voices = %s;
  const log = [];
  let current = null;
  const listeners = {};
  window.__speech = {
    log,
    finish() {  // the utterance being spoken comes to its end
      const u = current;
      current = null;
      if (u && u.onend) u.onend({});
    },
    addVoices(more) {  // the browser finishes loading its voices
      voices.push(...more);
      (listeners.voiceschanged || []).forEach((fn) => fn({}));
    },
  };
  class Utterance {
    constructor(text) { Object.assign(this, {text, lang: "", rate: 1, voice: null}); }
  }
  const synth = {
    getVoices: () => voices.slice(),
    speak(u) {
      log.push({speak: u.text, lang: u.lang, rate: u.rate, voice: u.voice && u.voice.name});
      current = u;
    },
    cancel() {  // as browsers do, the cancelled utterance still reports an end
      log.push({cancel: true});
      const u = current;
      current = null;
      if (u && u.onend) u.onend({});
    },
    pause() { log.push({pause: true}); },
    resume() { log.push({resume: true}); },
    addEventListener(type, fn) { (listeners[type] = listeners[type] || []).push(fn); },
  };
  Object.defineProperty(window, "speechSynthesis", {value: synth, configurable: true});
  window.SpeechSynthesisUtterance = Utterance;
})();
"""
MANDARIN = {"name": "普通话（测试）", "lang": "zh-CN"}
ENGLISH = {"name": "English (test)", "lang": "en-US"}


def speaker(browser, voices, **options):
    context = browser.new_context(locale="zh-CN", **options)
    context.add_init_script(STUB % json.dumps(voices))
    return context


@pytest.fixture
def listener(browser, site):
    """A page whose browser has a Mandarin voice."""
    context = speaker(browser, [ENGLISH, MANDARIN])
    yield context.new_page()
    context.close()


def spoken(page):
    return [entry["speak"] for entry in page.evaluate("__speech.log") if "speak" in entry]


def expected_parts(article):
    """What is read, in order: kicker, headline, subtitle, then each paragraph (the first opened
    by the dateline, as the page prints it)."""
    heads = [text for text in (article.kicker, article.headline, article.subtitle) if text]
    first, *rest = article.paragraphs
    return [*heads, f"{article.dateline}（记者 {article.reporter.name}）{first}", *rest]


def highlighted(page):
    return page.locator(".is-reading")


def test_reads_headline_and_body_paragraph_by_paragraph_with_the_highlight_following(
    listener, site, screenshot
):
    page, article = listener, Article.objects.get(pk=1)  # the lead: kicker, headline, body
    page.goto(site + article.get_absolute_url())
    expect(page.locator(".read-aloud-note")).to_be_hidden()
    page.get_by_role("button", name="朗读全文").click()
    parts = expected_parts(article)
    assert len(parts) >= 4
    readable = page.locator(".story .kicker, .story h1, .story .subtitle, .story-body p")
    for number, text in enumerate(parts):
        assert spoken(page) == parts[: number + 1] and spoken(page)[-1] == text
        expect(highlighted(page)).to_have_count(1)
        expect(readable.nth(number)).to_contain_class("is-reading")
        if number == 2:
            screenshot("read-aloud-paragraph", of=page)
        page.evaluate("__speech.finish()")
    expect(highlighted(page)).to_have_count(0)
    expect(page.get_by_role("status").filter(has_text="读完了")).to_be_visible()
    expect(page.get_by_role("button", name="朗读全文")).to_be_visible()
    log = [entry for entry in page.evaluate("__speech.log") if "speak" in entry]
    assert {(e["lang"], e["voice"], e["rate"]) for e in log} == {("zh-CN", "普通话（测试）", 1)}


def test_pause_and_continue_resume_at_the_paragraph_being_read(listener, site):
    page, article = listener, Article.objects.get(pk=7)
    parts = expected_parts(article)
    page.goto(site + article.get_absolute_url())
    page.get_by_role("button", name="朗读全文").click()
    page.evaluate("__speech.finish()")  # the headline is read; now the first paragraph
    page.get_by_role("button", name="暂停朗读").click()
    assert page.evaluate("__speech.log").pop() == {"cancel": True}  # the voice stops at once
    assert spoken(page) == parts[:2]  # and does not run on into the next paragraph
    expect(page.locator(".story-body p").first).to_contain_class("is-reading")  # kept in place
    expect(page.locator(".read-aloud").get_by_role("status")).to_contain_text("已暂停")
    page.get_by_role("button", name="继续朗读").click()
    assert spoken(page) == [*parts[:2], parts[1]]  # that paragraph again, from its start
    page.evaluate("__speech.finish()")
    assert spoken(page)[-1] == parts[2]
    expect(page.locator(".story-body p").nth(1)).to_contain_class("is-reading")
    page.get_by_role("button", name="停止").click()
    expect(highlighted(page)).to_have_count(0)
    expect(page.get_by_role("button", name="停止")).to_be_hidden()
    assert spoken(page)[-1] == parts[2]  # nothing more is said


def test_slow_speed_applies_at_once_and_to_what_follows(listener, site):
    page, article = listener, Article.objects.get(pk=2)
    parts = expected_parts(article)
    page.goto(site + article.get_absolute_url())
    slow = page.get_by_role("button", name="慢速")
    normal = page.get_by_role("button", name="正常速度")
    expect(normal).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="朗读全文").click()
    page.evaluate("__speech.finish()")
    slow.click()  # while the first paragraph is being read: it starts again, slower
    expect(slow).to_have_attribute("aria-pressed", "true")
    expect(normal).to_have_attribute("aria-pressed", "false")
    page.evaluate("__speech.finish()")
    log = [entry for entry in page.evaluate("__speech.log") if "speak" in entry]
    assert [(e["speak"], e["rate"]) for e in log] == [
        (parts[0], 1),
        (parts[1], 1),
        (parts[1], 0.7),
        (parts[2], 0.7),
    ]


def test_voices_that_arrive_after_the_page_loads_bring_the_button(browser, site):
    context = speaker(browser, [])
    page = context.new_page()
    page.goto(site + "/news/3/")
    page.evaluate(f"__speech.addVoices([{json.dumps(MANDARIN)}])")
    expect(page.get_by_role("button", name="朗读全文")).to_be_visible()
    expect(page.locator(".read-aloud-note")).to_be_hidden()
    context.close()


@pytest.mark.parametrize("voices", [[], [ENGLISH]], ids=["no-voice", "english-only"])
def test_without_a_mandarin_voice_a_short_note_instead_of_the_button(browser, site, voices):
    context = speaker(browser, voices)
    page = context.new_page()
    page.goto(site + "/news/3/")
    expect(page.locator(".read-aloud-note")).to_have_text(
        "这台设备的浏览器没有普通话语音，不能朗读。"
    )
    expect(page.locator(".read-aloud-note")).to_be_visible()
    expect(page.get_by_role("button", name="朗读全文")).to_be_hidden()
    page.evaluate(f"__speech.addVoices([{json.dumps(ENGLISH)}])")  # still no Mandarin
    expect(page.get_by_role("button", name="朗读全文")).to_be_hidden()
    context.close()


def test_without_javascript_there_is_no_button_and_no_note(browser, site):
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "/news/3/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="朗读全文")).to_be_hidden()
    expect(page.locator(".read-aloud-note")).to_be_hidden()
    context.close()
