"""`chibo backup [PATH]`: the database and the uploaded files in one archive (chibo.core.backup).

Sealed (encrypted) when CHIBO_BACKUP_KEY is set; `--generate-key` prints a new key.
"""

import os

from django.core.management.base import BaseCommand, CommandError

from chibo.core import sealing
from chibo.core.backup import BackupError, backup


def backup_key() -> bytes | None:
    raw = os.environ.get("CHIBO_BACKUP_KEY", "")
    if not raw:
        return None
    try:
        return sealing.parse_key(raw)
    except ValueError as exc:
        raise CommandError(str(exc)) from None


class Command(BaseCommand):
    help = (
        "Sao lưu cơ sở dữ liệu và tệp tải lên vào một tệp (mã hóa nếu có CHIBO_BACKUP_KEY). "
        "/ Back up the database and uploaded files."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "path", nargs="?", help="archive to write (default var/backups/chibo-<time>.tar)"
        )
        parser.add_argument(
            "--pg-bin", help="folder with pg_dump (e.g. /usr/lib/postgresql/17/bin)"
        )
        parser.add_argument(
            "--generate-key", action="store_true", help="print a new CHIBO_BACKUP_KEY and exit"
        )

    def handle(self, *args, path=None, pg_bin=None, generate_key=False, **options):
        if generate_key:
            self.stdout.write(sealing.new_key())
            return
        key = backup_key()
        try:
            done = backup(path, key=key, pg_bin=pg_bin)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        sealed = "đã mã hóa / encrypted" if done.sealed else "KHÔNG mã hóa / not encrypted"
        self.stdout.write(
            f"Đã sao lưu / backed up ({done.vendor}): {done.tables} bảng, {done.rows} dòng, "
            f"{done.files} tệp tải lên; {sealed}.\n{done.path}"
        )
