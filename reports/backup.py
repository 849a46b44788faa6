"""Backing up and restoring the database and the uploaded files as one archive.

An archive (``sokket-YYYYmmdd-HHMMSS.tar.gz``) holds ``manifest.json``, the
database (``database.sqlite3``, a consistent copy made with SQLite's backup API,
or ``database.pgdump``, made by ``pg_dump -Fc``) and every file under
``MEDIA_ROOT`` as ``media/...``.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = 1
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
DATABASE_MEMBER = {"sqlite": SQLITE_MEMBER, "postgresql": PG_MEMBER}
MEDIA_PREFIX = "media/"
# tarfile's "data" filter came in Python 3.11.4; Debian 12 ships 3.11.2.
HAS_DATA_FILTER = hasattr(tarfile, "data_filter")


class BackupError(Exception):
    """A backup or restore could not be done; the message says why."""


class UnsafeArchiveError(BackupError):
    """An archive member could write outside the restore directory."""

    def __init__(self, member, reason):
        super().__init__(
            _("Bản sao lưu không an toàn, không khôi phục: mục “%(name)s” %(reason)s.")
            % {"name": member.name, "reason": reason}
        )


def engine_of(db):
    engine = db["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(_("Không hỗ trợ sao lưu cơ sở dữ liệu %(e)s.") % {"e": engine})


def create_backup(output_dir, *, alias="default", media_root=None, now=None):
    """Write one archive of the database ``alias`` and the media; return its path."""
    connection = connections[alias]
    db = connection.settings_dict
    engine = engine_of(db)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M%S")
    archive = output_dir / f"sokket-{stamp}.tar.gz"
    counter = 1
    while archive.exists():
        counter += 1
        archive = output_dir / f"sokket-{stamp}-{counter}.tar.gz"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if engine == "sqlite":
            dump, member = tmp / SQLITE_MEMBER, SQLITE_MEMBER
            _sqlite_copy(connection, dump)
        else:
            dump, member = tmp / PG_MEMBER, PG_MEMBER
            _run(
                ["pg_dump", "-Fc", "--no-owner", "--no-privileges", "-f", str(dump)], db
            )
        media_files = _media_files(media_root)
        manifest = {
            "format": FORMAT,
            "engine": engine,
            "created_at": timezone.now().isoformat(),
            "database": member,
            "media_files": len(media_files),
        }
        partial = archive.with_suffix(".partial")
        # A symlink in MEDIA_ROOT goes in as the file it points to: restore takes
        # regular files and directories only.
        with tarfile.open(partial, "w:gz", dereference=True) as tar:
            _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=2).encode())
            tar.add(dump, arcname=member)
            for path in media_files:
                tar.add(
                    path, arcname=MEDIA_PREFIX + path.relative_to(media_root).as_posix()
                )
        os.replace(partial, archive)
    return archive


def restore_backup(archive, *, db=None, media_root=None, force=False):
    """Restore ``archive`` into the database ``db`` (settings dict) and media root.

    The target database must be empty (missing, or without tables) unless
    ``force``; a PostgreSQL database that does not exist is created.
    """
    db = db or connections["default"].settings_dict
    engine = engine_of(db)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    try:
        tar = tarfile.open(archive, "r:gz")
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(
            _("Không đọc được tệp sao lưu %(path)s: %(err)s")
            % {"path": archive, "err": exc}
        ) from exc
    with tar, tempfile.TemporaryDirectory() as tmp:
        manifest = _manifest(tar)
        if manifest["engine"] != engine:
            raise BackupError(
                _("Bản sao lưu là của %(src)s, không khôi phục vào %(dst)s được.")
                % {"src": manifest["engine"], "dst": engine}
            )
        _extract(tar, Path(tmp))
        dump = Path(tmp) / manifest["database"]
        if engine == "sqlite":
            _sqlite_restore(dump, Path(db["NAME"]), force=force)
        else:
            _pg_restore(dump, db, force=force)
        media = Path(tmp) / MEDIA_PREFIX
        restored = 0
        if media.is_dir():
            for path in media.rglob("*"):
                if path.is_file():
                    target = media_root / path.relative_to(media)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, target)
                    restored += 1
    return manifest, restored


def _manifest(tar):
    try:
        member = tar.extractfile("manifest.json")
        manifest = json.load(member)
    except (KeyError, ValueError, tarfile.TarError) as exc:
        raise BackupError(_("Tệp không phải bản sao lưu Sokket.")) from exc
    # The database member is named by the engine, never by a path from the archive.
    database = DATABASE_MEMBER.get(manifest.get("engine"))
    if manifest.get("format") != FORMAT or manifest.get("database") != database:
        raise BackupError(_("Bản sao lưu có định dạng không biết."))
    return manifest


def _extract(tar, target):
    """Extract ``tar`` into ``target`` once every member is known to stay inside it."""
    members = tar.getmembers()
    for member in members:
        _check_member(member, target)
    if HAS_DATA_FILTER:
        tar.extractall(target, members, filter="data")
        return
    # Plain files, as the filter would leave them: tarfile's own extraction would
    # also apply the archive's owners and mode bits (setuid included).
    for member in members:
        path = target / member.name
        if member.isdir():
            path.mkdir(parents=True, exist_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        with tar.extractfile(member) as source, open(path, "wb") as destination:
            shutil.copyfileobj(source, destination)
        os.utime(path, (member.mtime, member.mtime))


def _check_member(member, target):
    """Refuse anything but a regular file or a directory inside ``target``.

    Checked on every Python, the data filter's too: it would quietly strip a
    leading "/" and extract links inside the target, where the archive should
    rather be refused.
    """
    if member.issym() or member.islnk():
        raise UnsafeArchiveError(
            member,
            _("là liên kết (tới “%(link)s”)") % {"link": member.linkname},
        )
    if not (member.isfile() or member.isdir()):
        raise UnsafeArchiveError(member, _("là tệp thiết bị hoặc FIFO"))
    name = PurePosixPath(member.name)
    if name.is_absolute():
        raise UnsafeArchiveError(member, _("có đường dẫn tuyệt đối"))
    root = os.path.realpath(target)
    path = os.path.realpath(os.path.join(root, member.name))
    if ".." in name.parts or os.path.commonpath([root, path]) != root:
        raise UnsafeArchiveError(member, _("ra ngoài thư mục khôi phục (“..”)"))


def _media_files(media_root):
    if not media_root.is_dir():
        return []
    return sorted(p for p in media_root.rglob("*") if p.is_file())


def _add_bytes(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    with tempfile.SpooledTemporaryFile() as fh:
        fh.write(data)
        fh.seek(0)
        tar.addfile(info, fh)


def _sqlite_copy(connection, target):
    """A consistent copy of a live SQLite database (file or in memory)."""
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        connection.connection.backup(destination)
    finally:
        destination.close()


def _sqlite_restore(dump, target, *, force):
    if str(target) == ":memory:" or "mode=memory" in str(target):
        raise BackupError(_("Không khôi phục vào cơ sở dữ liệu SQLite trong bộ nhớ."))
    if target.exists() and _sqlite_has_tables(target) and not force:
        raise BackupError(
            _("Cơ sở dữ liệu %(path)s đã có dữ liệu; dùng --force để ghi đè.")
            % {"path": target}
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".restoring")
    source = sqlite3.connect(dump)
    destination = sqlite3.connect(partial)
    try:
        source.backup(destination)
    finally:
        source.close()
        destination.close()
    os.replace(partial, target)


def _sqlite_has_tables(path):
    conn = sqlite3.connect(path)
    try:
        return bool(
            conn.execute("SELECT 1 FROM sqlite_master WHERE type='table'").fetchone()
        )
    finally:
        conn.close()


def _pg_env(db, name=None):
    env = dict(os.environ)
    for key, var in [("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")]:
        if db.get(key):
            env[var] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    env["PGDATABASE"] = name or db["NAME"]
    return env


def _run(args, db, name=None):
    try:
        result = subprocess.run(
            args, env=_pg_env(db, name), capture_output=True, text=True
        )
    except FileNotFoundError as exc:
        raise BackupError(
            _("Không tìm thấy lệnh %(cmd)s: cài postgresql-client.") % {"cmd": args[0]}
        ) from exc
    if result.returncode != 0:
        raise BackupError(
            _("%(cmd)s thất bại: %(err)s")
            % {"cmd": args[0], "err": result.stderr.strip()}
        )
    return result.stdout


def _psql(db, sql, name=None):
    return _run(
        ["psql", "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-c", sql], db, name
    )


def _pg_restore(dump, db, *, force):
    name = db["NAME"]
    exists = _psql(
        db,
        f"SELECT 1 FROM pg_database WHERE datname = '{_pg_literal(name)}'",
        "postgres",
    ).strip()
    if not exists:
        _psql(db, f'CREATE DATABASE "{_pg_ident(name)}"', "postgres")
    elif not force:
        tables = _psql(
            db,
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
        ).strip()
        if tables != "0":
            raise BackupError(
                _("Cơ sở dữ liệu %(name)s đã có dữ liệu; dùng --force để ghi đè.")
                % {"name": name}
            )
    args = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error"]
    if force:
        args += ["--clean", "--if-exists"]
    _run([*args, "-d", name, str(dump)], db)


def _pg_literal(value):
    return value.replace("'", "''")


def _pg_ident(value):
    return value.replace('"', '""')
