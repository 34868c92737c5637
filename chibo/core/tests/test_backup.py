"""`chibo backup` / `chibo restore`: the test world and some uploaded files are backed up from the
suite's database and restored, by a separate `chibo restore` process, into an EMPTY database
(a new SQLite file, or a new PostgreSQL database made here), where every table's rows and every
file's bytes are found equal. The rows are compared by this file's own SQL, not the manifest."""

from __future__ import annotations

import hashlib
import io
import os
import sqlite3
import stat
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from chibo.core import sealing
from tests.world import build_world, make_member

ROOT = Path(__file__).resolve().parents[3]
POSTGRES = connection.vendor == "postgresql"

MEDIA = {
    "members/photos/2026/nguyen-van-a.jpg": bytes(range(256)) * 40,
    "meetings/2026/biên bản họp tháng 3.docx": "Biên bản — chi bộ thôn Đông".encode() * 500,
    "imports/empty.xlsx": b"",
}


# --- reading a database with plain SQL, independently of chibo.core.backup ----------------------


def _pg_params(name: str) -> dict:
    db = settings.DATABASES["default"]
    return {
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "password": db["PASSWORD"],
        "dbname": name,
    }


def _digest(rows: list) -> str:
    return hashlib.sha256("\n".join(sorted(map(repr, rows))).encode()).hexdigest()


def _sqlite_tables(conn) -> dict[str, tuple[int, str]]:
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    out = {}
    for n in names:
        rows = conn.execute(f'SELECT * FROM "{n}"').fetchall()
        out[n] = (len(rows), _digest(rows))
    return out


def _pg_tables(name: str) -> dict[str, tuple[int, str]]:
    with psycopg.connect(**_pg_params(name)) as conn:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        out = {}
        for n in names:
            rows = [r[0] for r in conn.execute(f'SELECT x::text FROM "{n}" x')]
            out[n] = (len(rows), _digest(rows))
    return out


def _source_tables() -> dict[str, tuple[int, str]]:
    if POSTGRES:
        return _pg_tables(settings.DATABASES["default"]["NAME"])
    # The suite's in-memory SQLite database, shared within this process.
    name = connection.settings_dict["NAME"]
    with sqlite3.connect(name, uri=True) as conn:
        return _sqlite_tables(conn)


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


# --- a source with data, and an empty target --------------------------------------------------


@pytest.fixture
def source(transactional_db, settings, tmp_path):
    # Committed rows (transactional_db), so pg_dump in its own session sees them too.
    world = build_world()
    make_member(world.cells_a[0], "Nguyễn Văn Á")
    make_member(world.cells_a[1], "Đặng Thị Bích")
    for name, data in MEDIA.items():
        path = Path(settings.MEDIA_ROOT) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return world


