"""Backing up and restoring the whole site: the database and the uploaded photos.

`backup()` writes one archive, pingcheng-backup-YYYYmmdd-HHMMSS.tar.gz, holding

    db.json         the database as a Django JSON dump (dumpdata with natural foreign keys)
    media/…         every file under MEDIA_ROOT (photos and their renditions)
    manifest.json   when, from which schema (applied migrations), rows per model, and every
                    other member's size and SHA-256

Every installed app's models are dumped, so the editors' versions come along: reversion's
Revision and Version rows (each article's versions, with who, when and the 修改说明) and
newsroom's Edit rows (version numbers, working or live), and the photo files they name, which
stay under MEDIA_ROOT while a version names them.

Left out on purpose, because they are made again: content types and permissions (`flush`
recreates them; the dump names them by natural key), sessions (a restore logs everyone out) and
the search index (rebuilt after loading). Primary keys are kept, natural primary keys are not
used: article URLs (/news/<id>/) and the admin log's object ids must point at the same rows.
The stored QR codes do come along (making one costs ~5 ms): after loading, only items without
a code for this site's address get one (news/qr.py).

`restore()` refuses an archive unless every member is a plain file or folder inside the archive
(no absolute paths, no "..", no links: tarfile's "data" filter), the manifest is there and every
checksum matches. Then, in one transaction, it empties the database, loads the dump and rebuilds
the search index; the media files, unpacked beforehand into a folder beside MEDIA_ROOT, are
swapped in as the transaction's last step and swapped back if it fails, so a failed restore
leaves the database and the files as they were.
"""

import datetime
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

import django
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.management import call_command
from django.core.serializers import json as django_json
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.timezone import is_aware

from news import qr, search
from news.text import quoted, validate_plain_text

