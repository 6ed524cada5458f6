"""import_bulletin: JSON items from a sender, checked as a whole, imported all or nothing."""

import json
from datetime import datetime
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from news.models import Article
from news.search import Hits
from newsroom import publishing, review, versions
from newsroom.models import Edit
from tests.review import account
from tests.review import publish as publish_reviewed

SHANGHAI = ZoneInfo("Asia/Shanghai")
EXAMPLE = Path(__file__).parents[1] / "data" / "import_example.json"


def item(n, **fields):
    """A good item: published, by 郑林 (a reporter of the bulletin fixture)."""
    return {
        "id": f"2022-10-08-{n:02d}",
        "headline": f"社区活动第{n}场",
        "reporter": "郑林",
        "body": f"第{n}场活动的第一段。\n\n第二段。",
        "published_at": "2022-10-08T09:00",
        "status": "published",
        **fields,
    }


def write(tmp_path, document, name="items.json"):
    path = tmp_path / name
    if isinstance(document, bytes):
        path.write_bytes(document)
    else:
        path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def run(path, *options):
    out = StringIO()
    call_command("import_bulletin", str(path), *options, stdout=out)
    return out.getvalue()


def rows():
    """Every article as stored, every column (updated_at included)."""
    return list(Article.objects.order_by("pk").values())


def refused(path):
    """Import `path`, expect a refusal that writes nothing; return the message."""
    before = rows()
    with pytest.raises(CommandError) as caught:
        run(path)
    assert caught.value.returncode == 1
    assert rows() == before
    message = str(caught.value)
    assert message.startswith("没有导入任何稿件")
    return message


# --- a good file ----------------------------------------------------------------------------


def test_good_file_imports_every_item_onto_the_site(client, bulletin, tmp_path):
    path = write(
        tmp_path,
        {
            "items": [
                item(1, street="迎宾街道", community="永安里社区", kicker="喜迎国庆"),
                item(2, community="xingguosi", reporter="yang-cuiye", dateline=None),
                item(3, status="draft", published_at="2022-10-08T10:30:00+08:00"),
            ]
        },
    )
    out = run(path)
    assert "导入完成：新增 3 篇，更新 0 篇，未变 0 篇。" in out
    assert Article.objects.count() == 8 + 3

    first, second, third = (
        Article.objects.get(import_key=f"2022-10-08-{n:02d}") for n in (1, 2, 3)
    )
    assert (first.street.slug, first.community.slug, first.kicker) == (
        "yingbin",
        "yonganli",
        "喜迎国庆",
    )
    assert first.published_at == datetime(2022, 10, 8, 9, 0, tzinfo=SHANGHAI)
    assert first.paragraphs == ["第1场活动的第一段。", "第二段。"]
    # A community names its street; slugs work as well as names; dateline defaults to 本报讯.
    assert (second.street.slug, second.community.slug) == ("yongtai", "xingguosi")
    assert (second.reporter.name, second.dateline) == ("杨翠叶", "本报讯")
    assert third.status == Article.Status.DRAFT and third.street is None

    # 先审后发: "published" in the file means submitted (待初审), never live.
    assert [review.state(a) for a in (first, second, third)] == ["待初审", "待初审", "草稿"]
    for article in (first, second, third):
        assert article.status == Article.Status.DRAFT
        assert client.get(article.get_absolute_url()).status_code == 404
    for article in (first, second):
        for step in review.steps():
            review.decide(article.pk, user=account(step.value), step=step, passed=True)
        publishing.publish(article.pk, user=account("publisher"))
        article.refresh_from_db()
        response = client.get(article.get_absolute_url())
        assert response.status_code == 200
        assert article.headline in response.content.decode()
    assert client.get(third.get_absolute_url()).status_code == 404  # a draft stays unseen
    assert len(Hits(["社区活动"])) == 2  # saved through Article.save: indexed


def test_the_readme_example_imports(bulletin):
    out = run(EXAMPLE)
    assert "新增 2 篇" in out
    assert Article.objects.filter(import_key__startswith="2022-10-08-").count() == 2


def test_a_bare_list_and_a_utf8_bom_are_accepted(bulletin, tmp_path):
    text = json.dumps([item(1)], ensure_ascii=False)
    path = write(tmp_path, b"\xef\xbb\xbf" + text.encode())
    assert "新增 1 篇" in run(path)


def test_importing_the_same_file_twice_changes_nothing(bulletin, tmp_path):
    path = write(tmp_path, {"items": [item(n) for n in range(1, 5)]})
    run(path)
    before = rows()
    out = run(path)
    assert "导入完成：新增 0 篇，更新 0 篇，未变 4 篇。" in out
    assert rows() == before  # not even updated_at moved: nothing was saved


