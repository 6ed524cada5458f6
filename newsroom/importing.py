"""Importing bulletin items that editors receive as JSON (`python manage.py import_bulletin`).

The file is checked as a whole before anything is written: every problem is collected, with its
place (item number, the sender's id, the field) in plain Chinese, and a single problem means
nothing is imported. A good file is imported in one transaction, each article saved through
Article.save() (search index, signals). Each item carries the sender's own stable key (`id`),
kept in `Article.import_key`: importing the same file again finds the same articles and saves
nothing; an item whose content changed updates its article.

The format, documented for editors in `import_bulletin --help`: {"items": [item, …]} or a bare
list; an item has id, headline, reporter and body (required), kicker, subtitle, dateline
(default 本报讯), street, community, photo_caption, published_at (ISO 8601, naive = Asia/Shanghai)
and status ("draft" by default, or "published").

先审后发 (newsroom/review.py): an import never makes anything live. "draft" arrives as 草稿;
"published" arrives as 待初审 (submitted by the import) — a published item's change as a working
version waiting for review — and goes out only when the review steps pass and 发布 publishes it.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from news.models import Article, Community, Reporter, Street
from news.text import quoted, refused_character

from . import publishing, review, versions
from .copycheck import copy_warnings
from .models import Edit

SHANGHAI = ZoneInfo("Asia/Shanghai")
TEXT_FIELDS = ["kicker", "headline", "subtitle", "dateline", "body", "photo_caption"]
PLACE_FIELDS = ["reporter", "street", "community"]
FIELDS = ["id", *TEXT_FIELDS, *PLACE_FIELDS, "published_at", "status"]
REQUIRED = ["id", "headline", "reporter", "body"]
KEY_MAX = Article._meta.get_field("import_key").max_length
LABELS = {
    "id": "编号",
    **{name: str(Article._meta.get_field(name).verbose_name) for name in FIELDS if name != "id"},
}
JSON_TYPES = {bool: "true/false", int: "数字", float: "数字", list: "列表", dict: "对象"}
JSON_ERRORS = {  # the json module's messages, as a person fixing the file needs them
    "Expecting ',' delimiter": "缺少逗号",
    "Expecting ':' delimiter": "缺少冒号",
    "Expecting property name enclosed in double quotes": (
        "字段名要用英文双引号括起来，或者最后一项后面多了逗号"
    ),
    "Expecting value": "缺少值，或者多了逗号",
    "Unterminated string starting at": "引号没有配对",
    "Invalid control character at": "文字里有直接换行等控制字符，换行请写成 \\n",
    "Extra data": "数据结束后还有多余的内容",
    "Invalid \\escape": "反斜杠 \\ 的用法不对，要写反斜杠本身请写成 \\\\",
}


class ImportFailed(Exception):
    """The file cannot be imported; `problems` lists every reason, in Chinese."""

    def __init__(self, problems):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Item:
    position: int  # 1-based, as an editor counts
    key: str
    article: Article
    changed: list = field(default_factory=list)  # verbose names of the fields that change
    opened_on: int | None = None  # the stored item's version number when the file was checked
    submit: bool = False  # the file says "published": submitted for review (待初审), never live
    saved: publishing.Saved | None = None

    @property
    def place(self):
        return place(self.position, self.key)


@dataclass
class Outcome:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    warnings: list = field(default_factory=list)  # copy checks, as in the admin: never blockers


def place(position, key=None):
    return f"第 {position} 条（编号 {quoted(key)}）" if key else f"第 {position} 条"


def import_file(path, dry_run=False):
    """Check the whole file, then import it in one transaction. Returns an Outcome; raises
    ImportFailed (nothing written) on any problem. `dry_run` checks and reports only."""
    raw_items = read_items(path)
    try:
        with transaction.atomic():
            outcome = plan(raw_items)
            if not dry_run:
                for item in outcome.created + outcome.updated:
                    _save(item)
    except IntegrityError as error:  # e.g. someone imported the same file at the same moment
        raise ImportFailed(
            [f"数据库拒绝了写入（{error}）。可能有人同时在导入，请重试。"]
        ) from error
    return outcome


def _save(item):
    """Through newsroom.publishing, as an editor's save: a version is kept, and a change to a
    published item becomes a working version that an editor publishes. An item an editor saved
    while the file was being checked is not overwritten."""
    try:
        item.saved = publishing.save(
            item.article,
            user=None,
            opened_on=item.opened_on,
            action=Edit.Action.IMPORT,
            comment="导入",
            keep_time=True,
        )
        if item.submit:
            review.submit(item.article.pk, user=None)
    except (publishing.Refused, review.ReviewRefused) as refused:
        raise ImportFailed([f"{item.place}：{refused}请重新导入。"]) from None


# --- reading the file ----------------------------------------------------------------------


class _Object(dict):
    """A JSON object that remembers the keys it was given twice (json keeps only the last)."""

    duplicate_keys = ()


def _object(pairs):
    obj = _Object(pairs)
    seen = set()
    obj.duplicate_keys = [k for k, _ in pairs if k in seen or seen.add(k)]
    return obj


def read_items(path):
    """The list of items in the file at `path`, or ImportFailed with a file-level problem."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportFailed([f"找不到文件“{path}”。请检查文件名和所在文件夹。"]) from None
    except IsADirectoryError:
        raise ImportFailed([f"“{path}”是一个文件夹，不是文件。"]) from None
    except PermissionError:
        raise ImportFailed([f"没有权限读取文件“{path}”。"]) from None
    try:
        text = data.decode("utf-8-sig")  # a BOM (Windows Notepad) is fine
    except UnicodeDecodeError as error:
        raise ImportFailed([_not_utf8(data, error)]) from None
    if not text.strip():
        raise ImportFailed(["文件是空的，里面没有任何内容。"])
    try:
        document = json.loads(text, object_pairs_hook=_object)
    except json.JSONDecodeError as error:
        reason = next((v for k, v in JSON_ERRORS.items() if error.msg.startswith(k)), error.msg)
        raise ImportFailed(
            [
                f"文件不是有效的 JSON：第 {error.lineno} 行第 {error.colno} 列附近有错"
                f"（{reason}）。请改正后再导入。"
            ]
        ) from None
    if isinstance(document, dict):
        if "items" not in document:
            raise ImportFailed(['文件里没有 "items"。文件应该是 {"items": [稿件, …]}。'])
        items = document["items"]
        if not isinstance(items, list):
            raise ImportFailed([f'"items" 应该是列表 [稿件, …]，现在是{_kind(items)}。'])
    elif isinstance(document, list):
        items = document
    else:
        raise ImportFailed(
            [
                '文件最外层应该是 {"items": [稿件, …]} 或者列表 [稿件, …]，'
                f"现在是{_kind(document)}。"
            ]
        )
    if not items:
        raise ImportFailed(["文件里没有稿件（稿件列表是空的）。"])
    return items


