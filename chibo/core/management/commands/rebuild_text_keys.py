from django.core.management.base import BaseCommand
from django.db import transaction

from chibo.core import hooks
from chibo.core.models import SystemInfo
from chibo.core.text import icu_version


class Command(BaseCommand):
    help = (
        "Tính lại khóa tìm kiếm và khóa sắp xếp (ICU) đã lưu; ghi phiên bản ICU / "
        "recompute stored search and ICU sort keys and record the ICU version."
    )

    def handle(self, *args, **opts):
        # Each app rebuilds its own keys (registered under hooks.REBUILD_TEXT_KEYS): core
        # knows no model of theirs. One transaction: all keys are of one ICU, or none changed.
        with transaction.atomic():
            done = [fn() for fn in hooks.get(hooks.REBUILD_TEXT_KEYS)]
            SystemInfo.objects.update_or_create(
                key="text_keys_icu", defaults={"value": icu_version()}
            )
        parts = ", ".join(f"{n} {label}" for n, label in done) or "0 khóa"
        self.stdout.write(self.style.SUCCESS(f"Đã tính lại {parts} ({icu_version()})."))
