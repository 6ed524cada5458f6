"""校对 (newsroom/proofing.py): personal data, the wrong-character list, highlighting.

Check digits are computed here by methods other than the module's (ISO 7064 MOD 11-2 by its
recursive rule, Luhn by digit sums), so a wrong constant in one would not hide in the other.
"""

import datetime
import html
import json
import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils.safestring import SafeString
from hypothesis import given, settings
from hypothesis import strategies as st

from newsroom.proofing import (
    DEFAULT_WORD_LIST,
    WordList,
    default_word_list,
    find_personal_data,
    highlight,
    read_word_list,
    run_checks,
    word_list,
)

ROOT = Path(__file__).resolve().parents[2]
PROPERTY = settings(max_examples=200, deadline=None)


def id_check_char(body17):
    """ISO 7064 MOD 11-2, recursive form: p ← 2(p + digit) mod 11; then p + check ≡ 1."""
    p = 0
    for digit in body17:
        p = (p + int(digit)) * 2 % 11
    check = (12 - p) % 11
    return "X" if check == 10 else str(check)


def make_id(region="140213", born="19850612", sequence="123"):
    body = region + born + sequence
    return body + id_check_char(body)


def luhn_check_digit(payload):
    """The digit that makes payload + digit pass Luhn: double every second digit from the
    right of the finished number (the payload's last digit first), add the digits' digits."""
    total = 0
    for i, digit in enumerate(reversed(payload)):
        value = int(digit) * (2 if i % 2 == 0 else 1)
        total += sum(divmod(value, 10))
    return str((10 - total % 10) % 10)


def make_card(payload):
    return payload + luhn_check_digit(payload)


def kinds_and_texts(text):
    return [(hit.kind, hit.text) for hit in find_personal_data(text)]


# --- the helpers agree with the standards' own examples -----------------------------------


def test_check_digit_helpers_agree_with_published_examples():
    # GB 11643-1999's two examples, and the textbook Luhn example 79927398713.
    assert id_check_char("11010519491231002") == "X"
    assert id_check_char("44052418800101001") == "4"
    assert luhn_check_digit("7992739871") == "3"


# --- ID card numbers -----------------------------------------------------------------------


@pytest.mark.parametrize("sequence", ["123", "001", "998"])
def test_valid_id_numbers_are_found_in_text(sequence):
    number = make_id(sequence=sequence)
    text = f"居民王某（身份证号{number}）反映，"
    assert find_personal_data(text)[0].kind == "id_card"
    [hit] = find_personal_data(text)
    assert (hit.text, text[hit.start : hit.end], hit.label) == (number, number, "身份证号码")


def test_id_numbers_ending_in_x_either_case():
    body = next(
        "14021319850612" + f"{n:03}"
        for n in range(1000)
        if id_check_char("14021319850612" + f"{n:03}") == "X"
    )
    assert kinds_and_texts(f"证号{body}X。") == [("id_card", body + "X")]
    assert kinds_and_texts(f"证号{body}x。") == [("id_card", body + "x")]


def test_every_wrong_check_character_is_not_an_id():
    number = make_id()
    for wrong in set("0123456789X") - {number[-1]}:
        assert find_personal_data(number[:-1] + wrong) == [], wrong


@pytest.mark.parametrize(
    "born",
    [
        "19850230",  # 2月30日
        "19851301",  # no 13th month
        "19850001",
        "18991231",  # before 1900: nobody alive
        "20900101",  # in the future
    ],
)
def test_impossible_birth_dates_are_not_ids(born):
    assert find_personal_data(make_id(born=born)) == []


def test_the_standards_1880_example_is_checksum_valid_but_not_a_living_person():
    # It happens to pass Luhn too, and 4… opens card numbers: it is reported as a possible card.
    assert kinds_and_texts("440524188001010014") == [("bank_card", "440524188001010014")]
    assert kinds_and_texts("证号440524188001010014。") != [("id_card", "440524188001010014")]


@pytest.mark.parametrize("region", ["990101", "000000", "190101", "720101"])
def test_unknown_provinces_are_not_ids(region):
    assert find_personal_data(make_id(region=region)) == []


def test_id_inside_a_longer_digit_run_is_not_an_id():
    number = make_id()
    assert find_personal_data("1" + number) == []
    assert find_personal_data(number + "5") == []


def test_full_width_digits_are_found_and_reported_as_written():
    number = make_id()
    wide = number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    assert kinds_and_texts(f"身份证：{wide}") == [("id_card", wide)]


