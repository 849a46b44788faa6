import io
import json
import sqlite3
import tarfile
import uuid
from decimal import Decimal
from pathlib import Path

import psycopg2
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from reports import backup, workflow
from reports.audit import AUDITED
from reports.backup import BackupError, create_backup, restore_backup
from reports.models import Attachment, Report, ReportVersion, VersionCell
from tests.factories import as_request_by, create_report, fill_report

pytestmark = pytest.mark.django_db(transaction=True)

ON_POSTGRES = connection.vendor == "postgresql"


def _season(demo, unit, make_user):
    """Reports with versions, attachments and audit rows by named users."""
    reviewer = make_user("72", "reviewer")
    for seed, code in enumerate(["705", "703"], start=1):
        staff = make_user(code, "staff")
        report = fill_report(create_report(demo, unit(code)), staff, seed=seed)
        as_request_by(
            staff, lambda r=report, s=staff: workflow.submit_report(r, actor=s)
        )
    first = Report.objects.get(unit__code="705")
    as_request_by(
        reviewer,
        lambda: workflow.return_report(first, actor=reviewer, reason="Bổ sung số liệu"),
    )


def _snapshot(settings):
    tables = {
        "report": (Report, ["id", "status", "unit_id"]),
        "version": (ReportVersion, ["id", "report_id", "number"]),
        "version_cell": (VersionCell, ["id", "version_id", "num"]),
        "attachment": (Attachment, ["id", "file", "sha256"]),
    }
    for key, model in AUDITED.items():
        tables[f"history_{key}"] = (
            model.history.model,
            ["history_id", "id", "history_type", "history_user_id"],
        )
    snapshot = {}
    for key, (model, columns) in tables.items():
        rows = model.objects.order_by(columns[0]).values_list(*columns)
        snapshot[key] = (
            model._meta.db_table,
            columns,
            [tuple(map(_norm, r)) for r in rows],
        )
    files = {
        a.file.name: (settings.MEDIA_ROOT / a.file.name).read_bytes()
        for a in Attachment.objects.all()
    }
    return snapshot, files


def _norm(value):
    # Numbers read back raw (SQLite gives 12, Django Decimal("12.0000")).
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(Decimal(str(value)).normalize())
    return str(value)


def _read_back(conn, snapshot):
    found = {}
    cursor = conn.cursor()
    for key, (table, columns, _rows) in snapshot.items():
        cursor.execute(
            f"SELECT {', '.join(columns)} FROM {table} ORDER BY {columns[0]}"
        )
        found[key] = [tuple(map(_norm, r)) for r in cursor.fetchall()]
    return found


@pytest.fixture(params=["data filter", "explicit check"])
def extraction(request, monkeypatch):
    """Restore's two ways of extracting an archive: tarfile's "data" filter (Python
    3.11.4+) and the explicit check of every member (Debian 12's Python 3.11.2)."""
    if request.param == "data filter" and not hasattr(tarfile, "data_filter"):
        pytest.skip("tarfile has no data filter before Python 3.11.4")
    monkeypatch.setattr(backup, "HAS_DATA_FILTER", request.param == "data filter")
    return request.param


@pytest.fixture
def restore_target(tmp_path):
    """An empty database to restore into: a new SQLite file, or a new PostgreSQL
    database on the server the suite runs on (dropped at the end)."""
    if not ON_POSTGRES:
        yield {"ENGINE": "django.db.backends.sqlite3", "NAME": tmp_path / "new.sqlite3"}
        return
    db = {**connection.settings_dict, "NAME": f"sokket_restore_{uuid.uuid4().hex[:8]}"}
    yield db
    admin = psycopg2.connect(**_pg_kwargs(db, "postgres"))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}"')
    admin.close()


def _pg_kwargs(db, name):
    kwargs = {"dbname": name, "user": db["USER"], "host": db["HOST"] or None}
    if db.get("PORT"):
        kwargs["port"] = db["PORT"]
    if db.get("PASSWORD"):
        kwargs["password"] = db["PASSWORD"]
    return kwargs