FORMAT_VERSION = 1
PREFIX = "pingcheng-backup-"
MANIFEST = "manifest.json"
DUMP = "db.json"
MEDIA = "media"
# Made again rather than restored (see the module docstring).
NOT_DUMPED = {"contenttypes.contenttype", "auth.permission", "sessions.session", "news.searchentry"}
UNSAFE = {  # tarfile's "data" filter, in Chinese
    "AbsolutePathError": "绝对路径",
    "OutsideDestinationError": "指向备份以外的位置",
    "SpecialFileError": "设备等特殊文件",
    "AbsoluteLinkError": "指向绝对路径的链接",
    "LinkOutsideDestinationError": "指向备份以外的链接",
}
PRIVATE = 0o600  # the archive holds password hashes and e-mail addresses


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why, in Chinese."""


def describe(manifest):
    """稿件 8 篇（版本 12 个，审核记录 3 条），账号 2 个，图片等文件 14 个

    The review records (newsroom.Review) travel like every model: a restore brings back each
    item's state in 先审后发 as it was, and nothing more goes live (a version still needs its
    missing steps)."""
    counts = manifest["counts"]
    media = [f for f in manifest["files"] if f["path"].startswith(f"{MEDIA}/")]
    return (
        f"稿件 {counts.get('news.article', 0)} 篇（版本 {counts.get('reversion.version', 0)} 个，"
        f"审核记录 {counts.get('newsroom.review', 0)} 条），"
        f"账号 {counts.get('auth.user', 0)} 个，图片等文件 {len(media)} 个"
    )


def default_folder():
    return Path(getattr(settings, "VAR_DIR", Path(settings.BASE_DIR) / "var")) / "backups"


def dumped_models():
    """Every model whose rows are data: all installed apps, so a new app is never left out."""
    return [
        model
        for model in apps.get_models()
        if model._meta.managed
        and not model._meta.proxy
        and model._meta.label_lower not in NOT_DUMPED
    ]


def media_files(root):
    """(name in the archive, path) for every regular file under `root`, sorted; no links."""
    root = Path(root)
    found = []
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in files:
            path = Path(folder, name)
            if path.is_file() and not path.is_symlink():
                found.append((f"{MEDIA}/{path.relative_to(root).as_posix()}", path))
    return sorted(found)


def applied_migrations():
    applied = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        applied.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


# --- the dump's format ----------------------------------------------------------------------
# Django's JSON, with one change: times keep their microseconds (DjangoJSONEncoder cuts them to
# milliseconds, for JavaScript's sake), so a restore gives back exactly the stored values. The
# file is plain Django JSON that `loaddata` reads as it is. This module is the serializer module
# dumpdata is pointed at (it needs `Serializer` and `Deserializer` here).
EXACT_JSON = "pingcheng-json"


class ExactJSONEncoder(django_json.DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime.datetime) or (isinstance(o, datetime.time) and not is_aware(o)):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        return super().default(o)


class Serializer(django_json.Serializer):
    def _init_options(self):
        self.options.setdefault("cls", ExactJSONEncoder)
        super()._init_options()


Deserializer = django_json.Deserializer


# --- backing up ----------------------------------------------------------------------------


def backup(folder=None):
    """Write an archive into `folder` (default var/backups/). Returns (path, manifest)."""
    folder = Path(folder or default_folder())
    media_root = Path(settings.MEDIA_ROOT)
    if folder.resolve().is_relative_to(media_root.resolve()):
        raise BackupError(f"备份文件夹“{folder}”在上传文件的文件夹里面，请换一个文件夹。")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = _free_name(folder, timezone.localtime().strftime(f"{PREFIX}%Y%m%d-%H%M%S"))
    partial = folder / f".{target.name}.partial"  # never a half-written file under the real name
    with tempfile.TemporaryDirectory(prefix="pingcheng-backup-") as work:
        dump = Path(work, DUMP)
        counts, migrations = _dump_database(dump)
        try:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE)
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
                files = [_add(tar, DUMP, dump)]
                files += [_add(tar, name, path) for name, path in media_files(media_root)]
                manifest = {
                    "format": FORMAT_VERSION,
                    "site": getattr(settings, "SITE_NAME", ""),
                    "created": timezone.localtime().isoformat(timespec="seconds"),
                    "database": connection.vendor,
                    "django": django.get_version(),
                    "migrations": migrations,
                    "counts": counts,
                    "files": files,
                }
                data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(data), int(timezone.now().timestamp()), 0o644
                tar.addfile(info, io.BytesIO(data))
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return target, manifest


def _free_name(folder, stem):
    target, n = folder / f"{stem}.tar.gz", 2
    while target.exists():  # two backups within one second
        target, n = folder / f"{stem}-{n}.tar.gz", n + 1
    return target


def _dump_database(path):
    """The dump, and the row counts and migrations of the same consistent snapshot."""
    models = dumped_models()
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:  # one snapshot for every table, without locks
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        # (On SQLite the transaction itself, BEGIN IMMEDIATE, keeps writers out meanwhile.)
        if EXACT_JSON not in serializers.get_serializer_formats():
            serializers.register_serializer(EXACT_JSON, __name__)
        with open(path, "w", encoding="utf-8") as out, _as_backup_error("导出数据库失败"):
            call_command(
                "dumpdata",
                *[model._meta.label for model in models],
                format=EXACT_JSON,
                natural_foreign=True,
                use_base_manager=True,
                verbosity=0,
                stdout=out,
            )
        counts = {model._meta.label_lower: model._base_manager.count() for model in models}
        return counts, applied_migrations()


@contextmanager
def _as_backup_error(what):
    try:
        yield
    except Exception as error:
        missing_table = any(s in str(error) for s in ("no such table", "does not exist"))
        hint = (
            "（数据库还没有迁移到最新？请先运行 python manage.py migrate）" if missing_table else ""
        )
        raise BackupError(f"{what}：{error}{hint}") from error


class _Hashing:
    """A file as tarfile reads it, hashed on the way: each byte is read once."""

    def __init__(self, file):
        self.file, self.sha256 = file, hashlib.sha256()

    def read(self, size=-1):
        data = self.file.read(size)
        self.sha256.update(data)
        return data


def _add(tar, name, path):
    with open(path, "rb") as file:
        stat = os.fstat(file.fileno())
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o644
        hashing = _Hashing(file)
        tar.addfile(info, hashing)
    return {"path": name, "size": stat.st_size, "sha256": hashing.sha256.hexdigest()}


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# --- checking an archive -------------------------------------------------------------------


def unpack(archive, into):
    """Unpack `archive` into the folder `into` and check it. Returns the manifest; raises
    BackupError (having written nothing outside `into`) if anything is wrong."""
    archive, into = Path(archive), Path(into)
    if not archive.exists():
        raise BackupError(f"找不到备份文件“{archive}”。")
    if not archive.is_file():
        raise BackupError(f"“{archive}”不是文件。")
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = tar.getmembers()
            _check_members(members, into)
            tar.extractall(into, members=members, filter="data")
    except BackupError:
        raise
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(
            f"“{archive.name}”不是有效的备份文件（不是 tar.gz 压缩包，或者已经损坏）：{error}"
        ) from error
    manifest = _read_manifest(into)
    _check_files(manifest, into, {m.name for m in members if m.isfile()} - {MANIFEST})
    _check_text(into / DUMP)
    return manifest


def _check_members(members, into):
    seen = set()
    for member in members:
        name, parts = member.name, PurePosixPath(member.name).parts
        if name.startswith("/") or ".." in parts:
            raise BackupError(f"备份文件里有不安全的路径“{name}”（绝对路径或 ..），拒绝恢复。")
        try:
            tarfile.data_filter(member, str(into))
        except tarfile.FilterError as error:
            reason = UNSAFE.get(type(error).__name__, "不安全")
            raise BackupError(f"备份文件里有不安全的条目“{name}”（{reason}），拒绝恢复。") from None
        if not (member.isfile() or member.isdir()):
            raise BackupError(f"备份文件里有链接或特殊文件“{name}”，拒绝恢复。")
        if member.isfile() and name not in (MANIFEST, DUMP) and parts[0] != MEDIA:
            raise BackupError(f"备份文件里有不属于备份的文件“{name}”，拒绝恢复。")
        if member.isfile() and name in seen:
            raise BackupError(f"备份文件里“{name}”出现了两次，拒绝恢复。")
        seen.add(name)
    if MANIFEST not in seen:
        raise BackupError(f"备份文件里没有 {MANIFEST}：这不是本网站的备份，或者已经损坏。")


def _read_manifest(into):
    try:
        manifest = json.loads((into / MANIFEST).read_text("utf-8"))
        files = {entry["path"]: entry for entry in manifest["files"]}
        ok = manifest["format"] == FORMAT_VERSION and isinstance(manifest["counts"], dict)
        ok = ok and len(files) == len(manifest["files"])
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError(f"备份文件的 {MANIFEST} 无法读取：{error}。") from error
    if not ok:
        raise BackupError(f"不认识这个备份的格式（{MANIFEST} 的 format 不是 {FORMAT_VERSION}）。")
    if DUMP not in files:
        raise BackupError(f"备份文件里没有数据库（{DUMP}）。")
    return manifest


def _check_files(manifest, into, present):
    listed = {entry["path"]: entry for entry in manifest["files"]}
    if missing := sorted(set(listed) - present):
        raise BackupError(f"备份文件不完整：缺少 {'、'.join(missing[:5])}，拒绝恢复。")
    if extra := sorted(present - set(listed)):
        raise BackupError(f"备份文件里有清单上没有的文件：{'、'.join(extra[:5])}，拒绝恢复。")
    for name, entry in listed.items():
        path = into / name
        if path.stat().st_size != entry.get("size") or sha256_of(path) != entry.get("sha256"):
            raise BackupError(f"备份文件已损坏或被改动过：“{name}”的校验和与清单不符，拒绝恢复。")


def _check_text(dump):
    """Refuse a dump holding text that our fields refuse (news.text.validate_plain_text, e.g.
    NUL or U+202E): loaddata runs no validator, and such text breaks the feeds."""
    try:
        objects = json.loads(dump.read_text("utf-8"))
    except ValueError as error:
        raise BackupError(f"备份里的数据库（{DUMP}）无法读取：{error}。") from error
    for obj in objects:
        try:
            model = apps.get_model(obj["model"])
            fields = [(model._meta.get_field(name), value) for name, value in obj["fields"].items()]
        except (LookupError, KeyError, TypeError, AttributeError, FieldDoesNotExist):
            continue  # not ours to judge: loaddata reports it
        for field, value in fields:
            if validate_plain_text not in field.validators:
                continue
            try:
                validate_plain_text(value)
            except ValidationError as error:
                raise BackupError(
                    f"备份里的{model._meta.verbose_name}（编号 {quoted(obj.get('pk'))}）"
                    f"“{field.verbose_name}”{error.messages[0]}拒绝恢复。"
                ) from None


def _check_migrations(manifest):
    applied = applied_migrations()
    newer = [
        f"{app}.{name}"
        for app, names in manifest.get("migrations", {}).items()
        for name in names
        if name not in applied.get(app, [])
    ]
    if newer:
        raise BackupError(
            "这个备份来自更新版本的网站，本机的数据库缺少这些迁移："
            f"{'、'.join(newer[:5])}。请先更新代码并运行 python manage.py migrate，再恢复。"
        )


def check(archive):
    """Check `archive` as a restore would, changing nothing. Returns the manifest."""
    with tempfile.TemporaryDirectory(prefix="pingcheng-check-") as work:
        manifest = unpack(archive, work)
    _check_migrations(manifest)
    return manifest


# --- restoring -----------------------------------------------------------------------------


def restore(archive):
    """Replace the database and MEDIA_ROOT with the archive's. Returns the manifest."""
    media_root = Path(settings.MEDIA_ROOT)
    media_root.mkdir(parents=True, exist_ok=True)
    # Beside MEDIA_ROOT: on the same disk as a rule, so the swap is a rename, not a copy.
    with tempfile.TemporaryDirectory(dir=media_root.parent, prefix=".pingcheng-restore-") as work:
        work = Path(work)
        staged = work / "archive"
        manifest = unpack(archive, staged)
        _check_migrations(manifest)
        (staged / MEDIA).mkdir(exist_ok=True)
        swapped = False
        try:
            with transaction.atomic():
                _load_database(staged / DUMP, manifest)
                _swap(staged / MEDIA, media_root, work / "replaced")
                swapped = True
        except BaseException:
            ContentType.objects.clear_cache()  # it may hold ids that were rolled back
            if swapped:  # the commit itself failed: the old files go back
                _swap(work / "replaced", media_root, work / "discarded")
            raise
    return manifest