class Target:
    """An empty deployment (database + var/ with no uploads) that `chibo restore` runs against."""

    def __init__(self, tmp_path: Path):
        self.var = tmp_path / "target-var"
        self.env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "DB", "CHIBO_TESTING", "CHIBO_BACKUP_KEY")
        }
        self.env.update(PYTHONPATH=str(ROOT), CHIBO_VAR_DIR=str(self.var), CHIBO_DEMO="1")
        self.pg_name = None
        if POSTGRES:
            self.pg_name = f"chibo_restore_{uuid.uuid4().hex[:10]}"
            with psycopg.connect(**_pg_params("postgres"), autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.pg_name}"')
            p = _pg_params(self.pg_name)
            self.env["DATABASE_URL"] = (
                f"postgres://{p['user']}:{p['password']}@{p['host']}:{p['port']}/{self.pg_name}"
            )

    def restore(self, archive: Path, *args: str, key: str | None = None):
        env = dict(self.env)
        if key is not None:
            env["CHIBO_BACKUP_KEY"] = key
        return subprocess.run(
            [sys.executable, "-m", "chibo", "restore", str(archive), *args],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )

    def tables(self) -> dict[str, tuple[int, str]]:
        if POSTGRES:
            return _pg_tables(self.pg_name)
        path = self.var / "chibo.sqlite3"
        if not path.exists():
            return {}
        with sqlite3.connect(path) as conn:
            return _sqlite_tables(conn)

    def media(self) -> dict[str, bytes]:
        root = self.var / "media"
        return _files(root) if root.exists() else {}

    def drop(self):
        if self.pg_name:
            with psycopg.connect(**_pg_params("postgres"), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')


@pytest.fixture
def target(tmp_path):
    t = Target(tmp_path)
    yield t
    t.drop()


def _backup(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("backup", str(path), *args, stdout=out)
    return out.getvalue()


# --- the tests ---------------------------------------------------------------------------------


def test_it_round_trips_every_row_and_file(source, target, tmp_path, settings):
    archive = tmp_path / "out" / "chibo.tar"
    said = _backup(archive)
    assert "KHÔNG mã hóa" in said and str(archive) in said
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600

    done = target.restore(archive)
    assert done.returncode == 0, done.stderr
    assert "khớp bản kê" in done.stdout

    before, after = _source_tables(), target.tables()
    assert after == before
    # Not an empty world compared with an empty world:
    assert before["accounts_user"][0] == 4 and before["members_member"][0] == 2
    assert target.media() == MEDIA == _files(Path(settings.MEDIA_ROOT))


def test_restoring_onto_a_database_that_is_not_empty_is_refused_unless_forced(
    source, target, tmp_path
):
    archive = tmp_path / "chibo.tar"
    _backup(archive)
    assert target.restore(archive).returncode == 0
    restored = target.tables()

    again = target.restore(archive)
    assert again.returncode != 0
    assert "Nơi khôi phục không trống" in again.stderr and "--force" in again.stderr
    assert target.tables() == restored

    forced = target.restore(archive, "--force")
    assert forced.returncode == 0, forced.stderr
    assert target.tables() == restored == _source_tables()
    assert target.media() == MEDIA
    # The uploads that were there are kept aside, not deleted.
    (aside,) = target.var.glob("media.before-restore-*")
    assert _files(aside) == MEDIA


def _rewrite(archive: Path, out: Path, change) -> None:
    with tarfile.open(archive) as src, tarfile.open(out, "w") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            data = change(member.name, data)
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))


def test_a_changed_archive_is_refused_and_nothing_is_restored(source, target, tmp_path):
    archive = tmp_path / "chibo.tar"
    _backup(archive)
    photo = "media/members/photos/2026/nguyen-van-a.jpg"

    def one_byte(name, data):
        return data[:100] + bytes([data[100] ^ 1]) + data[101:] if name == photo else data

    changed = tmp_path / "changed.tar"
    _rewrite(archive, changed, one_byte)
    done = target.restore(changed)
    assert done.returncode != 0
    assert "Bản sao bị hỏng hoặc bị sửa" in done.stderr and photo in done.stderr
    assert target.tables() == {} and target.media() == {}

    def dump_changed(name, data):
        return data + b"\0" if name.startswith("database/") else data

    _rewrite(archive, changed := tmp_path / "dump.tar", dump_changed)
    done = target.restore(changed)
    assert done.returncode != 0 and "checksum differs: database/" in done.stderr

    cut = tmp_path / "cut.tar"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    done = target.restore(cut)
    assert done.returncode != 0 and "đã hỏng" in done.stderr
    assert target.tables() == {} and target.media() == {}


def test_an_encrypted_backup_round_trips_and_needs_its_key(source, target, tmp_path, monkeypatch):
    key = sealing.new_key()
    monkeypatch.setenv("CHIBO_BACKUP_KEY", key)
    archive = tmp_path / "chibo.tar.sealed"
    assert "đã mã hóa" in _backup(archive)
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    body = archive.read_bytes()
    assert body.startswith(sealing.MAGIC)
    # Nothing readable inside: no file names, no member's name, no SQLite or dump header.
    for plain in (b"manifest.json", b"nguyen-van-a", "Nguyễn".encode(), b"SQLite format", b"PGDMP"):
        assert plain not in body

    no_key = target.restore(archive)
    assert no_key.returncode != 0 and "đã mã hóa: đặt CHIBO_BACKUP_KEY" in no_key.stderr
    wrong = target.restore(archive, key=sealing.new_key())
    assert wrong.returncode != 0 and "sai khóa CHIBO_BACKUP_KEY" in wrong.stderr
    flipped = tmp_path / "flipped.sealed"
    middle = len(body) // 2
    flipped.write_bytes(body[:middle] + bytes([body[middle] ^ 0x80]) + body[middle + 1 :])
    assert "bị sửa" in target.restore(flipped, key=key).stderr
    assert target.tables() == {} and target.media() == {}

    done = target.restore(archive, key=key)
    assert done.returncode == 0, done.stderr
    assert target.tables() == _source_tables()
    assert target.media() == MEDIA


