"""Stored search keys of units and their versions, rebuilt when ICU changes
(`chibo rebuild_text_keys` asks every app through core's hooks)."""

from __future__ import annotations

from chibo.core.text import search_key

from ..models import Unit, UnitVersion


def rebuild_text_keys() -> tuple[int, str]:
    n = 0
    for model in (Unit, UnitVersion):
        batch = []
        for obj in model.objects.only("pk", "name", "short_name", "code").iterator(chunk_size=2000):
            obj.search_key = search_key(f"{obj.name} {obj.short_name} {obj.code}")
            batch.append(obj)
        model.objects.bulk_update(batch, ["search_key"], batch_size=2000)
        n += len(batch)
    return n, "khóa tổ chức"
