from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = (
        "Tính lại khóa tìm kiếm và khóa sắp xếp (ICU) đã lưu; ghi phiên bản ICU / "
        "recompute stored search and ICU sort keys and record the ICU version."
    )

    def handle(self, *args, **opts):
        from chibo.core.models import SystemInfo
        from chibo.core.text import icu_version, search_key, sort_key
        from chibo.members.models import Member, given_key
        from chibo.org.models import Unit, UnitVersion

        with transaction.atomic():
            n = 0
            for model in (Unit, UnitVersion):
                batch = []
                for obj in model.objects.only("pk", "name", "short_name", "code").iterator(
                    chunk_size=2000
                ):
                    obj.search_key = search_key(f"{obj.name} {obj.short_name} {obj.code}")
                    batch.append(obj)
                model.objects.bulk_update(batch, ["search_key"], batch_size=2000)
                n += len(batch)
            batch = []
            for m in Member.objects.only("pk", "family_name", "middle_name", "given_name").iterator(
                chunk_size=2000
            ):
                m.search_key = search_key(m.full_name)
                m.given_key = given_key(m.family_name, m.middle_name, m.given_name)
                m.sort_key = sort_key(m.family_name, m.middle_name, m.given_name)
                batch.append(m)
            Member.objects.bulk_update(
                batch, ["search_key", "given_key", "sort_key"], batch_size=2000
            )
            SystemInfo.objects.update_or_create(
                key="text_keys_icu", defaults={"value": icu_version()}
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã tính lại {n} khóa tổ chức và {len(batch)} khóa đảng viên ({icu_version()})."
            )
        )