def test_a_changed_draft_updates_its_article_and_nothing_else(bulletin, tmp_path):
    items = [item(n, status="draft") for n in range(1, 4)]
    run(write(tmp_path, {"items": items}))
    before = {row["import_key"]: row for row in rows()}

    items[1]["headline"] = "改过的标题"
    out = run(write(tmp_path, {"items": items}))
    assert "导入完成：新增 0 篇，更新 1 篇，未变 2 篇。" in out
    assert "更新 第 2 条（编号 2022-10-08-02）：主题" in out
    after = {row["import_key"]: row for row in rows()}
    assert len(after) == len(before)
    changed = [key for key in after if after[key] != before[key]]
    assert changed == ["2022-10-08-02"]
    assert after["2022-10-08-02"]["headline"] == "改过的标题"
    assert after["2022-10-08-02"]["updated_at"] > before["2022-10-08-02"]["updated_at"]
    assert after["2022-10-08-02"]["edit_version"] == 2  # created, then updated: two versions


def test_a_changed_published_item_waits_as_a_working_version(bulletin, client, tmp_path):
    items = [item(n) for n in range(1, 4)]
    run(write(tmp_path, {"items": items}))
    live = Article.objects.get(import_key="2022-10-08-02")
    publish_reviewed(live)  # reviewed and published: version 2 is live
    before = {row["import_key"]: row for row in rows()}

    items[1]["headline"] = "改过的标题"
    out = run(write(tmp_path, {"items": items}))
    assert "导入完成：新增 0 篇，更新 1 篇，未变 2 篇。" in out
    assert "（已发布的稿件：修改存为第 3 版，编辑发布后读者才会看到）" in out
    after = {row["import_key"]: row for row in rows()}
    # The row, and so the public page and the search index, keep the published text; only the
    # version number moved on (and the database's count of writes to the row).
    assert after["2022-10-08-02"]["edit_version"] == 3
    unchanged = {"edit_version": 2, "changes": before["2022-10-08-02"]["changes"]}
    assert {**after["2022-10-08-02"], **unchanged} == before["2022-10-08-02"]
    assert "改过的标题" not in client.get(live.get_absolute_url()).content.decode()
    assert len(Hits(["改过的标题"])) == 0
    newest = versions.latest(live)
    assert versions.is_working(newest) and newest.field_dict["headline"] == "改过的标题"

    # The same file again finds the working version: nothing new.
    out = run(write(tmp_path, {"items": items}))
    assert "更新 0 篇，未变 3 篇" in out
    assert Article.objects.get(pk=live.pk).edit_version == 3


def test_a_reimport_keeps_what_editors_set_in_the_admin(bulletin, tmp_path):
    path = write(tmp_path, {"items": [item(1, status="draft")]})
    run(path)
    Article.objects.filter(import_key="2022-10-08-01").update(is_lead=True)
    without_time = item(1, headline="新标题", status="draft")
    del without_time["published_at"]
    run(write(tmp_path, {"items": [without_time]}))
    article = Article.objects.get(import_key="2022-10-08-01")
    assert article.is_lead and article.headline == "新标题"
    assert article.published_at == datetime(2022, 10, 8, 9, 0, tzinfo=SHANGHAI)  # kept


def test_every_imported_item_keeps_a_version(bulletin, tmp_path):
    run(write(tmp_path, {"items": [item(1), item(2, status="draft")]}))
    for article in Article.objects.filter(import_key__startswith="2022-10-08-"):
        (version,) = versions.history(article)
        edit = version.revision.edit
        assert edit.action == Edit.Action.IMPORT and edit.number == 1 and not edit.working
        assert version.revision.user is None and version.revision.comment == "导入"
        assert version.field_dict["headline"] == article.headline


def test_dry_run_reports_and_writes_nothing(bulletin, tmp_path):
    before = rows()
    out = run(write(tmp_path, {"items": [item(1), item(2)]}), "--dry-run")
    assert "检查通过（没有写入）：导入将新增 2 篇" in out
    assert rows() == before


def test_copy_checks_are_reported_as_reminders(bulletin, tmp_path):
    out = run(write(tmp_path, {"items": [item(1, headline="半角,标点")]}))
    assert "提醒 第 1 条（编号 2022-10-08-01）：“主题”里有半角标点" in out
    assert Article.objects.filter(import_key="2022-10-08-01").exists()


# --- bad input: every problem with its place, nothing written ------------------------------

PLACE = "第 2 条（编号 2022-10-08-02）"


def with_second(**fields):
    """Three items, the second changed by `fields` (None removes a field)."""
    second = item(2, **fields)
    return {"items": [item(1), {k: v for k, v in second.items() if v is not None}, item(3)]}


