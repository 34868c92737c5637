"""Likely duplicate member records and their merge (issue: member registry, point 10).

Detected: the same name (accent-free key) and the same birth date, or the same name and birth
year where one record lacks the date. (Identity and card numbers are unique in the database, so
they cannot be shared by two records; a file with a shared number is refused at import.)

Merged: the user picks, for every field whose values differ, which record's value to keep; for
the lifecycle facts both records hold (admission, recognition), which one is right. The other is
annulled by a correcting event, never deleted. Every other event, placement, seat and transfer
moves to the kept record; placements of the merged record that overlap the kept one's are
replaced by it. The merged record's full content is written to the audit entry before it goes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.audit.services import record
from chibo.core.scope import allowed
from chibo.org.models import Unit

from . import lifecycle
from .choices import SENSITIVE_FIELDS
from .lifecycle import EventKind
from .locks import lock
from .models import Member, MemberEvent, Placement, Seat, Transfer
from .records import EDITABLE
from .selectors import under
from .services import _refresh_state

MERGE_FIELDS = tuple(f for f in EDITABLE if f not in ("birth_year",)) + ("card_no", "user")
SINGLE_EVENTS = (EventKind.ADMISSION, EventKind.RECOGNITION)


@dataclass(frozen=True)
class Pair:
    a: Member
    b: Member
    reason: str


def find(unit: Unit) -> list[Pair]:
    """Pairs of likely duplicates among the members whose home lies under `unit`."""

    groups: dict[str, list[Member]] = defaultdict(list)
    for m in under(unit).select_related("home_unit").order_by("id"):
        groups[m.search_key].append(m)
    out = []
    for members in groups.values():
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if a.birth_date and b.birth_date:
                    if a.birth_date == b.birth_date:
                        out.append(Pair(a, b, _("Cùng họ tên và ngày sinh")))
                elif a.birth_year == b.birth_year:
                    out.append(Pair(a, b, _("Cùng họ tên và năm sinh (một hồ sơ thiếu ngày sinh)")))
    return out


def differences(a: Member, b: Member) -> list[tuple[str, object, object]]:
    out = []
    for f in MERGE_FIELDS:
        va, vb = (
            getattr(a, f if f != "user" else "user_id"),
            getattr(b, f if f != "user" else "user_id"),
        )
        if va != vb and vb not in ("", None) and va not in ("", None):
            out.append((f, va, vb))
    return out


def fill_ins(a: Member, b: Member) -> list[str]:
    """Fields empty on `a` that `b` has: taken from `b` without asking."""
    out = []
    for f in MERGE_FIELDS:
        attr = f if f != "user" else "user_id"
        if getattr(a, attr) in ("", None) and getattr(b, attr) not in ("", None):
            out.append(f)
    return out


def _live(member: Member, kind: str) -> MemberEvent | None:
    return next(
        (e for e in lifecycle.effective_events(member.events.all()) if e.kind == kind), None
    )


def event_conflicts(a: Member, b: Member) -> list[tuple[str, MemberEvent, MemberEvent]]:
    out = []
    for kind in SINGLE_EVENTS:
        ea, eb = _live(a, kind), _live(b, kind)
        if ea is not None and eb is not None:
            out.append((kind, ea, eb))
    return out


def _snapshot(m: Member) -> dict:
    data = {f: getattr(m, f if f != "user" else "user_id") for f in MERGE_FIELDS}
    data = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in data.items()}
    for k in SENSITIVE_FIELDS:  # the audit log has readers without the sensitive action
        if data.get(k):
            data[k] = "(có)"
    data["id"] = m.pk
    data["name"] = m.full_name
    data["events"] = list(m.events.values_list("id", flat=True))
    data["placements"] = [
        (
            p.unit_id,
            p.kind,
            p.valid_from.isoformat(),
            p.valid_to.isoformat() if p.valid_to else None,
        )
        for p in m.placements.all()
    ]
    return data


@transaction.atomic
def merge(*, actor, keep: Member, drop: Member, choices: dict[str, str]) -> Member:
    """Merge `drop` into `keep`. `choices[field]` is "keep" or "drop" for every differing
    field and for each conflicting lifecycle event kind ("admission", "recognition")."""
    if keep.pk == drop.pk:
        raise ValidationError(_("Hãy chọn hai hồ sơ khác nhau."))
    try:
        lock(keep, drop)  # in the order of their ids, whichever is kept
    except Member.DoesNotExist as exc:  # merged meanwhile by someone else
        raise ValidationError(
            _("Một trong hai hồ sơ vừa được gộp ở nơi khác; hãy tải lại danh sách.")
        ) from exc
    for m in (keep, drop):
        unit = m.home_unit or m.placements.order_by("-valid_from").first().unit
        if not allowed(actor, "members", unit):
            raise PermissionDenied(_("Bạn không có quyền gộp hồ sơ này."))
    diffs = differences(keep, drop)
    conflicts = event_conflicts(keep, drop)
    missing = [f for f, _a, _b in diffs if choices.get(f) not in ("keep", "drop")]
    missing += [k for k, _a, _b in conflicts if choices.get(k) not in ("keep", "drop")]
    if missing:
        raise ValidationError(
            _("Hãy chọn giá trị giữ lại cho: %(f)s.") % {"f": ", ".join(sorted(missing))}
        )
    before = {"kept": _snapshot(keep), "merged": _snapshot(drop)}
    # Fields: the chosen value where they differ; the other's where one is empty.
    unique = {"identity_no", "card_no", "user"}
    moving = {}
    for f, _va, vb in diffs:
        if choices[f] == "drop":
            moving[f] = vb
    for f in fill_ins(keep, drop):
        moving[f] = getattr(drop, f if f != "user" else "user_id")
    clear = {f: ("" if f != "user" else None) for f in unique if f in moving}
    if clear:  # free the unique values on the merged record first
        Member.objects.filter(pk=drop.pk).update(
            **{("user_id" if k == "user" else k): v for k, v in clear.items()}
        )
    for f, v in moving.items():
        setattr(keep, f if f != "user" else "user_id", v)
    if moving:
        keep.save()
    # Lifecycle: the chosen event of each conflicting kind stays, the other is annulled.
    for kind, ea, eb in conflicts:
        loser = eb if choices[kind] == "keep" else ea
        MemberEvent.objects.create(
            member_id=loser.member_id,
            kind=EventKind.VOID,
            effective_date=loser.effective_date,
            recorded_date=timezone.localdate(),
            data={"note": _("Gộp hồ sơ trùng")},
            corrects=loser,
        )
    MemberEvent.objects.filter(member=drop).update(member=keep)
    # Placements: the merged record's move over unless they overlap the kept record's.
    kept = list(keep.placements.all())
    for p in list(drop.placements.all()):
        overlaps = any(
            q.kind == p.kind
            and q.valid_from < (p.valid_to or dt.date.max)
            and p.valid_from < (q.valid_to or dt.date.max)
            for q in kept
        )
        if overlaps:
            p.delete()  # recorded in the audit entry's "before"
        else:
            p.member = keep
            p.save(update_fields=["member"])
    Seat.objects.filter(member=drop).update(member=keep)
    Transfer.objects.filter(member=drop).update(member=keep)
    drop.delete()
    keep = Member.objects.get(pk=keep.pk)
    _refresh_state(keep)
    current = (
        keep.placements.filter(kind=Placement.Kind.HOME, valid_to__isnull=True)
        .select_related("unit")
        .first()
    )
    if current is not None and current.unit_id != keep.home_unit_id:
        u = current.unit
        Member.objects.filter(pk=keep.pk).update(
            home_unit=u,
            province_id=u.province_id,
            commune_id=u.commune_id,
            grassroots_id=u.grassroots_id,
        )
    record(
        actor=actor,
        action="members.merge",
        obj=keep,
        unit=keep.home_unit,
        before=before,
        after={"kept": keep.pk, "choices": choices, "moved_fields": sorted(moving)},
    )
    return keep
