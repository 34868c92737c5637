from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP

from chibo.accounts.models import User
from chibo.accounts.twofactor.policy import device


class Command(BaseCommand):
    help = (
        "In mã xác thực hai bước hiện tại của một tài khoản mẫu (chỉ ở chế độ mẫu), cho người "
        "thử chibo không có ứng dụng xác thực / print a demo account's current sign-in code."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, **opts):
        if not settings.DEMO:
            raise CommandError("Chỉ dùng ở chế độ mẫu (CHIBO_DEMO=1).")
        user = User.objects.filter(username__iexact=opts["username"]).first()
        app = device(user) if user else None
        if app is None:
            raise CommandError(
                "Tài khoản này chưa bật xác thực hai bước: đăng nhập, quét mã QR (hoặc nhập khóa "
                "in dưới mã) rồi chạy lại lệnh này."
            )
        totp = TOTP(app.bin_key, app.step, app.t0, app.digits, app.drift)
        self.stdout.write(f"{totp.token():0{app.digits}d}")
