"""Writing a checked plan: all rows or none, in one transaction, with bulk inserts for the new
members and one audit entry for the batch; changes to existing members go through the
members' services."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.audit.services import record
from chibo.core.scope import allowed
from chibo.core.text import search_key, sort_key
from chibo.org.models import Unit

from .. import bulk, lifecycle, services
from ..aggregates import MEASURES, deltas
from ..lifecycle import EventKind
from ..models import CountDelta, Member, MemberEvent, Placement, Reconciliation, given_key
from ..reconciliation import flag
from ..records import update_record
from ..transfers import transfer_out
from .validating import RECORD_FIELDS, Plan, PlannedRow


def _new_member(v: dict, cell: Unit) -> dict:
    """The row of a new member (attribute names), for the bulk insert."""
    full = " ".join(x for x in (v["family_name"], v["middle_name"], v["given_name"]) if x)
    recognized = v["recognized_on"]
    return {
        "family_name": v["family_name"],
        "middle_name": v["middle_name"],
        "given_name": v["given_name"],
        "gender": v["gender"],
        "birth_year": v["birth_date"].year,
        "birth_date": v["birth_date"],
        "admitted_on": v["admitted_on"],
        "recognized_on": recognized,
        "stage": lifecycle.Stage.OFFICIAL if recognized else lifecycle.Stage.PROBATIONARY,
        "activity": lifecycle.Activity.ACTIVE,
        "ended": "",
        "ethnicity": v["ethnicity"],
        "religion": v["religion"],
        "identity_type": v["identity_type"],
        "identity_no": v["identity_no"],
        "card_no": v["card_no"],
        "biography_no": v["biography_no"],
        "hometown": v["hometown"],
        "residence": v["residence"],
        "education_system": v["education_system"],
        "education_grade": v["education_grade"],
        "qualification": v["qualification"],
        "theory_level": v["theory_level"],
        "occupation_now": v["occupation_now"],
        "position": v["position"],
        "search_key": search_key(full),
        "given_key": given_key(v["family_name"], v["middle_name"], v["given_name"]),
        "sort_key": sort_key(v["family_name"], v["middle_name"], v["given_name"]),
        "home_unit_id": cell.pk,
        "province_id": cell.province_id,
        "commune_id": cell.commune_id,
        "grassroots_id": cell.grassroots_id,
    }


def commit(
    plan: Plan,
    *,
    actor,
    decisions: dict[int, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    batch: int = 5000,
) -> dict:
    """Write the plan: all rows or none. `decisions` answers the rows to confirm: row number →
    "same" (the existing member) or "new" (another person)."""
    unit = Unit.objects.get(pk=plan.unit_id)
    if not allowed(actor, "members", unit):  # no actor (None): MissingActor
        raise PermissionDenied(_("Bạn không có quyền nhập đảng viên vào tổ chức này."))
    if plan.errors:
        raise ValidationError(_("Tệp còn lỗi: chưa ghi gì."))
    if not plan.rows:
        raise ValidationError(_("Tệp không có dòng đảng viên nào: chưa ghi gì."))
    decisions = decisions or {}
    undecided = [
        r.number
        for r in plan.rows
        if r.action == "confirm" and decisions.get(r.number) not in ("same", "new")
    ]
    if undecided:
        raise ValidationError(
            _("Hãy xác nhận các dòng trùng tên và ngày sinh: %(r)s.")
            % {"r": ", ".join(map(str, undecided))}
        )
    today = timezone.localdate()
    cells = Unit.objects.in_bulk({r.cell_id for r in plan.rows})
    new_rows = [
        r
        for r in plan.rows
        if r.action == "new" or (r.action == "confirm" and decisions[r.number] == "new")
    ]
    changed = [
        r
        for r in plan.rows
        if r.action == "update"
        or (r.action == "confirm" and decisions[r.number] == "same" and r.changes)
    ]
    total = len(new_rows) + len(changed)
    done = 0
    with transaction.atomic():
        for start in range(0, len(new_rows), batch):
            chunk = new_rows[start : start + batch]
            ids = bulk.insert(Member, [_new_member(r.values, cells[r.cell_id]) for r in chunk])
            bulk.insert(
                Placement,
                [
                    {
                        "member_id": pk,
                        "unit_id": r.cell_id,
                        "kind": "home",
                        "valid_from": r.values["admitted_on"],
                    }
                    for pk, r in zip(ids, chunk, strict=True)
                ],
            )
            events = []
            for pk, r in zip(ids, chunk, strict=True):
                events.append(
                    {
                        "member_id": pk,
                        "kind": EventKind.ADMISSION,
                        "effective_date": r.values["admitted_on"],
                        "recorded_date": today,
                        "data": {"import": True},
                    }
                )
                if r.values["recognized_on"]:
                    events.append(
                        {
                            "member_id": pk,
                            "kind": EventKind.RECOGNITION,
                            "effective_date": r.values["recognized_on"],
                            "recorded_date": today,
                            "data": {"import": True},
                        }
                    )
            ids_events = bulk.insert(MemberEvent, events)
            bulk.insert(CountDelta, _count_rows(ids, chunk, events))
            if Reconciliation.objects.exists():  # rare at an import: flag late events then
                for e in MemberEvent.objects.filter(pk__in=ids_events):
                    flag(e)
            done += len(chunk)
            if progress:
                progress(done, total)
        for r in changed:
            _apply_changes(r, actor=actor, unit=unit, cell=cells[r.cell_id], today=today)
            done += 1
            if progress and done % 200 == 0:
                progress(done, total)
        summary = {
            "rows": plan.total,
            "created": len(new_rows),
            "updated": len(changed),
            "unchanged": sum(r.action == "unchanged" for r in plan.rows)
            + sum(
                r.action == "confirm" and decisions[r.number] == "same" and not r.changes
                for r in plan.rows
            ),
        }
        record(actor=actor, action="members.import", unit=unit, after=summary)
    if progress:
        progress(total, total)
    return summary


def _apply_changes(r: PlannedRow, *, actor, unit: Unit, cell: Unit, today) -> None:
    """One existing member's changes, each through the members' service that owns it, as the
    importing user (each service checks its own permission and writes its audit row): record
    fields, a corrected admission or recognition, the card number, an internal transfer."""
    m = Member.objects.select_related("home_unit").get(pk=r.member_id)
    if m.ended or m.home_unit is None or not m.home_unit.path.startswith(unit.path):
        # Validated earlier; since then the member left the unit or their membership ended.
        raise ValidationError(
            _("Dòng %(n)d: hồ sơ của %(m)s đã thay đổi từ lúc kiểm tra; hãy tải tệp lên lại.")
            % {"n": r.number, "m": m.full_name}
        )
    fields = {f: r.values[f] for f, _o, _n in r.changes if f in RECORD_FIELDS}
    if fields:
        update_record(actor=actor, member=m, **fields)
    for f, _old, _new in r.changes:
        if f in ("admitted_on", "recognized_on"):
            kind = EventKind.ADMISSION if f == "admitted_on" else EventKind.RECOGNITION
            event = next(
                (e for e in lifecycle.effective_events(m.events.all()) if e.kind == kind), None
            )
            if event is not None:
                services.correct_event(
                    actor=actor, event=event, effective_date=r.values[f], note=_("Nhập từ Excel")
                )
            else:
                services.record_event(actor=actor, member=m, kind=kind, effective_date=r.values[f])
        elif f == "card_no":
            services.set_card_number(
                actor=actor, member=m, card_no=r.values["card_no"], note=_("Nhập từ Excel")
            )
        elif f == "cell":
            m.refresh_from_db()
            transfer_out(actor=actor, member=m, kind="internal", to_unit=cell, departed_on=today)


def _count_rows(ids, chunk, events) -> list[dict]:
    """The new members' count rows (aggregates.deltas) from the rows being inserted, without
    reading them back."""
    by_member: dict[int, list] = {}
    for e in events:
        by_member.setdefault(e["member_id"], []).append(
            SimpleNamespace(id=None, corrects_id=None, **e)
        )
    out = []
    for pk, r in zip(ids, chunk, strict=True):
        place = [(r.cell_id, r.values["admitted_on"], None)]
        woman = r.values.get("gender") == "f"
        for (unit_id, day), vec in deltas(place, by_member[pk], woman).items():
            out.append(
                {
                    "member_id": pk,
                    "unit_id": unit_id,
                    "day": day,
                    **dict(zip(MEASURES, vec, strict=True)),
                }
            )
    return out
