"""The members' export kinds (audit.jobs): the member list and the roll 7-HSĐV, each rebuilt
from the page's parameters for one user, with that user's scope checked as the page checks it.
The page streams a small export; a large one is written by the worker from the same function,
so the file holds exactly the rows the owner's own export would hold."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404
from django.utils import timezone

from chibo.audit.exports import counted, write_xlsx
from chibo.audit.jobs import Export
from chibo.core.scope import can
from chibo.org import selectors as org_selectors
from chibo.org.models import Unit

from . import choices as c
from . import roll, selectors
from .departures import former_shown
from .forms import FilterForm

LIST_HEADERS = [
    "Họ và tên",
    "Giới tính",
    "Ngày sinh",
    "Dân tộc",
    "Tôn giáo",
    "Chi bộ",
    "Ngày vào Đảng",
    "Ngày chính thức",
    "Giai đoạn",
    "Sinh hoạt",
    "Thôi là đảng viên",
]


def query(data) -> QueryDict:
    """A page's query as the job stores it ({name: [values]}) back into a QueryDict."""
    if isinstance(data, QueryDict):
        return data
    q = QueryDict(mutable=True)
    for k, values in data.items():
        q.setlist(k, [str(v) for v in (values if isinstance(values, list) else [values])])
    return q


def unit_for(user, data, param: str = "unit") -> Unit:
    # Lists, exports and deadlines are today's: the unit must lie in scope today.
    scope = Unit.objects.restrict(user, "view", on=timezone.localdate())
    pk = data.get(param)
    if pk:
        try:
            return get_object_or_404(scope, pk=int(pk))
        except ValueError as exc:
            raise Http404 from exc
    return selectors.default_unit(user)


def list_for(user, data):
    """(unit, sensitive, form, filters, queryset) of the member list for `user` and the page's
    query `data`."""
    data = query(data)
    unit = unit_for(user, data)
    sensitive = can(user, "sensitive", unit)
    form = FilterForm(data or None, sensitive=sensitive)
    f = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    return unit, sensitive, form, f, selectors.filtered(unit, f, today)


def member_list_export(user, params) -> Export:
    """Exactly what the list shows (its filters), every row."""
    unit, sensitive, _form, f, qs = list_for(user, params)
    qs = qs.select_related("home_unit").order_by("sort_key", "id")
    former = f.get("status") == "former"

    def members():
        if not former:
            yield from qs.iterator(chunk_size=2000)
            return
        yield from former_shown(unit, f, timezone.localdate())

    def rows():
        for m in members():
            eth = c.ETHNICITY_NAMES.get(m.ethnicity, "")
            rel = m.get_religion_display() if m.religion else ""
            yield [
                m.full_name,
                m.get_gender_display(),
                m.birth_date.strftime("%d/%m/%Y") if m.birth_date else m.birth_year,
                eth if sensitive else (c.MASK if eth else ""),
                rel if sensitive else (c.MASK if rel else ""),
                m.home_unit.name
                if m.home_unit
                else (m.departure.unit.name if getattr(m, "departure", None) else ""),
                m.admitted_on.strftime("%d/%m/%Y") if m.admitted_on else "",
                m.recognized_on.strftime("%d/%m/%Y") if m.recognized_on else "",
                m.get_stage_display(),
                m.get_activity_display(),
                m.get_ended_display() if m.ended else "",
            ]

    def count() -> int:
        return len(former_shown(unit, f, timezone.localdate())) if former else qs.count()

    return Export(
        action="export.members",
        title=f"Danh sách đảng viên — {unit.name}",
        filename="danh-sach-dang-vien.xlsx",
        write=lambda file, progress: write_xlsx(
            file, title="Đảng viên", headers=LIST_HEADERS, rows=counted(rows(), progress)
        ),
        count=count,
        unit=unit,
        details={"filters": {k: v for k, v in f.items() if v}},
    )


def roll_export(user, params) -> Export:
    """The roll of a unit as of a date (the page's `on`, fixed when it was asked for), in the
    tree of that day or, asked for, today's."""
    try:
        on = dt.date.fromisoformat(str(params["on"]))
        pk = int(params["unit"])
    except (KeyError, TypeError, ValueError) as exc:
        raise Http404 from exc
    # The book as of `on`: the unit must have lain in the reader's scope that day.
    unit = org_selectors.unit_as_of(user, pk, on)
    sensitive = can(user, "sensitive", unit, on=max(on, unit.valid_from))
    restate = bool(params.get("restate"))
    return Export(
        action="export.roll",
        title=f"Sổ danh sách đảng viên — {unit.name}, {on:%d/%m/%Y}",
        filename=f"so-danh-sach-dang-vien-{on:%Y%m%d}.xlsx",
        write=lambda file, progress: roll.workbook(
            file, unit=unit, on=on, sensitive=sensitive, restate=restate, progress=progress
        ),
        count=lambda: roll.count(unit, on, restate=restate),
        unit=unit,
        details={"on": on.isoformat(), "sensitive": sensitive, "restated": restate},
    )