@PROPERTY
@given(
    st.sampled_from(["110105", "140213", "620102", "810000"]),
    st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date.today()),
    st.integers(0, 999),
    st.integers(1, 10),
)
def test_any_valid_id_is_found_and_any_other_check_is_not(region, born, sequence, shift):
    body = f"{region}{born:%Y%m%d}{sequence:03}"
    right = id_check_char(body)
    assert kinds_and_texts(f"号码{body}{right}。") == [("id_card", body + right)]
    wrong = "0123456789X"[("0123456789X".index(right) + shift) % 11]
    # (A wrong check may still pass Luhn and be reported as a possible card: 62… are cards.)
    assert "id_card" not in [kind for kind, _ in kinds_and_texts(f"号码{body}{wrong}。")]


# --- Mobile numbers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "13800138000",
        "19912345678",
        "138 0013 8000",
        "138-0013-8000",
        "+86 138 0013 8000",
        "+8613800138000",
        "+86-139-1234-5678",
        "86-13800138000",
        "0086 13800138000",
        "(+86)13800138000",
        "（＋８６）１３８００１３８０００",
    ],
)
def test_mobile_numbers_as_people_write_them(written):
    text = f"联系电话：{written}。"
    assert kinds_and_texts(text) == [("mobile", written)]
    [hit] = find_personal_data(text)
    assert text[hit.start : hit.end] == written


def test_two_mobile_numbers_side_by_side():
    assert kinds_and_texts("13800138000，13912345678,15012345678") == [
        ("mobile", "13800138000"),
        ("mobile", "13912345678"),
        ("mobile", "15012345678"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "12345678901",  # no mobile network starts 12
        "10086123456",
        "138001380001",  # twelve digits
        "9138001380001",
        "13800000000元",  # phone-like amounts
        "13800000000 元",
        "共13800000000万元",
        "￥13800138000",
        "人民币13800138000",
        "13800138000.50",
        "0.13800138000",
        "1,380,000",
        "13,800,000,000元",
        "第12345678901号",  # article and document numbers
        "第13812345678号",
        "1380013800",  # ten digits
    ],
)
def test_things_that_are_not_mobile_numbers(text):
    assert find_personal_data(text) == []


# --- Bank card numbers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        "622202020000123",  # 16 digits, 银联 62
        "6222020200001234",  # 17
        "62220202000012345",  # 18
        "622202020000123456",  # 19
        "411111111111111",  # 4…, 16
        "522222222222222",  # 5…, 16
        "222100000000000",  # Mastercard's 2221–2720 range
        "955880000000000000",  # an old 9… domestic card, 19
    ],
)
def test_luhn_valid_card_numbers_are_found(payload):
    number = make_card(payload)
    assert kinds_and_texts(f"卡号：{number}。") == [("bank_card", number)]


def test_card_numbers_written_in_groups_of_four():
    number = make_card("622202020000123456")
    spaced = " ".join(number[i : i + 4] for i in range(0, len(number), 4))
    hyphened = spaced.replace(" ", "-")
    assert kinds_and_texts(f"卡号{spaced}，") == [("bank_card", spaced)]
    assert kinds_and_texts(f"卡号{hyphened}，") == [("bank_card", hyphened)]


def test_luhn_invalid_numbers_are_not_cards():
    number = make_card("622202020000123")
    for wrong in set("0123456789") - {number[-1]}:
        assert find_personal_data(f"卡号{number[:-1]}{wrong}") == [], wrong


@pytest.mark.parametrize(
    "payload",
    [
        "202209301030000",  # a date and time, 16 digits, Luhn-valid
        "199912310000000",
        "722202020000123",  # no card network starts 7, 8, 0 or 1
        "022202020000123",
        "622202020000",  # 13 digits
        "62220202000012345678",  # 21 digits
    ],
)
def test_luhn_valid_numbers_that_are_not_cards(payload):
    assert find_personal_data(make_card(payload)) == []


def test_an_id_number_that_also_passes_luhn_is_one_id_hit():
    # 62… opens both a 甘肃 ID number and a 银联 card; find one that passes both checks.
    candidates = (make_id(region="620102", sequence=f"{n:03}") for n in range(1000))
    number = next(n for n in candidates if luhn_check_digit(n[:-1]) == n[-1])
    assert kinds_and_texts(number) == [("id_card", number)]


# --- Door-level addresses -------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "3号楼2单元301室",
        "12号楼1单元5层502室",
        "5号楼2单元1102",
        "5栋2单元301号",
        "5栋1203号",
        "二栋三单元五〇一室",
        "6幢302室",
        "十二号楼二单元三〇一室",
        "A座1203室",
        "3号院5号楼2单元301室",
        "3号楼2-301",
        "12-2-301室",
        "2单元301室",
        "5号楼2门301号",
    ],
)
def test_door_level_addresses(address):
    text = f"家住永安里小区{address}的居民"
    assert kinds_and_texts(text) == [("address", address)]


