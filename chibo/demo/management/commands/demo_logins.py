from django.conf import settings
from django.core.management.base import BaseCommand

from chibo.accounts.models import Grant
from chibo.demo.province import ACCOUNTS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "In các tài khoản mẫu (chỉ ở chế độ mẫu) / print the demo logins (demo mode only)."

    def handle(self, *args, **opts):
        if not settings.DEMO:
            self.stderr.write("Chỉ in mật khẩu ở chế độ mẫu (CHIBO_DEMO=1).")
            return
        self.stdout.write(f"\nTài khoản mẫu / demo logins (mật khẩu / password: {DEMO_PASSWORD}):")
        for username, _role, _key, _since, label in ACCOUNTS:
            g = Grant.objects.filter(user__username=username).select_related("unit").first()
            where = g.unit.name if g else "—"
            self.stdout.write(f"  {username:<20} {label} — {where}")
        self.stdout.write(
            "  Quản trị, cán bộ cấp ủy và UBKT bật xác thực hai bước ở lần đăng nhập đầu"
            " (quét mã QR\n  bằng ứng dụng xác thực); không có điện thoại:"
            " `CHIBO_DEMO=1 .venv/bin/chibo demo_code <tên>` in mã hiện tại."
        )
        self.stdout.write("")