def _not_utf8(data, error):
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        found = "文件是 UTF-16 编码（Windows 里叫“Unicode”）"
    else:
        line = data[: error.start].count(b"\n") + 1
        found = f"文件不是 UTF-8 编码（第 {line} 行，第 {error.start + 1} 个字节处）"
        try:
            data.decode("gb18030")
        except UnicodeDecodeError:
            pass
        else:
            found += "，看起来是 GBK（ANSI）编码"
    return f"{found}。请用 UTF-8 编码重新保存后再导入（例如在记事本的“另存为”里选择 UTF-8）。"


def _kind(value):
    if value is None:
        return "null"
    if isinstance(value, str):
        return "文字"
    return JSON_TYPES.get(type(value), type(value).__name__)


# --- checking the items --------------------------------------------------------------------


def plan(raw_items):
    """What importing `raw_items` would do, checked against the database and the model's rules.
    Raises ImportFailed with every problem found; writes nothing."""
    problems, keyed = [], {}
    for position, raw in enumerate(raw_items, 1):
        key = raw.get("id") if isinstance(raw, dict) else None
        if isinstance(key, str) and key.strip():
            keyed.setdefault(key.strip(), []).append(position)
    for key, positions in keyed.items():
        if len(positions) > 1:
            shown = "、".join(f"第 {p} 条" for p in positions)
            problems.append(f"编号“{quoted(key)}”重复出现在{shown}：每条稿件的编号必须不同。")

    # (A key the database cannot even compare, e.g. with NUL on PostgreSQL, is not looked up:
    # the field's own rule reports it.)
    lookup = [key for key in keyed if refused_character(key) is None]
    existing = {
        a.import_key: a for a in Article.objects.with_places().filter(import_key__in=lookup)
    }
    for article in existing.values():
        # Compared with the newest version: a working version an import made is not made again.
        versions.open_latest(article)
    places = _Places()
    outcome = Outcome()
    for position, raw in enumerate(raw_items, 1):
        item, item_problems = _check(position, raw, places, existing)
        problems += item_problems
        if item is None:
            continue
        if item.article.pk is None:
            outcome.created.append(item)
        elif item.changed:
            outcome.updated.append(item)
        else:
            outcome.unchanged.append(item)
    if problems:
        raise ImportFailed(problems)
    for item in outcome.created + outcome.updated:
        outcome.warnings += [f"{item.place}：{w}" for w in copy_warnings(item.article)]
    return outcome