def test_a_malformed_key_is_refused(source, tmp_path, monkeypatch):
    monkeypatch.setenv("CHIBO_BACKUP_KEY", "mat-khau-ngan")
    with pytest.raises(CommandError, match="khóa 32 byte"):
        _backup(tmp_path / "x.tar")
    assert not (tmp_path / "x.tar").exists()


def test_it_never_overwrites_a_backup(source, tmp_path):
    archive = tmp_path / "chibo.tar"
    archive.write_bytes(b"an older backup")
    with pytest.raises(CommandError, match="đã có; không ghi đè"):
        _backup(archive)
    assert archive.read_bytes() == b"an older backup"


@pytest.mark.skipif(not POSTGRES, reason="pg_dump's version against the PostgreSQL server")
def test_an_older_pg_dump_than_the_server_is_refused(source, tmp_path):
    fake = tmp_path / "bin" / "pg_dump"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    fake.chmod(0o755)
    server = connection.pg_version // 10000
    with pytest.raises(CommandError) as refused:
        _backup(tmp_path / "chibo.tar", "--pg-bin", str(fake.parent))
    assert f"pg_dump 9 không sao lưu được máy chủ PostgreSQL {server}" in str(refused.value)
    assert not list(tmp_path.glob("chibo.tar*"))


@pytest.mark.skipif(not POSTGRES, reason="SQLite's backup API replaces the whole file")
def test_a_forced_restore_reports_what_does_not_match_the_manifest(source, target, tmp_path):
    archive = tmp_path / "chibo.tar"
    _backup(archive)
    # A target made by a newer chibo: a table the archive does not know survives --clean.
    with psycopg.connect(**_pg_params(target.pg_name), autocommit=True) as conn:
        conn.execute("CREATE TABLE stray (id int)")
        conn.execute("INSERT INTO stray VALUES (1)")
    done = target.restore(archive, "--force")
    assert done.returncode != 0
    assert "KHÔNG khớp bản kê" in done.stderr and "bảng thừa / extra table: stray" in done.stderr
    restored = target.tables()
    assert restored.pop("stray")[0] == 1
    assert restored == _source_tables()


# --- the sealed stream itself ------------------------------------------------------------------

KEY = bytes(range(32))


def _seal(data: bytes, chunk: int = 16) -> bytes:
    out = io.BytesIO()
    w = sealing.SealedWriter(out, KEY, chunk=chunk)
    for i in range(0, len(data), 7):  # written in pieces that do not line up with the chunks
        w.write(data[i : i + 7])
    w.close()
    return out.getvalue()


def _open(sealed: bytes, key: bytes = KEY) -> bytes:
    r = sealing.SealedReader(io.BytesIO(sealed), key)
    parts = []
    while block := r.read(5):
        parts.append(block)
    return b"".join(parts)


@pytest.mark.parametrize("size", [0, 1, 15, 16, 17, 32, 33, 100])
def test_the_sealed_stream_round_trips_at_every_chunk_boundary(size):
    data = os.urandom(size)
    assert _open(_seal(data)) == data


def test_a_sealed_stream_cut_at_a_chunk_boundary_or_reordered_is_refused():
    data = os.urandom(64)  # 4 chunks of 16, the 4th sealed as the last
    sealed = _seal(data)
    header = len(sealing.MAGIC) + 16 + 4
    block = 16 + sealing.TAG
    chunks = [
        sealed[header + i : header + i + block] for i in range(0, len(sealed) - header, block)
    ]
    assert len(chunks) == 4
    for forged in (
        sealed[:header] + b"".join(chunks[:3]),  # the last chunk dropped
        sealed[:header] + b"".join([chunks[1], chunks[0], *chunks[2:]]),  # two swapped
        _seal(data)[:header] + b"".join(chunks),  # another archive's header (salt)
    ):
        with pytest.raises(sealing.SealError):
            _open(forged)
    with pytest.raises(sealing.SealError):
        _open(sealed, key=bytes(32))
