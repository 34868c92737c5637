"""`chibo restore PATH [--force]`: back from an archive made by `chibo backup`.

Stop `chibo serve` and `chibo worker` first. The target must be empty (a new database and no
uploaded files) unless --force; after restoring, rows and files are checked against the
archive's manifest and every difference is reported (exit status 1).
"""

from django.core.management.base import BaseCommand, CommandError

from chibo.core.backup import BackupError, restore
from chibo.core.management.commands.backup import backup_key


class Command(BaseCommand):
    help = "Khôi phục từ bản sao của `chibo backup`. / Restore from a `chibo backup` archive."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("path", help="archive made by `chibo backup`")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace a database and uploaded files that are not empty",
        )
        parser.add_argument("--pg-bin", help="folder with pg_restore")

    def handle(self, *args, path, force=False, pg_bin=None, **options):
        try:
            report = restore(path, key=backup_key(), force=force, pg_bin=pg_bin)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        if report.media_moved_to:
            self.stdout.write(
                f"Tệp tải lên cũ đã chuyển sang / old uploads moved to: {report.media_moved_to}"
            )
        if report.differences:
            raise CommandError(
                "Đã khôi phục nhưng KHÔNG khớp bản kê / restored, but not as listed:\n  "
                + "\n  ".join(report.differences)
            )
        self.stdout.write(
            f"Đã khôi phục / restored ({report.vendor}): {report.tables} bảng, {report.rows} dòng, "
            f"{report.files} tệp tải lên — khớp bản kê / all match the manifest."
        )
