"""Departure snapshots (issue 9, finding 4): the member as the unit they left knew them.

A transfer out of the home cell and the end of a membership write, in the same transaction, a
frozen copy of the record as the transfer letter carries it (names, birth, places, the
profile, card and biography numbers, a copy of the photo, the cell, stage and activity of that
day). A reader whose scope covers the member only up to a day sees that copy, never what the
next unit wrote since; a field the copy does not know shows UNKNOWN (name and birth date are
always kept).
"""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from chibo.audit.services import record
from chibo.core.text import search_key, sort_key
from chibo.org.models import UnitAncestry, in_force

from . import lifecycle
from .models import Departure, Member, MemberEvent, Placement, given_key
from .records import EDITABLE, may_see_sensitive, reached_through, visible_until
from .selectors import former_of

UNKNOWN = _("không rõ tại ngày chuyển đi")
ALWAYS = ("family_name", "middle_name", "given_name", "gender", "birth_date", "birth_year")
FIELDS = (*EDITABLE, "card_no", "admitted_on", "recognized_on")
DATES = {f.name for f in Member._meta.fields if f.get_internal_type() == "DateField"}


def _json(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def _value(name: str, raw):
    if name in DATES and isinstance(raw, str):
        return dt.date.fromisoformat(raw)
    return raw


def _record(member: Member, state: lifecycle.State) -> dict:
    """The copied record: the letter's fields as they stand, with the state of the day."""
    record = {name: _json(getattr(member, name)) for name in FIELDS}
    record.update(stage=state.stage or "", activity=state.activity or "", ended=state.ended or "")
    return record


def snapshot(*, member: Member, unit, left_on: dt.date, reason: str, transfer=None) -> Departure:
    """Freeze the record as it stands when the member leaves `unit` (called by the services,
    inside their transaction)."""
    state = lifecycle.state_on(member.events.all(), left_on)
    record = _record(member, state)
    d = Departure.objects.create(
        member=member,
        unit=unit,
        left_on=left_on,
        reason=reason,
        transfer=transfer,
        record=record,
    )
    if member.photo:
        try:
            with member.photo.open("rb") as f:
                content = f.read()
        except OSError:  # the file is gone: the copy says so instead of failing the transfer
            d.unknown = ["photo"]
            d.save(update_fields=["unknown"])
        else:
            ext = member.photo.name.rsplit(".", 1)[-1].lower()
            d.photo.save(f"{member.pk}-{left_on:%Y%m%d}-{d.pk}.{ext}", ContentFile(content))
    return d


REORGANIZED = "reorganization"


def reorganized(*, root, on: dt.date) -> int:
    """The subtree of `root` leaves its parent on `on` (a restructuring): every member placed
    in it on the day before and still on the day itself leaves that part of the tree with
    their cell (one who left on `on` by a transfer or a death has their own copy), so the
    units above that stop covering them from `on` keep the member as they were then. Written in
    bulk inside the restructuring transaction; the photo is referenced, not copied (an
    uploaded photo is never overwritten: a new one gets a new file name).

    A restructuring may be dated in the past: for a member who has left since (a later
    departure), the copy is that departure's — the record as the old side last knew it, not
    what the next unit wrote after."""

    before = on - dt.timedelta(days=1)
    cells = UnitAncestry.objects.filter(in_force(before), ancestor=root).values("unit_id")
    places = dict(
        Placement.objects.filter(
            in_force(before), in_force(on), kind=Placement.Kind.HOME, unit_id__in=cells
        )
        .order_by("member_id", "valid_from")
        .values_list("member_id", "unit_id")
    )
    have = set(
        Departure.objects.filter(member_id__in=list(places), left_on=on).values_list(
            "member_id", flat=True
        )
    )
    later: dict[int, Departure] = {}
    for d in Departure.objects.filter(member_id__in=list(places), left_on__gt=on).order_by(
        "-left_on", "-id"
    ):
        later[d.member_id] = d  # the earliest one wins
    events: dict[int, list] = {}
    for e in MemberEvent.objects.filter(member_id__in=list(places)).only(
        "id", "member_id", "kind", "effective_date", "corrects_id", "data"
    ):
        events.setdefault(e.member_id, []).append(e)
    rows = []
    for member in Member.objects.filter(pk__in=list(places)).order_by("pk"):
        state = lifecycle.state_on(events.get(member.pk, []), before)
        if not state.is_member or member.pk in have:
            continue
        base = later.get(member.pk)
        if base is not None:
            record, unknown, photo = dict(base.record), list(base.unknown), base.photo.name
            record.update(stage=state.stage or "", activity=state.activity or "", ended="")
        else:
            record = _record(member, state)
            unknown = [] if member.photo else ["photo"]
            photo = member.photo.name if member.photo else ""
        rows.append(
            Departure(
                member=member,
                unit_id=places[member.pk],
                left_on=on,
                reason=REORGANIZED,
                record=record,
                unknown=unknown,
                photo=photo or "",
            )
        )
    Departure.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def shadow(member: Member, departure: Departure | None) -> Member:
    """An unsaved Member that carries what `departure` froze (no current cell); without a
    departure, only the name and birth are known. `unknown` lists the fields not known."""
    s = Member(pk=member.pk, id=member.pk)
    known = departure.record if departure is not None else {}
    for name in ALWAYS:  # kept in every copy; the present values only when there is none
        setattr(s, name, _value(name, known[name]) if name in known else getattr(member, name))
    s.sort_key = sort_key(s.family_name, s.middle_name, s.given_name)
    s.search_key = search_key(s.full_name)
    s.given_key = given_key(s.family_name, s.middle_name, s.given_name)
    unknown = set(departure.unknown if departure is not None else []) | (
        set(FIELDS) - set(ALWAYS) - set(known)
    )
    for name, raw in known.items():
        if name not in ALWAYS and hasattr(s, name):
            setattr(s, name, _value(name, raw))
    s.photo = departure.photo if departure is not None and departure.photo else ""
    if departure is None or not departure.photo:
        unknown.add("photo")
    s.home_unit = None
    s.home_unit_id = None
    s.unknown = sorted(unknown)
    s.departure = departure
    return s


def departure_until(member: Member, until: dt.date) -> Departure | None:
    """The snapshot written when the member left the reader's scope on `until`."""
    return member.departures.filter(left_on=until).select_related("unit").order_by("-id").first()


def shadows_under(unit, members) -> dict[int, Member]:
    """For a unit's list of former members: each as they left a cell of its subtree (the tree
    of their last day there, the day before they left), in one query, whether they left by a
    transfer, the end of their membership or with their cell in a reorganization."""
    members = list(members)
    rows = (
        Departure.objects.filter(
            member_id__in=[m.pk for m in members],
            unit__ancestry__ancestor=unit,
            unit__ancestry__valid_from__lt=F("left_on"),
        )
        .filter(
            Q(unit__ancestry__valid_to__isnull=True) | Q(unit__ancestry__valid_to__gte=F("left_on"))
        )
        .select_related("unit")
        .order_by("member_id", "left_on", "id")
    )
    last: dict[int, Departure] = {}
    for d in rows:
        last[d.member_id] = d
    return {m.pk: shadow(m, last.get(m.pk)) for m in members}


def seen_by(user, member: Member) -> tuple[Member, dt.date | None]:
    """What `user` may see of `member`: the member themself while the reader's scope covers
    them today (or it is their own record); otherwise, with the day their covered period ended,
    the member as they were then (the snapshot of that departure)."""

    until = visible_until(user, member)
    if until is None:
        return member, None
    return shadow(member, departure_until(member, until)), until


ENDINGS = {"strike_off", "expulsion", "resignation", "death"}
CHANGED = "(đã thay đổi)"  # how the audit log records a sensitive field's change


def backfill(apps=None) -> int:
    """Copies for the departures recorded before copies existed (the data migration calls it):
    the record as it is now, with every later change the audit log holds turned back to its
    before-value; a field changed since whose earlier value the log does not hold (a sensitive
    one, a card or a photo replaced) is not known. Name and birth are always kept."""
    get = apps.get_model if apps is not None else _model
    Member_, Departure_ = get("members", "Member"), get("members", "Departure")
    Transfer_, Event_ = get("members", "Transfer"), get("members", "MemberEvent")
    Placement_, Audit_ = get("members", "Placement"), get("audit", "AuditLog")
    have = set(Departure_.objects.values_list("member_id", "left_on"))
    todo = []
    for t in Transfer_.objects.exclude(kind="temporary").order_by("departed_on", "id"):
        home = (
            Placement_.objects.filter(member_id=t.member_id, kind="home", valid_to=t.departed_on)
            .order_by("-valid_from")
            .first()
        )
        unit = home.unit_id if home else t.from_unit_id
        todo.append((t.member_id, unit, t.departed_on, t.kind, t.created_at))
    for e in Event_.objects.filter(kind__in=ENDINGS).order_by("effective_date", "id"):
        home = (
            Placement_.objects.filter(
                member_id=e.member_id, kind="home", valid_from__lte=e.effective_date
            )
            .order_by("-valid_from")
            .first()
        )
        if home is not None:
            todo.append((e.member_id, home.unit_id, e.effective_date, e.kind, e.created_at))
    made = 0
    # "Later" is after the departure was recorded (a backdated departure's record is what the
    # unit had when it wrote the letter).
    for member_id, unit_id, left_on, reason, recorded_at in todo:
        if (member_id, left_on) in have:
            continue
        m = Member_.objects.get(pk=member_id)
        record = {name: _json(getattr(m, name)) for name in FIELDS}
        unknown: set[str] = set()
        later = Audit_.objects.filter(
            object_type="members.member", object_id=str(member_id), at__gt=recorded_at
        ).order_by("-at", "-id")
        for row in later:
            if row.action == "members.photo":
                unknown.add("photo")
            if row.action == "members.event.card":
                unknown.add("card_no")
            for name, value in (row.before or {}).items():
                if name in record:
                    if value == CHANGED:
                        unknown.add(name)
                    else:
                        record[name] = value
                        unknown.discard(name)
        events = list(Event_.objects.filter(member_id=member_id))
        state = lifecycle.state_on(events, left_on)
        record.update(
            stage=state.stage or "", activity=state.activity or "", ended=state.ended or ""
        )
        for name in unknown & set(record):
            record.pop(name)
        d = Departure_.objects.create(
            member_id=member_id,
            unit_id=unit_id,
            left_on=left_on,
            reason=reason,
            record=record,
            unknown=sorted(unknown),
        )
        if m.photo and "photo" not in unknown:
            try:
                with m.photo.open("rb") as f:
                    content = f.read()
            except OSError:
                d.unknown = sorted(unknown | {"photo"})
                d.save(update_fields=["unknown"])
            else:
                ext = m.photo.name.rsplit(".", 1)[-1].lower()
                d.photo.save(f"{member_id}-{left_on:%Y%m%d}-{d.pk}.{ext}", ContentFile(content))
        have.add((member_id, left_on))
        made += 1
    return made


def _model(app: str, name: str):
    from django.apps import apps

    return apps.get_model(app, name)


def former_shown(unit, f: dict, today: dt.date, limit: int = 5000) -> list[Member]:
    """A unit's former members as they were when they left it, filtered by what the copies
    keep (name, gender, age) and in Vietnamese order — in Python, over the copies, so that no
    filter or count reads what the next unit recorded since. Former lists are short."""

    members = list(former_of(unit).order_by("sort_key", "id")[:limit])
    shown = list(shadows_under(unit, members).values())
    key = search_key(f.get("q") or "")
    if key:
        shown = [s for s in shown if s.search_key.startswith(key) or s.given_key.startswith(key)]
    if f.get("gender"):
        shown = [s for s in shown if s.gender == f["gender"]]
    if f.get("age"):
        low, high = (int(x) for x in f["age"].split("-"))
        shown = [s for s in shown if today.year - high <= s.birth_year <= today.year - low]
    return sorted(shown, key=lambda s: (s.sort_key, s.pk))


def read(user, member: Member) -> tuple[Member, dt.date | None, bool]:
    """Open a member's record for reading (the page and the API): what the reader may see of
    it (seen_by), whether its sensitive fields are theirs to see, and the view logged under
    the unit they reached the member through."""
    from django.db import transaction

    shown, until = seen_by(user, member)
    sensitive = may_see_sensitive(user, member)
    with transaction.atomic():
        record(actor=user, action="view.member", obj=member, unit=reached_through(user, member))
    return shown, until, sensitive