def _connect(db):
    if ON_POSTGRES:
        return psycopg2.connect(**_pg_kwargs(db, db["NAME"]))
    return sqlite3.connect(db["NAME"])


def test_restore_into_an_empty_database_finds_everything(
    demo, unit, make_user, settings, tmp_path, restore_target, extraction
):
    _season(demo, unit, make_user)
    snapshot, files = _snapshot(settings)
    assert len(snapshot["version"][2]) == 2
    assert len(files) >= 2
    assert any(row[3] != "None" for row in snapshot["history_report"][2])

    archive = create_backup(tmp_path / "backups")
    assert archive.name.startswith("sokket-") and archive.suffixes == [".tar", ".gz"]
    restored_media = tmp_path / "restored-media"
    manifest, restored_files = restore_backup(
        archive, db=restore_target, media_root=restored_media
    )

    assert manifest["engine"] == ("postgresql" if ON_POSTGRES else "sqlite")
    assert restored_files == len(files)
    conn = _connect(restore_target)
    try:
        found = _read_back(conn, snapshot)
    finally:
        conn.close()
    for key, (_table, _columns, rows) in snapshot.items():
        assert found[key] == rows, key
    for name, content in files.items():
        assert (restored_media / name).read_bytes() == content


def test_restore_refuses_a_database_that_has_data(
    demo, unit, make_user, tmp_path, restore_target
):
    archive = create_backup(tmp_path / "backups")
    restore_backup(archive, db=restore_target, media_root=tmp_path / "m")
    with pytest.raises(BackupError, match="đã có dữ liệu"):
        restore_backup(archive, db=restore_target, media_root=tmp_path / "m")
    # --force overwrites.
    restore_backup(archive, db=restore_target, media_root=tmp_path / "m", force=True)


def _wal_database(path, table):
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute(f"CREATE TABLE {table} (x)")
    conn.execute(f"INSERT INTO {table} VALUES (1)")
    conn.commit()
    return conn


def test_a_forced_restore_over_a_wal_database_leaves_no_stale_log(tmp_path):
    # The backup of a database in WAL mode (as the portal's SQLite runs).
    dump = tmp_path / "dump.sqlite3"
    _wal_database(dump, "restored").close()
    # The database being replaced: its server stopped with a write still in
    # the log beside it.
    target = tmp_path / "db.sqlite3"
    old = _wal_database(target, "leftover")
    wal = Path(f"{target}-wal")
    log = wal.read_bytes()
    old.close()
    wal.write_bytes(log)
    backup._sqlite_restore(dump, target, force=True)
    conn = sqlite3.connect(target)
    conn.execute("PRAGMA journal_mode=WAL")  # as the portal opens it
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert tables == {"restored"}
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        conn.close()


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path, restore_target, db):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a tar file")
    with pytest.raises(BackupError, match="Không đọc được tệp sao lưu"):
        restore_backup(junk, db=restore_target, media_root=tmp_path / "m")


def test_backup_and_restore_commands(demo, tmp_path, capsys):
    call_command("backup", output_dir=tmp_path / "b")
    archives = list((tmp_path / "b").glob("sokket-*.tar.gz"))
    assert len(archives) == 1
    assert str(archives[0]) in capsys.readouterr().out
    # The suite's own database is not empty (and, on SQLite, lives in memory).
    with pytest.raises(CommandError):
        call_command("restore", archives[0])
    with pytest.raises(CommandError, match="Không có tệp"):
        call_command("restore", tmp_path / "missing.tar.gz")


def _member(name, kind=tarfile.REGTYPE, linkname="", data=b""):
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.size = kind, linkname, len(data)
    if kind == tarfile.CHRTYPE:
        info.devmajor, info.devminor = 1, 3  # /dev/null
    return info, data


def _hostile_archive(path, members, engine="sqlite", database=None):
    """An archive with a manifest followed by ``members``."""
    database = database or backup.DATABASE_MEMBER[engine]
    manifest = {"format": 1, "engine": engine, "database": database}
    manifest_member = _member("manifest.json", data=json.dumps(manifest).encode())
    with tarfile.open(path, "w:gz") as tar:
        for info, data in [manifest_member, *members]:
            tar.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return path