def _check(position, raw, places, existing):
    """One item: (Item or None, [problems])."""
    if not isinstance(raw, dict):
        return None, [f"{place(position)}应该是一个对象 {{…}}，现在是{_kind(raw)}。"]
    key = raw.get("id").strip() if isinstance(raw.get("id"), str) else None
    where = place(position, key)
    problems = {}  # field → [messages]; a field with a problem of ours is not reported twice

    def problem(name, message):
        problems.setdefault(name, []).append(message)

    for name in raw:
        if name not in FIELDS:
            problem(
                NON_FIELD_ERRORS, f"不认识的字段“{quoted(name)}”。可用的字段：{'、'.join(FIELDS)}。"
            )
    for name in getattr(raw, "duplicate_keys", ()):
        problem(NON_FIELD_ERRORS, f"字段“{quoted(name)}”写了不止一次。")

    values = {}
    for name in FIELDS:
        value = raw.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if name in REQUIRED:
                problem(name, f"必填，但没有填写（字段名 {name}）。")
            continue
        if not isinstance(value, str):
            problem(name, f"应该是文字（用英文双引号括起来），现在是{_kind(value)}。")
            continue
        values[name] = value.replace("\r\n", "\n").strip()

    if "id" in values and len(values["id"]) > KEY_MAX:
        problem("id", f"太长：有 {len(values['id'])} 个字符，最多 {KEY_MAX} 个。")
    for name in TEXT_FIELDS:
        limit = Article._meta.get_field(name).max_length
        if name in values and limit and len(values[name]) > limit:
            problem(name, f"太长：有 {len(values[name])} 个字，最多 {limit} 个字。")

    fields = {name: values.get(name, "") for name in TEXT_FIELDS}
    fields["dateline"] = fields["dateline"] or Article._meta.get_field("dateline").default
    fields["status"] = Article.Status.DRAFT
    if "status" in values:
        if values["status"] in Article.Status.values:
            fields["status"] = values["status"]
        else:
            problem(
                "status",
                f"“{quoted(values['status'])}” 不是有效的状态，"
                '应写成 "draft"（草稿）或 "published"（已发布）。',
            )
    if "published_at" in values:
        try:
            moment = datetime.fromisoformat(values["published_at"])
        except ValueError:
            problem(
                "published_at",
                f"“{quoted(values['published_at'])}” 不是有效的时间，应写成 2022-09-30T08:00。",
            )
        else:
            fields["published_at"] = moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)
    for name, (found, message) in places.resolve(values).items():
        if message:
            problem(name, message)
        else:
            fields[name] = found

    article = existing.get(key)
    if article is None:
        article = Article(import_key=key)
        fields.setdefault("published_at", timezone.now())
    # Only review makes an item live: a request to publish becomes a submission; an item that is
    # live already stays so, and the import's change waits beside it as a working version.
    submit = fields["status"] == Article.Status.PUBLISHED
    live = article.pk is not None and article.status == Article.Status.PUBLISHED
    fields["status"] = Article.Status.PUBLISHED if live else Article.Status.DRAFT
    changed = [
        LABELS[name]
        for name, value in fields.items()
        if getattr(article, Article._meta.get_field(name).attname)
        != (value.pk if isinstance(value, Street | Community | Reporter) else value)
    ]
    for name, value in fields.items():
        setattr(article, name, value)
    try:
        article.full_clean()  # the model's own rules, e.g. the community must be in the street
    except ValidationError as error:
        for attname, messages in error.message_dict.items():
            name = "id" if attname == "import_key" else attname  # as the file names it
            if name not in problems:
                for message in messages:
                    problem(name, _with_detail(name, message, article))

    order = [NON_FIELD_ERRORS, *FIELDS]
    messages = [
        f"{where}：{m}" if name == NON_FIELD_ERRORS else f"{where}“{_label(name)}”：{m}"
        for name in sorted(problems, key=lambda n: order.index(n) if n in order else len(order))
        for m in problems[name]
    ]
    item = Item(
        position,
        key,
        article,
        changed,
        opened_on=article.edit_version if article.pk else None,
        submit=submit,
    )
    return (None if messages else item), messages


