from django.core.checks import Warning, register
from django.db import DatabaseError

from chibo.core.models import SystemInfo
from chibo.core.text import icu_version


@register("database")
def text_keys_built_by_this_icu(app_configs, databases=None, **kwargs):
    """Stored sort keys are only comparable when built by the same ICU: warn after an upgrade."""
    if not databases:
        return []

    try:
        row = SystemInfo.objects.filter(key="text_keys_icu").first()
    except DatabaseError:
        return []
    if row is not None and row.value != icu_version():
        return [
            Warning(
                f"Khóa sắp xếp được tạo bởi {row.value}, máy này dùng {icu_version()}.",
                hint="Chạy `chibo rebuild_text_keys`.",
                id="chibo.W001",
            )
        ]
    return []