def _hostile_cases(outside):
    """Members that would write outside the target, as (name refused, members)."""
    pwned = str(outside / "pwned")
    climb = "media/" + "../" * 40 + pwned.lstrip("/")
    return {
        "absolute path": (pwned, [_member(pwned, data=b"pwned")]),
        "dot-dot": (climb, [_member(climb, data=b"pwned")]),
        "symlink out": (
            "media/link",
            [
                _member("media/link", tarfile.SYMTYPE, linkname=str(outside)),
                _member("media/link/pwned", data=b"pwned"),
            ],
        ),
        "hard link out": (
            "media/victim",
            [
                _member(
                    "media/victim", tarfile.LNKTYPE, linkname=str(outside / "victim")
                ),
                _member("media/victim", data=b"pwned"),
            ],
        ),
        "device": ("media/null", [_member("media/null", tarfile.CHRTYPE)]),
        "fifo": ("media/fifo", [_member("media/fifo", tarfile.FIFOTYPE)]),
    }


@pytest.mark.parametrize(
    "case",
    ["absolute path", "dot-dot", "symlink out", "hard link out", "device", "fifo"],
)
def test_restore_refuses_a_hostile_archive_and_writes_nothing(
    tmp_path, extraction, case
):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim").write_bytes(b"original")
    name, members = _hostile_cases(outside)[case]
    archive = _hostile_archive(tmp_path / "hostile.tar.gz", members)
    target = {"ENGINE": "django.db.backends.sqlite3", "NAME": tmp_path / "new.sqlite3"}

    with pytest.raises(BackupError) as refused:
        restore_backup(archive, db=target, media_root=tmp_path / "media")

    assert "không an toàn" in str(refused.value)
    assert name in str(refused.value)
    assert sorted(p.name for p in outside.iterdir()) == ["victim"]
    assert (outside / "victim").read_bytes() == b"original"
    assert not (tmp_path / "media").exists()
    assert not (tmp_path / "new.sqlite3").exists()


def test_restore_refuses_a_manifest_naming_a_database_outside_the_archive(tmp_path):
    outside = tmp_path / "outside" / "pwned.sqlite3"
    outside.parent.mkdir()
    archive = _hostile_archive(tmp_path / "h.tar.gz", [], database=str(outside))
    target = {"ENGINE": "django.db.backends.sqlite3", "NAME": tmp_path / "new.sqlite3"}
    with pytest.raises(BackupError, match="định dạng không biết"):
        restore_backup(archive, db=target, media_root=tmp_path / "media")
    assert not outside.exists()
    assert not (tmp_path / "new.sqlite3").exists()


def test_restore_command_names_the_hostile_member_in_vietnamese(tmp_path, db):
    engine = backup.engine_of(connection.settings_dict)
    members = [_member("/etc/cron.d/sokket", data=b"* * * * * root true")]
    archive = _hostile_archive(tmp_path / "hostile.tar.gz", members, engine=engine)
    with pytest.raises(CommandError, match="không an toàn.*/etc/cron.d/sokket"):
        call_command("restore", archive)


def test_a_symlink_in_media_is_backed_up_as_the_file_it_points_to(
    db, settings, tmp_path, restore_target
):
    scan = tmp_path / "elsewhere" / "scan.pdf"
    scan.parent.mkdir()
    scan.write_bytes(b"%PDF-1.4 scan")
    settings.MEDIA_ROOT.mkdir(parents=True)
    (settings.MEDIA_ROOT / "scan.pdf").symlink_to(scan)

    archive = create_backup(tmp_path / "backups")
    restored = tmp_path / "restored"
    _manifest, files = restore_backup(archive, db=restore_target, media_root=restored)

    assert files == 1
    assert not (restored / "scan.pdf").is_symlink()
    assert (restored / "scan.pdf").read_bytes() == b"%PDF-1.4 scan"
