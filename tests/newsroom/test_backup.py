"""backup_site and restore_site: the database and the photos, out to one archive and back.

Transactional tests: a restore empties the database (flush), which a test wrapped in one
transaction could not show.
"""

import hashlib
import io
import json
import re
import shutil
import tarfile
from io import StringIO
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.utils import timezone
from reversion.models import Version

from news import images
from news.models import Article, Community, Reporter, SearchEntry, Street
from news.search import Hits
from newsroom import backup, publishing, versions
from newsroom.editors import EDITOR_GROUP, editor_permission_codenames
from tests.images import image_bytes, upload
from tests.review import approve

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "Pingcheng-2022-editor"


@pytest.fixture
def media(settings, tmp_path):
    """A MEDIA_ROOT of this test's own: a restore replaces everything in it."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def site(media):
    """The bulletin, an editor in the 编辑 group, a published item with a real photo, a draft
    and an admin log entry."""
    call_command("loaddata", "bulletin", verbosity=0)
    group, _ = Group.objects.get_or_create(name=EDITOR_GROUP)
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="news", codename__in=editor_permission_codenames()
        )
    )
    editor = User.objects.create_user("wangbian", password=PASSWORD, is_staff=True)
    editor.groups.add(group)
    reporter = Reporter.objects.get(slug="zheng-lin")
    photo = Article(
        headline="社区书画展开幕",
        reporter=reporter,
        street=Street.objects.get(slug="yingbin"),
        community=Community.objects.get(slug="yonganli"),
        body="书画展今天开幕。\n\n居民踊跃参观。",
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() - timezone.timedelta(hours=1),
        photo_caption="居民参观书画展",
        photo_alt="几位居民在展板前看书法作品",
        photo_credit="郑林 摄",
        import_key="2022-10-08-01",
    )
    photo.photo = upload(image_bytes((1200, 900)))
    photo.save()
    draft = Article.objects.create(headline="还没写完的稿件", reporter=reporter, body="草稿。")
    # Versions: the published item gets a working version (its row keeps the public text),
    # the draft a saved one; both with who and a 修改说明.
    working = Article.objects.get(pk=photo.pk)
    working.photo_caption = "居民参观书画展（修改中）"
    publishing.save(working, user=editor, opened_on=0, comment="改图片说明")
    draft.body = "草稿，第二遍。"
    publishing.save(draft, user=editor, opened_on=0, comment="写第二遍")
    LogEntry.objects.create(
        user=editor,
        content_type=ContentType.objects.get_for_model(Article),
        object_id=str(photo.pk),
        object_repr=str(photo),
        action_flag=CHANGE,
        change_message="改了图片说明",
    )
    return SimpleNamespace(editor=editor, photo=photo, draft=draft, reporter=reporter)


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def files(root):
    return {p.relative_to(root).as_posix(): sha256(p) for p in Path(root).rglob("*") if p.is_file()}


def state(media):
    """Everything a restore must bring back, as comparable values."""
    return {
        "articles": list(Article.objects.order_by("pk").values()),
        "streets": list(Street.objects.order_by("pk").values()),
        "communities": list(Community.objects.order_by("pk").values()),
        "reporters": list(Reporter.objects.order_by("pk").values()),
        "users": list(User.objects.order_by("pk").values()),  # password hashes included
        "members": sorted(User.groups.through.objects.values_list("user__pk", "group__name")),
        "group_permissions": sorted(
            Group.permissions.through.objects.values_list("group__name", "permission__codename")
        ),
        "log": list(
            LogEntry.objects.order_by("pk").values_list(
                "pk",
                "action_time",
                "user__username",
                "content_type__model",
                "object_id",
                "object_repr",
                "action_flag",
                "change_message",
            )
        ),  # fmt: skip
        "versions": list(
            Version.objects.order_by("pk").values_list(
                "pk",
                "object_id",
                "content_type__model",
                "serialized_data",
                "revision__date_created",
                "revision__user__username",
                "revision__comment",
                "revision__edit__number",
                "revision__edit__action",
                "revision__edit__working",
            )
        ),  # fmt: skip
        "files": files(media),
    }


def make_backup(folder):
    out = StringIO()
    call_command("backup_site", "--output", str(folder), stdout=out)
    (archive,) = Path(folder).glob("pingcheng-backup-*.tar.gz")
    return archive, out.getvalue()


def restore(archive, *options):
    out = StringIO()
    call_command("restore_site", str(archive), *options, stdout=out)
    return out.getvalue()


def refused(archive, media, *options):
    """Restore `archive`, expect a refusal that changes nothing; return the message."""
    before = state(media)
    with pytest.raises(CommandError) as caught:
        restore(archive, *options)
    assert state(media) == before
    return str(caught.value)


def rewrite(archive, target, replace=None, add=()):
    """A copy of `archive` with members' bytes replaced ({name: function}) and members added
    ([TarInfo, bytes or None])."""
    replace = replace or {}
    with tarfile.open(archive, "r:gz") as source, tarfile.open(target, "w:gz") as out:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name in replace:
                data = replace[member.name](data)
                member.size = len(data)
            out.addfile(member, io.BytesIO(data))
        for member, data in add:
            out.addfile(member, io.BytesIO(data) if data is not None else None)
    return target


def member(name, data=b"", kind=tarfile.REGTYPE, link=""):
    info = tarfile.TarInfo(name)
    info.type, info.size, info.linkname = kind, len(data), link
    return info, (data if kind == tarfile.REGTYPE else None)


# --- backing up ----------------------------------------------------------------------------


def test_backup_writes_one_timestamped_archive_with_a_manifest(site, media, tmp_path):
    archive, out = make_backup(tmp_path / "backups")
    assert re.fullmatch(r"pingcheng-backup-\d{8}-\d{6}\.tar\.gz", archive.name)
    assert archive.stat().st_mode & 0o077 == 0  # password hashes inside: owner only
    assert "稿件 10 篇（版本 4 个，审核记录 0 条），账号 1 个，图片等文件 7 个" in out

    with tarfile.open(archive, "r:gz") as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
        dump = json.load(tar.extractfile("db.json"))
        media_bytes = {
            name: tar.extractfile(name).read() for name in names if name.startswith("media/")
        }
    # The photo and its 6 renditions (480, 960 and 1200 px, WebP and JPEG), byte for byte.
    assert {name.removeprefix("media/"): hashlib.sha256(data).hexdigest()
            for name, data in media_bytes.items()} == files(media)  # fmt: skip
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert set(listed) == set(names) - {"manifest.json"}
    assert all(entry["size"] > 0 and len(entry["sha256"]) == 64 for entry in listed.values())
    assert manifest["counts"]["news.article"] == 10
    assert manifest["counts"]["auth.user"] == 1 and manifest["counts"]["admin.logentry"] == 1
    assert "0006_article_import_key" in manifest["migrations"]["news"]

    models = {row["model"] for row in dump}
    assert {"auth.user", "auth.group", "admin.logentry", "news.article", "news.street"} <= models
    assert {"reversion.revision", "reversion.version", "newsroom.edit"} <= models
    assert manifest["counts"]["reversion.version"] == 4
    assert not models & {"news.searchentry", "sessions.session", "contenttypes.contenttype"}
    article = next(row for row in dump if row["model"] == "news.article" and row["pk"] == 1)
    assert article["fields"]["reporter"] == ["zheng-lin"]  # natural foreign keys
    group = next(row for row in dump if row["model"] == "auth.group")
    assert ["add_article", "news", "article"] in group["fields"]["permissions"]


def test_backup_goes_to_var_backups_by_default(settings, media, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    out = StringIO()
    call_command("backup_site", stdout=out)
    assert len(list((tmp_path / "var" / "backups").glob("pingcheng-backup-*.tar.gz"))) == 1
    assert "已备份到" in out.getvalue()


# --- restoring -----------------------------------------------------------------------------


def test_restore_brings_back_everything(site, media, tmp_path, client):
    archive, _ = make_backup(tmp_path / "backups")
    before = state(media)

    # What can go wrong after a backup: deletions, a changed password, lost files, new items.
    photo_pk = site.photo.pk
    site.photo.delete()  # takes its photo files along
    Article.objects.filter(pk=1).update(headline="被改坏的标题")
    Article.objects.create(headline="备份之后的稿件", reporter=site.reporter, body="新的。")
    site.editor.set_password("Another-password-2023")
    site.editor.save()
    Group.objects.filter(name=EDITOR_GROUP).delete()
    LogEntry.objects.all().delete()
    shutil.rmtree(media / "renditions")
    (media / "stray.txt").write_text("不在备份里")
    assert state(media) != before

    out = restore(archive, "--yes")
    assert "已恢复" in out and "搜索索引已重建" in out
    after = state(media)
    for part in before:
        assert after[part] == before[part], part

    assert client.login(username="wangbian", password=PASSWORD)  # the old password again
    assert User.objects.get(username="wangbian").has_perm("news.change_article")
    photo = Article.objects.get(pk=photo_pk)
    page = client.get(photo.get_absolute_url()).content.decode()
    assert photo.photo_alt in page and photo.photo_srcsets()["webp"] in page
    for name in [photo.photo.name, *images.rendition_names(photo.photo.name, photo.photo_width)]:
        assert (media / name).is_file()  # and the same bytes: state()["files"] above
    assert LogEntry.objects.get().get_edited_object() == photo  # object ids still point right

    assert SearchEntry.objects.count() == Article.objects.filter(status="published").count()
    assert [a.pk for a in Hits(["书画展"])[0:10]] == [photo.pk]
    assert len(Hits(["打造特色服务"])) == 1  # the bulletin's lead, under its own headline
    assert len(Hits(["还没写完"])) == 0  # a draft is restored as a draft, and stays unfound
    assert Article.objects.get(pk=site.draft.pk).status == Article.Status.DRAFT
    # The versions are back and work: the working version is still waiting, and publishing it
    # puts the new caption on the public page.
    working = versions.latest(photo)
    assert versions.is_working(working) and working.revision.user == site.editor
    assert "居民参观书画展（修改中）" not in page
    approve(photo)  # the review records came back too; this round passes it
    publishing.publish(photo.pk, user=site.editor, version=working, correction="图片说明有误")
    page = client.get(photo.get_absolute_url()).content.decode()
    assert "居民参观书画展（修改中）" in page
    # The id sequences follow the restored rows (PostgreSQL): new items and users can be added.
    assert Article.objects.create(headline="恢复之后", reporter=site.reporter, body="新的。").pk
    assert User.objects.create_user("libian").pk


def test_restore_needs_yes(site, media, tmp_path):
    archive, _ = make_backup(tmp_path / "backups")
    Article.objects.filter(pk=1).update(headline="备份之后改的标题")
    message = refused(archive, media)
    assert "请加上 --yes" in message


def test_check_verifies_an_archive_and_changes_nothing(site, media, tmp_path):
    archive, _ = make_backup(tmp_path / "backups")
    Article.objects.filter(pk=1).update(headline="备份之后改的标题")
    before = state(media)
    assert "备份文件完好：稿件 10 篇" in restore(archive, "--check")
    assert state(media) == before


def test_a_tampered_archive_is_refused_and_changes_nothing(site, media, tmp_path):
    archive, _ = make_backup(tmp_path / "backups")
    Article.objects.filter(pk=1).update(headline="备份之后改的标题")
    tampered = rewrite(
        archive,
        tmp_path / "tampered.tar.gz",
        replace={"db.json": lambda data: data.replace("打造特色服务".encode(), "假".encode())},
    )
    message = refused(tampered, media, "--yes")
    assert "“db.json”的校验和与清单不符，拒绝恢复" in message and "没有做任何改动" in message

    photo_member = f"media/{site.photo.photo.name}"
    tampered = rewrite(
        archive, tmp_path / "photo.tar.gz", replace={photo_member: lambda data: data[:-1]}
    )
    assert f"“{photo_member}”的校验和与清单不符" in refused(tampered, media, "--yes")


def with_dump(archive, target, change):
    """A copy of `archive` whose db.json objects are changed by `change`, its manifest agreeing
    (as in a backup made of a database that held such rows)."""
    with tarfile.open(archive, "r:gz") as tar:
        objects = json.loads(tar.extractfile("db.json").read())
    change(objects)
    dump = json.dumps(objects, ensure_ascii=False).encode()

    def manifest(data):
        manifest = json.loads(data)
        (entry,) = [entry for entry in manifest["files"] if entry["path"] == "db.json"]
        entry["size"], entry["sha256"] = len(dump), hashlib.sha256(dump).hexdigest()
        return json.dumps(manifest).encode()

    return rewrite(
        archive, target, replace={"db.json": lambda data: dump, "manifest.json": manifest}
    )


@pytest.mark.parametrize(
    "model, field, text, expected",
    [
        (
            "news.article",
            "headline",
            "社区\x00活动",
            "稿件（编号 {pk}）“主题”不能包含控制字符（U+0000）",
        ),
        (
            "news.article",
            "body",
            "正文\u202e文正",
            "稿件（编号 {pk}）“正文”不能包含控制字符（U+202E）",
        ),
        (
            "news.street",
            "name",
            "迎宾\x1b街道",
            "街道（编号 {pk}）“名称”不能包含控制字符（U+001B）",
        ),
        ("news.reporter", "bio", "记者\x85", "记者（编号 {pk}）“简介”不能包含控制字符（U+0085）"),
    ],
    ids=["NUL in a headline", "RLO in a body", "escape in a street", "C1 in a bio"],
)
def test_an_archive_holding_control_characters_is_refused(
    site, media, tmp_path, model, field, text, expected
):
    archive, _ = make_backup(tmp_path / "backups")
    Article.objects.filter(pk=1).update(headline="备份之后改的标题")
    pk = None

    def put_in(objects):
        nonlocal pk
        (obj, *_) = [obj for obj in objects if obj["model"] == model]
        obj["fields"][field], pk = text, obj["pk"]

    bad = with_dump(archive, tmp_path / "bad.tar.gz", put_in)
    for options in (["--yes"], ["--check"]):
        message = refused(bad, media, *options)
        assert f"备份里的{expected.format(pk=pk)}。拒绝恢复。" in message
        assert "没有做任何改动" in message


@pytest.mark.parametrize(
    "extra, expected",
    [
        (member("../evil", b"evil"), "不安全的路径“../evil”"),
        (member("media/../../evil", b"evil"), "不安全的路径“media/../../evil”"),
        (member("/pingcheng-evil", b"evil"), "不安全的路径“/pingcheng-evil”"),
        (
            member("media/evil", kind=tarfile.SYMTYPE, link="/etc/passwd"),
            "不安全的条目“media/evil”（指向绝对路径的链接）",
        ),
        (member("media/evil", kind=tarfile.LNKTYPE, link="db.json"), "链接或特殊文件“media/evil”"),
        (member("media/evil", kind=tarfile.CHRTYPE), "不安全的条目“media/evil”（设备等特殊文件）"),
        (member("evil.sh", b"rm -rf /"), "不属于备份的文件“evil.sh”"),
    ],
    ids=["dot-dot", "dot-dot in media", "absolute", "symlink", "hard link", "device", "stray file"],
)
def test_an_archive_with_an_unsafe_member_is_refused(site, media, tmp_path, extra, expected):
    archive, _ = make_backup(tmp_path / "backups")
    evil = rewrite(archive, tmp_path / "evil.tar.gz", add=[extra])
    message = refused(evil, media, "--yes")
    assert expected in message
    assert not list(tmp_path.rglob("evil")) and not Path("/pingcheng-evil").exists()


def test_what_is_not_a_backup_is_refused(site, media, tmp_path):
    not_gzip = tmp_path / "notes.tar.gz"
    not_gzip.write_text("不是压缩包")
    assert "不是有效的备份文件" in refused(not_gzip, media, "--yes")

    no_manifest = tmp_path / "no-manifest.tar.gz"
    with tarfile.open(no_manifest, "w:gz") as tar:
        info, data = member("db.json", b"[]")
        tar.addfile(info, io.BytesIO(data))
    assert "没有 manifest.json" in refused(no_manifest, media, "--yes")

    assert "找不到备份文件" in refused(tmp_path / "nowhere.tar.gz", media, "--yes")


def test_an_archive_from_a_newer_schema_is_refused(site, media, tmp_path):
    archive, _ = make_backup(tmp_path / "backups")

    def newer(data):
        manifest = json.loads(data)
        manifest["migrations"]["news"].append("9999_from_the_future")
        return json.dumps(manifest).encode()

    newer_archive = rewrite(archive, tmp_path / "newer.tar.gz", replace={"manifest.json": newer})
    message = refused(newer_archive, media, "--yes")
    assert "更新版本的网站" in message and "news.9999_from_the_future" in message


def test_a_restore_that_fails_while_loading_leaves_database_and_files(
    site, media, tmp_path, monkeypatch
):
    archive, _ = make_backup(tmp_path / "backups")
    site.photo.delete()
    Article.objects.filter(pk=1).update(headline="备份之后改的标题")

    def broken(*args, **kwargs):
        raise RuntimeError("索引写不进去")

    monkeypatch.setattr(backup.search, "rebuild_index", broken)
    before = state(media)
    with pytest.raises(RuntimeError):
        restore(archive, "--yes")
    assert state(media) == before
    assert len(Hits(["打造特色服务"])) == 1  # the index is as it was, too


def test_a_restore_that_fails_while_moving_files_puts_them_back(site, media, tmp_path, monkeypatch):
    archive, _ = make_backup(tmp_path / "backups")
    site.photo.delete()
    (media / "kept.txt").write_text("备份之后的文件")
    Article.objects.filter(pk=1).update(headline="备份之后改的标题")
    before = state(media)

    move, calls = shutil.move, []

    def failing_move(source, target):
        calls.append(source)
        # Out: kept.txt, photos/, renditions/; in: photos/, then renditions/ fails.
        if len(calls) == 5:
            raise OSError("磁盘满了")
        return move(source, target)

    monkeypatch.setattr(backup.shutil, "move", failing_move)
    with pytest.raises(OSError):
        restore(archive, "--yes")
    assert len(calls) == 5 + 4  # the four moves made were undone
    assert state(media) == before