def _load_database(dump, manifest):
    with _as_backup_error("载入数据库失败，数据库没有改动"):
        call_command("flush", interactive=False, verbosity=0)  # recreates types, permissions
        with _search_index_paused():
            call_command("loaddata", str(dump), verbosity=0)
    wrong = []
    for label, expected in manifest["counts"].items():
        try:
            actual = apps.get_model(label)._base_manager.count()
        except LookupError:  # a model this version of the site no longer has
            actual = 0
        if actual != expected:
            wrong.append(f"{label} 应有 {expected} 行，载入了 {actual} 行")
    if wrong:
        raise BackupError(f"载入的数据与清单不符，数据库没有改动：{'；'.join(wrong)}。")
    search.rebuild_index()
    # The backup's own codes came back; only those missing or for another site address
    # (a backup of another site, or DJANGO_SITE_URL changed since) are made.
    qr.make_missing()


@contextmanager
def _search_index_paused():
    """Loading does not index each article nor make its QR code (news.signals does both on
    every save): the index is rebuilt and missing codes are made once afterwards instead."""
    from news import signals
    from news.models import Article

    post_save.disconnect(signals.index_article, sender=Article)
    post_save.disconnect(signals.make_qr_code, sender=Article)
    try:
        yield
    finally:
        post_save.connect(signals.index_article, sender=Article)
        post_save.connect(signals.make_qr_code, sender=Article)


def _swap(incoming, root, aside):
    """Move everything in `root` to `aside` and everything in `incoming` into `root`; on any
    failure, move back what was moved."""
    aside.mkdir(exist_ok=True)
    moved = []
    try:
        for source, folder in ((root, aside), (incoming, root)):
            for entry in sorted(source.iterdir()):
                shutil.move(entry, folder / entry.name)
                moved.append((entry, folder / entry.name))
    except BaseException:
        for origin, now in reversed(moved):
            shutil.move(now, origin)
        raise