BAD_FILES = {
    "bad JSON": (
        b'{"items": [{"id": "a",}]}',
        "文件不是有效的 JSON：第 1 行第 23 列附近有错（字段名要用英文双引号括起来，"
        "或者最后一项后面多了逗号）",
    ),
    "wrong shape: a string": (b'"items"', '文件最外层应该是 {"items": [稿件, …]}'),
    "wrong shape: no items": ({"item": [item(1)]}, '文件里没有 "items"'),
    "wrong shape: items not a list": ({"items": {"id": "1"}}, '"items" 应该是列表'),
    "wrong shape: an item not an object": (
        {"items": [item(1), "文艺演出"]},
        "第 2 条应该是一个对象 {…}，现在是文字。",
    ),
    "empty file": (b"  \n", "文件是空的"),
    "no items": ({"items": []}, "文件里没有稿件"),
    "non-UTF-8 bytes": (
        json.dumps({"items": [item(1)]}, ensure_ascii=False).encode("gbk"),
        "文件不是 UTF-8 编码（第 1 行，",
    ),
    "missing required field": (with_second(body=None), f"{PLACE}“正文”：必填，但没有填写"),
    "missing id": (
        {"items": [item(1), {k: v for k, v in item(2).items() if k != "id"}]},
        "第 2 条“编号”：必填，但没有填写（字段名 id）。",
    ),
    "blank headline": (with_second(headline="  "), f"{PLACE}“主题”：必填"),
    "unknown reporter": (with_second(reporter="王五"), f"{PLACE}“记者”：找不到记者“王五”。"),
    "unknown street": (with_second(street="大同街道"), f"{PLACE}“街道”：找不到街道“大同街道”"),
    "unknown community": (
        with_second(street="永泰街道", community="光明社区"),
        f"{PLACE}“社区”：找不到社区“光明社区”。永泰街道的社区：兴国寺社区。",
    ),
    "community not in street": (
        with_second(street="新旺街道", community="兴国寺社区"),
        f"{PLACE}“社区”：所选社区不属于所选街道。兴国寺社区属于永泰街道，不属于新旺街道。",
    ),
    "bad date": (
        with_second(published_at="2022-13-01"),
        f"{PLACE}“发布时间”：“2022-13-01” 不是有效的时间，应写成 2022-09-30T08:00。",
    ),
    "bad status": (with_second(status="public"), f"{PLACE}“状态”：“public” 不是有效的状态"),
    "duplicate id": (
        {"items": [item(1), item(2), item(3, id="2022-10-08-01")]},
        "编号“2022-10-08-01”重复出现在第 1 条、第 3 条",
    ),
    "headline too long": (with_second(headline="长" * 101), f"{PLACE}“主题”：太长：有 101 个字"),
    "a number instead of text": (with_second(subtitle=3), f"{PLACE}“副题”：应该是文字"),
    "unknown field": (with_second(titel="x"), f"{PLACE}：不认识的字段“titel”。"),
    "NUL in the headline": (
        with_second(headline="社区\u0000活动"),
        f"{PLACE}“主题”：不能包含控制字符（U+0000）。",
    ),
    "escape character in the body": (
        with_second(body="第一段。\u001b[31m\n\n第二段。"),
        f"{PLACE}“正文”：不能包含控制字符（U+001B）。",
    ),
    "C1 control in the caption": (
        with_second(photo_caption="活动\u0085现场"),
        f"{PLACE}“图片说明”：不能包含控制字符（U+0085）。",
    ),
    "right-to-left override in the headline": (
        with_second(headline="社区活动\u202e动活区社"),
        f"{PLACE}“主题”：不能包含控制字符（U+202E）。",
    ),
    "isolate in the kicker": (
        with_second(kicker="\u2066喜迎国庆"),
        f"{PLACE}“引题”：不能包含控制字符（U+2066）。",
    ),
    "NUL in the id": (
        with_second(id="2022-10-08-02\u0000"),
        "第 2 条（编号 2022-10-08-02\ufffd）“编号”：不能包含控制字符（U+0000）。",
    ),
    # A lone surrogate cannot be stored by either database (it is not a character); as bytes,
    # because it cannot be written as UTF-8 either.
    "lone surrogate in the subtitle": (
        json.dumps(with_second(subtitle="副题\ud800")).encode(),
        f"{PLACE}“副题”：不能包含无效字符（U+D800）。",
    ),
}


