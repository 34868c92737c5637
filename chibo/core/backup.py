"""Backup and restore of a whole deployment: the database and the uploaded files (MEDIA_ROOT).

One archive, a tar written as a stream (so it can be sealed on the way out, see
chibo.core.sealing), created with mode 0600:

    database/chibo.pgdump     PostgreSQL: `pg_dump --format=custom` (or)
    database/chibo.sqlite3    SQLite: a copy made with SQLite's online backup API
    media/...                 every file under MEDIA_ROOT
    manifest.json             written last: row counts per table, SHA-256 and size of each file

The row counts come from the same snapshot as the dump: on PostgreSQL a REPEATABLE READ
transaction exports its snapshot and pg_dump dumps exactly that one (--snapshot); on SQLite
they are counted in the copy. A restore checks every file against the manifest before it
touches anything, refuses a target that is not empty unless forced, then counts the restored
rows and hashes the restored files and reports every difference.

Without encryption the checksums catch damage, not a forger (who can rewrite the manifest too);
with CHIBO_BACKUP_KEY the whole archive is authenticated.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import connections, transaction

from chibo.core import sealing

FORMAT = "chibo-backup"
VERSION = 1
MANIFEST = "manifest.json"
PG_DUMP = "database/chibo.pgdump"
SQLITE_COPY = "database/chibo.sqlite3"
_READ = 1 << 20


class BackupError(Exception):
    """Refused or failed, with a message for the operator (Vietnamese first)."""


# --- the database ---------------------------------------------------------------------------


def _vendor(alias: str) -> str:
    vendor = connections[alias].vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"Chưa hỗ trợ sao lưu cơ sở dữ liệu {vendor}.")
    return vendor


def _sqlite_path(alias: str) -> Path:
    name = str(connections[alias].settings_dict["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        raise BackupError("Cơ sở dữ liệu SQLite trong bộ nhớ không sao lưu được.")
    return Path(name)


def _sqlite_counts(conn: sqlite3.Connection) -> dict[str, int]:
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name"
        )
    ]
    return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


_PG_TABLES = """
    SELECT c.relname FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg_toast%%' AND pg_catalog.pg_table_is_visible(c.oid)
    ORDER BY c.relname