@pytest.mark.parametrize(
    "text",
    [
        "迎宾街18号",  # a street number alone
        "杨树局家属楼小区1号楼的一商铺门前",  # a building without unit or room
        "3号楼2单元门口",
        "18号院",
        "平城区18号院3号楼",
        "御河九号科创中心",
        "新建了三座桥",
        "改造了三栋楼",
        "社区301室",
        "3楼会议室",
        "第3单元5号",
        "小区北2门3号楼前",  # a gate and a building
    ],
)
def test_public_places_are_not_door_level_addresses(text):
    assert find_personal_data(text) == []


# --- The bulletin itself -------------------------------------------------------------------


def bulletin_items():
    items = []
    for path in sorted((ROOT / "fixtures").glob("bulletin*.json")):
        items += [
            obj["fields"]
            for obj in json.loads(path.read_text(encoding="utf-8"))
            if obj["model"] == "news.article"
        ]
    return items


def test_the_bulletin_has_no_hits():
    items = bulletin_items()
    assert len(items) == 8
    words = default_word_list()
    for item in items:
        fields = {
            name: item[name]
            for name in ["kicker", "headline", "subtitle", "body", "photo_caption", "photo_alt"]
        }
        report = run_checks(fields, words)
        assert report.clean, (item["headline"], report.personal, report.words)


# --- The wrong-character list -----------------------------------------------------------------


def test_the_default_list():
    entries = read_word_list(DEFAULT_WORD_LIST)
    assert len(entries) >= 50
    assert {("按装", "安装"), ("既使", "即使"), ("再接再励", "再接再厉"), ("震憾", "震撼")} <= {
        (w, s) for w, s, _ in entries
    }
    assert {level for _, _, level in entries} == {"warn", "block"}
    assert len({w for w, _, _ in entries}) == len(entries)
    assert all(re.fullmatch(r"[\u4e00-\u9fff]+", w + s) and w != s for w, s, _ in entries)


def test_every_listed_word_is_found_and_its_correction_is_clean():
    words = default_word_list()
    for word, suggestion, level in read_word_list(DEFAULT_WORD_LIST):
        text = f"今天，{word}。"
        assert [(h.word, h.suggestion, h.level, h.start, h.end) for h in words.find(text)] == [
            (word, suggestion, level, 3, 3 + len(word))
        ]
        # The corrected word trips nothing: the list holds no correct words.
        assert words.find(suggestion) == [], suggestion


def test_words_in_a_sentence_in_order():
    hits = default_word_list().find("请师傅上门按装热水器，大家再接再励，演出令人震憾。按装")
    assert [(h.word, h.suggestion, h.level, h.start) for h in hits] == [
        ("按装", "安装", "warn", 5),
        ("再接再励", "再接再厉", "block", 13),
        ("震憾", "震撼", "block", 22),
        ("按装", "安装", "warn", 25),
    ]


def test_overlapping_words_keep_the_longer_one():
    words = word_list([("知识产权", "甲", "warn"), ("国家知识产权局", "乙", "block")])
    # pyahocorasick's iter_long misses this one (see WordList.find).
    assert [(h.word, h.start) for h in words.find("国家知识产权")] == [("知识产权", 2)]
    assert [h.word for h in words.find("国家知识产权局")] == ["国家知识产权局"]
    crossing = word_list([("ab", "1", "warn"), ("bcd", "2", "warn"), ("de", "3", "warn")])
    assert [h.word for h in crossing.find("abcde")] == ["bcd"]
    tie = word_list([("ab", "1", "warn"), ("bc", "2", "warn")])
    assert [h.word for h in tie.find("abc")] == ["ab"]


def test_latin_words_match_regardless_of_case_and_width():
    words = word_list([("WiFi", "无线网络", "warn")])
    assert [h.word for h in words.find("连上wifi、ＷＩＦＩ和WIFI")] == ["wifi", "ＷＩＦＩ", "WIFI"]


def test_list_entries_are_cleaned():
    words = word_list([(" 按装 ", " 安装 ", "warn"), ("", "x", "block"), ("按装", "装上", "block")])
    assert words.entries == (("按装", "安装", "block"),)
    with pytest.raises(ValueError, match="级别应为 warn 或 block"):
        word_list([("按装", "安装", "error")])


def test_an_empty_list_finds_nothing():
    assert word_list([]).find("按装") == []
    assert run_checks({"body": "按装"}, []).words == []