@pytest.mark.parametrize("content, expected", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_bad_input_is_refused_with_its_place_and_nothing_is_written(
    bulletin, tmp_path, content, expected
):
    message = refused(write(tmp_path, content))
    assert expected in message


def test_tab_line_breaks_and_bidi_marks_are_text(client, bulletin, tmp_path):
    """Not everything invisible is refused: tab, CR LF (Windows line ends) and the bidi marks
    U+200E/U+200F, which open nothing."""
    body = "第一段，\t有制表符。\r\n\r\n第二段 \u200fعربي\u200e 完。"
    run(write(tmp_path, {"items": [item(1, headline="社区\u200e活动", body=body)]}))
    article = Article.objects.get(import_key="2022-10-08-01")
    assert article.headline == "社区\u200e活动"
    assert article.paragraphs == ["第一段， 有制表符。", "第二段 \u200fعربي\u200e 完。"]


def test_a_control_character_anywhere_imports_nothing(bulletin, tmp_path):
    items = [item(n) for n in range(1, 4)]
    items[2]["body"] = "结尾\u0000"
    message = refused(write(tmp_path, {"items": items}))
    assert "有 1 处问题" in message
    assert "第 3 条（编号 2022-10-08-03）“正文”：不能包含控制字符（U+0000）。" in message
    assert not Article.objects.filter(import_key__isnull=False).exists()


def test_a_long_value_is_quoted_once_and_cut(bulletin, tmp_path):
    message = refused(write(tmp_path, {"items": [item(1, id="k" * 10_000)]}))
    assert "有 1 处问题" in message and len(message) < 300
    assert message.count("k" * 39) == 1  # the model's own length rule is not a second problem
    assert f"第 1 条（编号 {'k' * 39}…）“编号”：太长：有 10000 个字符，最多 100 个。" in message

    message = refused(write(tmp_path, {"items": [item(1, reporter="王" * 5000)]}))
    assert f"找不到记者“{'王' * 39}…”。" in message and len(message) < 300


def test_a_missing_file_is_refused(bulletin, tmp_path):
    assert "找不到文件" in refused(tmp_path / "nowhere.json")


def test_a_folder_is_refused(bulletin, tmp_path):
    assert "是一个文件夹，不是文件" in refused(tmp_path)


def test_one_bad_item_among_good_ones_imports_nothing(bulletin, tmp_path):
    items = [item(n) for n in range(1, 6)]
    items[3]["reporter"] = "王五"
    message = refused(write(tmp_path, {"items": items}))
    assert "有 1 处问题" in message
    assert "第 4 条（编号 2022-10-08-04）“记者”：找不到记者“王五”。" in message
    assert not Article.objects.filter(import_key__isnull=False).exists()


def test_every_problem_is_listed_at_once(bulletin, tmp_path):
    items = [
        item(1, reporter="王五"),
        item(2, published_at="昨天", status="公开"),
        item(3),
        item(4, street="新旺街道", community="太和社区"),
    ]
    message = refused(write(tmp_path, {"items": items}))
    assert "有 4 处问题" in message
    lines = message.splitlines()[1:]
    assert [line.split("“")[0] for line in lines] == [
        "第 1 条（编号 2022-10-08-01）",
        "第 2 条（编号 2022-10-08-02）",
        "第 2 条（编号 2022-10-08-02）",
        "第 4 条（编号 2022-10-08-04）",
    ]


def test_a_bad_update_leaves_the_imported_articles_as_they_were(bulletin, tmp_path):
    items = [item(1), item(2)]
    run(write(tmp_path, {"items": items}))
    items[0]["headline"] = "这次不会生效"
    items[1]["status"] = "已发"
    message = refused(write(tmp_path, {"items": items}))
    assert "第 2 条（编号 2022-10-08-02）“状态”" in message
    assert Article.objects.get(import_key="2022-10-08-01").headline == "社区活动第1场"


def test_an_ambiguous_reporter_name_asks_for_the_slug(bulletin, tmp_path):
    from news.models import Reporter

    Reporter.objects.create(name="郑林", slug="zheng-lin-2")
    message = refused(write(tmp_path, {"items": [item(1)]}))
    assert "有 2 位记者叫“郑林”，请改用网址名：zheng-lin、zheng-lin-2。" in message
    assert "新增 1 篇" in run(write(tmp_path, {"items": [item(1, reporter="zheng-lin-2")]}))


def test_a_failure_while_writing_undoes_the_whole_import(bulletin, tmp_path, monkeypatch):
    from django.db import IntegrityError

    save, saved = Article.save, []

    def save_twice_then_fail(self, *args, **kwargs):
        if len(saved) == 2:
            raise IntegrityError("duplicate key value violates unique constraint")
        saved.append(self.import_key)
        return save(self, *args, **kwargs)

    monkeypatch.setattr(Article, "save", save_twice_then_fail)
    message = refused(write(tmp_path, {"items": [item(1), item(2), item(3)]}))
    assert saved == ["2022-10-08-01", "2022-10-08-02"]  # written, then rolled back
    assert "数据库拒绝了写入" in message and "请重试" in message