"""


def _pg_counts(cursor) -> dict[str, int]:
    cursor.execute(_PG_TABLES)
    names = [r[0] for r in cursor.fetchall()]
    counts = {}
    for n in names:
        cursor.execute(f'SELECT count(*) FROM "{n}"')
        counts[n] = cursor.fetchone()[0]
    return counts


def table_counts(alias: str = "default") -> dict[str, int]:
    """Rows per table in the database as it is now."""
    if _vendor(alias) == "sqlite":
        path = _sqlite_path(alias)
        if not path.exists():
            return {}
        with sqlite3.connect(path) as conn:
            return _sqlite_counts(conn)
    with connections[alias].cursor() as cursor:
        return _pg_counts(cursor)


def _pg_env(alias: str) -> tuple[list[str], str, dict]:
    conn = connections[alias]
    args, env = conn.client.settings_to_cmd_args_env(conn.settings_dict, [])
    return args[1:-1], args[-1], {**os.environ, **(env or {})}


def _major(text: str) -> int:
    found = re.search(r"\(PostgreSQL\) (\d+)", text) or re.search(r"(\d+)(?:\.\d+)*", text)
    if not found:
        raise BackupError(f"Không đọc được phiên bản từ: {text.strip()!r}")
    return int(found.group(1))


def _tool(pg_bin: str | None, name: str) -> str:
    path = Path(pg_bin) / name if pg_bin else shutil.which(name)
    if not path or not Path(path).exists():
        raise BackupError(
            f"Không tìm thấy {name}. Cài gói postgresql-client cùng phiên bản với máy chủ, "
            f"hoặc chỉ thư mục chứa nó bằng --pg-bin (vd /usr/lib/postgresql/17/bin)."
        )
    return str(path)


def _tool_major(tool: str) -> int:
    done = subprocess.run([tool, "--version"], capture_output=True, text=True, check=False)
    return _major(done.stdout or done.stderr)


def _dump_postgresql(alias: str, out: Path, pg_bin: str | None) -> tuple[dict, dict]:
    pg_dump = _tool(pg_bin, "pg_dump")
    conn = connections[alias]
    conn.ensure_connection()
    server = conn.pg_version // 10000
    client = _tool_major(pg_dump)
    if client < server:
        raise BackupError(
            f"pg_dump {client} không sao lưu được máy chủ PostgreSQL {server} (pg_dump phải cùng "
            f"hoặc mới hơn máy chủ). Cài postgresql-client-{server} và chỉ nó bằng --pg-bin "
            f"/usr/lib/postgresql/{server}/bin. / pg_dump {client} is older than server {server}."
        )
    opts, dbname, env = _pg_env(alias)
    with transaction.atomic(using=alias), conn.cursor() as cursor:
        # The counts and the dump read one snapshot, whatever is written meanwhile.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = _pg_counts(cursor)
        done = subprocess.run(
            [pg_dump, *opts, "--format=custom", f"--snapshot={snapshot}", f"--file={out}", dbname],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        raise BackupError(f"pg_dump thất bại / failed:\n{done.stderr.strip()}")
    info = {"vendor": "postgresql", "server_major": server, "pg_dump_major": client}
    return info, counts


def _dump_sqlite(alias: str, out: Path) -> tuple[dict, dict]:
    conn = connections[alias]
    conn.ensure_connection()
    dst = sqlite3.connect(out)
    try:
        # The online backup API, through chibo's own connection: a consistent copy while the
        # server keeps writing (WAL). The counts are read from the copy itself.
        conn.connection.backup(dst)
        counts = _sqlite_counts(dst)
    finally:
        dst.close()
    return {"vendor": "sqlite", "sqlite_version": sqlite3.sqlite_version}, counts


# --- the archive ----------------------------------------------------------------------------


class _Hashing:
    def __init__(self, raw):
        self.raw, self.sha = raw, hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        self.sha.update(data)
        return data


def _sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(_READ):
            sha.update(block)
    return sha.hexdigest()


def media_files(root: Path) -> list[tuple[str, Path]]:
    """(archive name, path) of every regular file under MEDIA_ROOT, in a stable order."""
    if not root.exists():
        return []
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink():
                found.append(("media/" + path.relative_to(root).as_posix(), path))
    return found


def _add(tar: tarfile.TarFile, name: str, path: Path) -> dict:
    stat = path.stat()
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o600
    with path.open("rb") as raw:
        reader = _Hashing(raw)
        tar.addfile(info, reader)
    return {"sha256": reader.sha.hexdigest(), "size": stat.st_size}


def _open_private(path: Path):
    # 0600 from the first byte: created with that mode, never widened by the umask or later.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, "wb")


def default_path(sealed: bool) -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    return Path(settings.VAR_DIR) / "backups" / f"chibo-{stamp}.tar{'.sealed' if sealed else ''}"


@dataclass
class Summary:
    path: Path
    vendor: str
    tables: int
    rows: int
    files: int
    sealed: bool


def backup(
    dest: Path | None = None,
    *,
    key: bytes | None = None,
    alias: str = "default",
    pg_bin: str | None = None,
) -> Summary:
    vendor = _vendor(alias)
    dest = Path(dest) if dest else default_path(key is not None)
    if dest.exists():
        raise BackupError(f"Tệp {dest} đã có; không ghi đè bản sao cũ. / {dest} exists.")
    dest.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partial")
    media_root = Path(settings.MEDIA_ROOT)
    # The plain dump waits in a private folder (0700) beside the archive, not in a shared /tmp.
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".chibo-backup-") as work:
        if vendor == "postgresql":
            db_name = PG_DUMP
            db_info, counts = _dump_postgresql(alias, Path(work) / "dump", pg_bin)
        else:
            db_name = SQLITE_COPY
            db_info, counts = _dump_sqlite(alias, Path(work) / "dump")
        files = {}
        try:
            with _open_private(partial) as raw:
                out = sealing.SealedWriter(raw, key) if key else raw
                with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                    files[db_name] = _add(tar, db_name, Path(work) / "dump")
                    for name, path in media_files(media_root):
                        files[name] = _add(tar, name, path)
                    manifest = {
                        "format": FORMAT,
                        "version": VERSION,
                        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                        "database": {**db_info, "file": db_name},
                        "tables": counts,
                        "files": files,
                    }
                    body = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
                    info = tarfile.TarInfo(MANIFEST)
                    info.size, info.mode = len(body), 0o600
                    info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
                    tar.addfile(info, _BytesReader(body))
                if key:
                    out.close()
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(partial, dest)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return Summary(
        dest, vendor, len(counts), sum(counts.values()), len(files) - 1, sealed=key is not None
    )


class _BytesReader:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def read(self, n: int = -1) -> bytes:
        end = len(self.data) if n < 0 else self.pos + n
        out = self.data[self.pos : end]
        self.pos += len(out)
        return out


# --- restore --------------------------------------------------------------------------------


@dataclass
class Report:
    vendor: str
    tables: int
    rows: int
    files: int
    differences: list[str] = field(default_factory=list)
    media_moved_to: Path | None = None


def _safe_name(name: str) -> bool:
    p = PurePosixPath(name)
    if p.is_absolute() or ".." in p.parts or not p.parts:
        return False
    return name in (MANIFEST, PG_DUMP, SQLITE_COPY) or (p.parts[0] == "media" and len(p.parts) > 1)


def _extract(archive: Path, work: Path, key: bytes | None) -> dict:
    with archive.open("rb") as raw:
        sealed = sealing.is_sealed(raw.read(len(sealing.MAGIC)))
        raw.seek(0)
        if sealed and key is None:
            raise BackupError(
                "Bản sao này đã mã hóa: đặt CHIBO_BACKUP_KEY là khóa đã dùng khi sao lưu. "
                "/ This backup is encrypted: set CHIBO_BACKUP_KEY."
            )
        source = sealing.SealedReader(raw, key) if sealed else raw
        try:
            with tarfile.open(fileobj=source, mode="r|") as tar:
                for member in tar:
                    if not member.isfile() or not _safe_name(member.name):
                        raise BackupError(f"Bản sao có mục lạ {member.name!r}; không dùng được.")
                    tar.extract(member, work, filter="data")
        except sealing.SealError as exc:
            raise BackupError(str(exc)) from None
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise BackupError(f"Tệp không phải bản sao chibo, hoặc đã hỏng: {exc}") from None
    try:
        manifest = json.loads((work / MANIFEST).read_text())
    except (OSError, ValueError):
        raise BackupError("Bản sao thiếu bản kê (manifest.json) hoặc bản kê hỏng.") from None
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError("Bản kê không phải của bản sao chibo phiên bản này.")
    return manifest


def _check_files(work: Path, manifest: dict) -> list[str]:
    listed = manifest["files"]
    present = {p.relative_to(work).as_posix() for p in work.rglob("*") if p.is_file()} - {MANIFEST}
    problems = [f"thiếu tệp / missing: {n}" for n in sorted(set(listed) - present)]
    problems += [
        f"tệp không có trong bản kê / not listed: {n}" for n in sorted(present - set(listed))
    ]
    for name in sorted(set(listed) & present):
        if _sha256(work / name) != listed[name]["sha256"]:
            problems.append(f"tệp đã bị thay đổi / checksum differs: {name}")
    return problems


def _media_present(root: Path) -> int:
    return len(media_files(root))


def _refuse_unless_empty(alias: str, media_root: Path, force: bool) -> None:
    counts = table_counts(alias)
    media = _media_present(media_root)
    if (counts or media) and not force:
        raise BackupError(
            f"Nơi khôi phục không trống: cơ sở dữ liệu có {len(counts)} bảng, "
            f"{sum(counts.values())} dòng; thư mục tệp tải lên có {media} tệp. Khôi phục sẽ thay "
            f"toàn bộ. Nếu chắc chắn, chạy lại với --force. / The target is not empty; use --force."
        )


def _restore_sqlite(alias: str, dump: Path) -> None:
    target = _sqlite_path(alias)
    connections[alias].close()
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(dump)
    dst = sqlite3.connect(target)
    try:
        # The backup API in reverse: the target's pages are replaced whole, in one step.
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _restore_postgresql(alias: str, dump: Path, manifest: dict, pg_bin: str | None, force: bool):
    pg_restore = _tool(pg_bin, "pg_restore")
    made_by = manifest["database"].get("pg_dump_major", 0)
    have = _tool_major(pg_restore)
    if have < made_by:
        raise BackupError(
            f"pg_restore {have} không đọc được bản sao do pg_dump {made_by} tạo; "
            f"chỉ pg_restore {made_by} trở lên bằng --pg-bin."
        )
    opts, dbname, env = _pg_env(alias)
    connections[alias].close()
    # One transaction: a failure leaves the database as it was. Objects belong to the role
    # chibo connects as, whoever owned them where the dump was made.
    cmd = [pg_restore, *opts, f"--dbname={dbname}", "--no-owner", "--no-privileges"]
    cmd += ["--single-transaction", "--exit-on-error"]
    if force:
        cmd += ["--clean", "--if-exists"]
    done = subprocess.run([*cmd, str(dump)], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"pg_restore thất bại, không có gì thay đổi:\n{done.stderr.strip()}")


def _put_media(work: Path, media_root: Path) -> Path | None:
    moved = None
    if media_root.exists():
        if any(media_root.iterdir()):
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
            moved = media_root.with_name(f"{media_root.name}.before-restore-{stamp}")
            os.replace(media_root, moved)
        else:
            media_root.rmdir()
    source = work / "media"
    if source.exists():
        shutil.move(source, media_root)
    else:
        media_root.mkdir(parents=True)
    return moved


def _compare(manifest: dict, alias: str, media_root: Path) -> list[str]:
    want, have = manifest["tables"], table_counts(alias)
    diffs = [f"bảng thiếu / missing table: {t}" for t in sorted(set(want) - set(have))]
    diffs += [f"bảng thừa / extra table: {t}" for t in sorted(set(have) - set(want))]
    diffs += [
        f"bảng {t}: {have[t]} dòng, bản kê ghi {want[t]} / rows differ"
        for t in sorted(set(want) & set(have))
        if want[t] != have[t]
    ]
    listed = {n: v for n, v in manifest["files"].items() if n.startswith("media/")}
    present = dict(media_files(media_root))
    diffs += [f"tệp thiếu / missing file: {n}" for n in sorted(set(listed) - set(present))]
    diffs += [f"tệp thừa / extra file: {n}" for n in sorted(set(present) - set(listed))]
    diffs += [
        f"tệp khác / file differs: {n}"
        for n in sorted(set(listed) & set(present))
        if _sha256(present[n]) != listed[n]["sha256"]
    ]
    return diffs


def restore(
    archive: Path,
    *,
    key: bytes | None = None,
    force: bool = False,
    alias: str = "default",
    pg_bin: str | None = None,
) -> Report:
    vendor = _vendor(alias)
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"Không có tệp {archive}.")
    media_root = Path(settings.MEDIA_ROOT)
    _refuse_unless_empty(alias, media_root, force)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    # Unpacked beside MEDIA_ROOT (same disk: the media folder is moved into place, not copied),
    # in a private folder removed afterwards.
    with tempfile.TemporaryDirectory(dir=media_root.parent, prefix=".chibo-restore-") as tmp:
        work = Path(tmp)
        manifest = _extract(archive, work, key)
        made_on = manifest["database"]["vendor"]
        if made_on != vendor:
            raise BackupError(
                f"Bản sao của {made_on}, nơi khôi phục là {vendor}: không khôi phục chéo được."
            )
        problems = _check_files(work, manifest)
        if problems:
            raise BackupError(
                "Bản sao bị hỏng hoặc bị sửa; không khôi phục gì. / The archive was changed:\n  "
                + "\n  ".join(problems)
            )
        dump = work / manifest["database"]["file"]
        if vendor == "postgresql":
            _restore_postgresql(alias, dump, manifest, pg_bin, force)
        else:
            _restore_sqlite(alias, dump)
        moved = _put_media(work, media_root)
    counts = manifest["tables"]
    return Report(
        vendor,
        len(counts),
        sum(counts.values()),
        sum(1 for n in manifest["files"] if n.startswith("media/")),
        differences=_compare(manifest, alias, media_root),
        media_moved_to=moved,
    )