def _label(name):
    if name in LABELS:
        return LABELS[name]
    return str(Article._meta.get_field(name).verbose_name)


def _with_detail(name, message, article):
    """The model's message, with the fact an editor needs to fix it."""
    if name == "community" and article.community_id:
        street = article.community.street
        chosen = article.street.name if article.street_id else "（没有填写街道）"
        return f"{message}{article.community.name}属于{street.name}，不属于{chosen}。"
    return message


class _Places:
    """Streets, communities and reporters, found by name or slug (all in memory: few rows)."""

    def __init__(self):
        self.streets = list(Street.objects.all())
        self.communities = list(Community.objects.select_related("street"))
        self.reporters = list(Reporter.objects.all())

    @staticmethod
    def _matching(objects, value):
        by_slug = [o for o in objects if o.slug == value]
        return by_slug or [o for o in objects if o.name == value]

    def resolve(self, values):
        """{field: (object or None, problem or None)} for the place fields present."""
        found = {}
        if "reporter" in values:
            found["reporter"] = self._reporter(values["reporter"])
        street = None
        if "street" in values:
            found["street"] = self._street(values["street"])
            street = found["street"][0]
        if "community" in values:
            community, message = self._community(values["community"], street, "street" in values)
            found["community"] = community, message
            if community and "street" not in values:
                found["street"] = community.street, None  # a community names its street
        elif "street" not in values:
            found["street"] = None, None
        if "community" not in values:
            found["community"] = None, None
        return found

    def _reporter(self, value):
        matches = self._matching(self.reporters, value)
        if len(matches) == 1:
            return matches[0], None
        if matches:
            slugs = "、".join(r.slug for r in matches)
            return None, f"有 {len(matches)} 位记者叫“{quoted(value)}”，请改用网址名：{slugs}。"
        return None, (
            f"找不到记者“{quoted(value)}”。请写已有记者的姓名或网址名；新记者请先在后台“记者”里添加。"
        )

    def _street(self, value):
        matches = self._matching(self.streets, value)
        if matches:
            return matches[0], None
        names = "、".join(s.name for s in self.streets) or "（还没有街道）"
        return None, f"找不到街道“{quoted(value)}”。现有的街道：{names}。"

    def _community(self, value, street, street_given):
        matches = self._matching(self.communities, value)
        if street_given:
            if street is None:
                return None, None  # the unknown street is the problem to report
            inside = [c for c in matches if c.street_id == street.pk]
            if inside or matches:
                # One outside the street is kept: the model's own rule reports the mismatch.
                return (inside or matches)[0], None
            names = self._names(street)
            return None, f"找不到社区“{quoted(value)}”。{street.name}的社区：{names}。"
        if len(matches) == 1:
            return matches[0], None
        if matches:
            streets = "、".join(c.street.name for c in matches)
            return None, f"好几个街道都有社区“{quoted(value)}”（{streets}），请同时写明“街道”。"
        return None, f"找不到社区“{quoted(value)}”。"

    def _names(self, street):
        return "、".join(c.name for c in self.communities if c.street_id == street.pk) or "（无）"
