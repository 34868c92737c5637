import time

from django.core.management.base import BaseCommand, CommandError

from chibo.demo import province as demo
from chibo.org.models import Unit


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu tỉnh Điện Biên (trước và sau 1/7/2025) / load the demo province."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when the database already has units"
        )

    def handle(self, *args, if_empty=False, **opts):
        if Unit.objects.exists():
            if if_empty:
                self.stdout.write("Dữ liệu mẫu đã có / demo data already loaded.")
                return
            raise CommandError("Cơ sở dữ liệu đã có dữ liệu; dùng --if-empty hoặc một CSDL mới.")
        self.stdout.write("Đang nạp dữ liệu mẫu tỉnh Điện Biên… / loading the demo province…")
        t = time.monotonic()
        try:
            today = demo.demo_today()
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        built = demo.build(today)
        n = Unit.objects.count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Xong: {n} tổ chức, {len(built.accounts)} tài khoản "
                f"({time.monotonic() - t:.1f} s)."
            )
        )
