"""The stored rule parameters (org.Parameter) as core's `params.get` reads them: a row for the
unit or its nearest ancestor first (a committee's own value for its cells), then a row for
everyone, each only for its period. Registered with core in OrgConfig.ready()."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q

from chibo.core.params import MISSING

from .models import Parameter, Unit


def lookup(key: str, on: dt.date, unit: Unit | None) -> Any:
    rows = Parameter.objects.filter(key=key, valid_from__lte=on).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=on)
    )
    if unit is not None:
        # The unit's own row, else its nearest ancestor's (paths are prefixes of each other).
        own = rows.filter(unit__path__in=unit.lineage_paths()).select_related("unit")
        best = max(own, key=lambda r: (len(r.unit.path), r.valid_from), default=None)
        if best is not None:
            return best.value
    row = rows.filter(unit__isnull=True).order_by("-valid_from").first()
    return row.value if row else MISSING