def test_the_automaton_is_built_once_per_list_content():
    entries = [("按装", "安装", "warn"), ("震憾", "震撼", "block")]
    first = word_list(entries)
    assert word_list(list(entries)) is first
    assert word_list(tuple(entries)) is first
    assert word_list(first) is first
    changed = word_list([*entries, ("既使", "即使", "warn")])
    assert changed is not first and len(changed) == 3
    assert isinstance(default_word_list(), WordList)


def test_a_malformed_word_list_file_names_the_line(tmp_path):
    path = tmp_path / "words.tsv"
    path.write_text("# 注释\n\n按装\t安装\twarn\n震憾 震撼 block\n", encoding="utf-8")
    with pytest.raises(ValueError, match="第 4 行应有三栏"):
        read_word_list(path)
    path.write_text("# 注释\n\n按装\t安装\twarn\n", encoding="utf-8")
    assert read_word_list(path) == [("按装", "安装", "warn")]


# --- Highlighting --------------------------------------------------------------------------


def strip_marks(rendered):
    return html.unescape(re.sub(r"</?mark[^>]*>", "", rendered))


def test_highlight_marks_hits_with_their_suggestion_and_escapes_the_text():
    text = '<script>alert("x")</script>请按装 & 联系13800138000'
    report = run_checks({"body": text}, default_word_list())
    rendered = report.fields["body"].highlighted
    assert isinstance(rendered, SafeString)
    assert "<script>" not in rendered
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in rendered
    assert (
        '<mark class="proof proof-word proof-warn" title="请核对：建议改为“安装”。">按装</mark>'
        in (rendered)
    )
    assert (
        '<mark class="proof proof-mobile proof-block" title="手机号码：公开前请删去或遮盖。">'
        in (rendered)
    )
    assert " &amp; " in rendered
    assert strip_marks(rendered) == text


def test_markup_in_the_editors_list_is_escaped_too():
    words = word_list([("<b>按装</b>", '"><img src=x onerror=alert(1)>', "block")])
    rendered = highlight("先<b>按装</b>后", words.find("先<b>按装</b>后"))
    assert "<img" not in rendered and "<b>" not in rendered
    assert 'title="须改正：建议改为“&quot;&gt;&lt;img src=x onerror=alert(1)&gt;”。"' in rendered
    assert ">&lt;b&gt;按装&lt;/b&gt;</mark>" in rendered


def test_highlight_in_a_template_is_neither_escaped_twice_nor_left_raw():
    text = "<i>再接再励</i>"
    rendered = Template("{{ marked }}|{{ raw }}").render(
        Context({"marked": highlight(text, default_word_list().find(text)), "raw": text})
    )
    marked, raw = rendered.split("|")
    assert marked.startswith("&lt;i&gt;<mark ") and "&amp;lt;" not in marked
    assert raw == "&lt;i&gt;再接再励&lt;/i&gt;"


def test_overlapping_hits_mark_the_first_given_and_keep_line_breaks():
    text = "第一段。\n\n住3号楼2单元301室"
    words = word_list([("单元301", "x", "warn")])
    report = run_checks({"body": text}, words)
    rendered = report.fields["body"].highlighted
    assert rendered.count("<mark") == 1 and "proof-address" in rendered
    assert "第一段。\n\n住" in rendered


@PROPERTY
@given(
    st.text(st.sampled_from("0123456789 -+()号楼栋单元室第元按装再接励<>&\"'，。\n"), max_size=80)
)
def test_any_text_survives_highlighting_unchanged(text):
    report = run_checks({"body": text}, default_word_list())
    hits = sorted(report.personal + report.words, key=lambda hit: hit.start)
    assert all(text[hit.start : hit.end] == hit.text for hit in hits)
    assert strip_marks(report.fields["body"].highlighted) == text


# --- run_checks --------------------------------------------------------------------------------


def test_run_checks_reports_each_field():
    number = make_id()
    report = run_checks(
        {
            "headline": "社区按装路灯",
            "body": f"居民（身份证{number}）说：大家再接再励。",
            "subtitle": "",
            "photo_caption": None,
        },
        [("按装", "安装", "warn"), ("再接再励", "再接再厉", "block")],
    )
    assert list(report.fields) == ["headline", "body", "subtitle", "photo_caption"]
    assert [h.word for h in report.fields["headline"].words] == ["按装"]
    assert report.fields["headline"].personal == ()
    assert [(h.kind, h.text) for h in report.fields["body"].personal] == [("id_card", number)]
    assert [h.word for h in report.blocking] == ["再接再励"]
    assert report.fields["photo_caption"].text == "" and report.fields["subtitle"].words == ()
    assert not report.clean
    assert run_checks({"body": "一切正常。"}, default_word_list()).clean
