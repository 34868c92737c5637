"""Heavy reads for meetings: the roster of a cell on a day (who is expected, who votes), the
people who receive the notice, and the matters raised that concern a unit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce

from chibo.accounts.choices import Role
from chibo.accounts.models import Grant
from chibo.members.lifecycle import Activity, Stage, state_on
from chibo.members.models import Member, MemberEvent, Placement
from chibo.members.selectors import members_on
from chibo.org.models import Unit, UnitAncestry, in_force

from .models import FollowUp


@dataclass(frozen=True)
class RosterRow:
    member: Member
    official: bool
    exempt: bool
    suspended: bool
    away: bool
    guest_member: bool


def roster(unit: Unit, on: dt.date) -> list[RosterRow]:
    """The cell's members on `on` (home placements of people who were members then) with their
    stage and activity on that day, plus members attached to the cell temporarily; in the
    Vietnamese order of the member list."""
    home_ids = set(members_on(on).filter(unit=unit).values_list("member_id", flat=True))
    temp_in = set(
        Placement.objects.filter(in_force(on), kind=Placement.Kind.TEMPORARY, unit=unit)
        .exclude(member_id__in=home_ids)
        .values_list("member_id", flat=True)
    )
    away = set(
        Placement.objects.filter(
            in_force(on), kind=Placement.Kind.TEMPORARY, member_id__in=home_ids
        )
        .exclude(unit=unit)
        .values_list("member_id", flat=True)
    )
    ids = home_ids | temp_in
    events: dict[int, list] = {}
    for e in MemberEvent.objects.filter(member_id__in=ids, effective_date__lte=on).order_by(
        "effective_date", "id"
    ):
        events.setdefault(e.member_id, []).append(e)
    rows = []
    for m in Member.objects.filter(pk__in=ids).order_by("sort_key", "id"):
        state = state_on(events.get(m.pk, []), on)
        if not state.is_member:
            continue
        rows.append(
            RosterRow(
                member=m,
                official=state.stage == Stage.OFFICIAL,
                exempt=state.activity == Activity.EXEMPT,
                suspended=state.activity == Activity.SUSPENDED,
                away=m.pk in away,
                guest_member=m.pk in temp_in,
            )
        )
    return rows


@dataclass(frozen=True)
class Follower:
    user_id: int
    name: str
    email: str


def followers(unit: Unit, on: dt.date) -> list[Follower]:
    """Committee members who follow the cell on `on`: those assigned to it (or to a unit above
    it) and holders of a follower grant on the cell or a unit above it."""

    grants = (
        Grant.objects.active(on)
        .filter(role=Role.FOLLOWER, unit__path__in=unit.lineage_paths())
        .select_related("user")
        .order_by("user__full_name", "user_id")
    )
    seen: dict[int, Follower] = {}
    for f in covering(unit, on):
        seen.setdefault(f.user_id, Follower(f.user_id, str(f.user), f.user.email))
    for g in grants:
        seen.setdefault(g.user_id, Follower(g.user_id, str(g.user), g.user.email))
    return list(seen.values())


def matters_of(visible: QuerySet, unit: Unit) -> QuerySet:
    """Of the matters the reader sees (`visible`: RaisedMatter.objects.restrict(user)), those
    that concern `unit`: raised at a meeting of a cell under it on the meeting's day, or under
    it today (a merged commune's cells keep their open matters), or routed to it. Open ones
    first (NULL first on both databases), then the newest."""
    day = Coalesce(OuterRef("meeting__held_on"), OuterRef("meeting__planned_on"))
    then = UnitAncestry.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=day),
        unit_id=OuterRef("meeting__unit_id"),
        ancestor_id=unit.pk,
        valid_from__lte=day,
    )
    return (
        visible.filter(
            Q(Exists(then)) | Q(meeting__unit__path__startswith=unit.path) | Q(routed_to=unit)
        )
        .select_related("meeting__unit", "routed_to")
        .order_by(F("answered_on").asc(nulls_first=True), "-id")
    )


def covering(unit: Unit, on: dt.date):
    """Assignments in force on `on` that cover `unit` (on the unit or an organization above)."""
    return (
        FollowUp.objects.filter(unit__path__in=unit.lineage_paths(), valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))
        .select_related("user", "unit")
    )
