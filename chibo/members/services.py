"""Member writes needed by the tree (the registry issue adds the lifecycle services)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from chibo.audit.services import record
from chibo.org.models import Unit

from .models import Member, Placement, Stage


@transaction.atomic
def add_member(
    *,
    actor,
    unit: Unit,
    family_name: str,
    middle_name: str,
    given_name: str,
    gender: str,
    birth_year: int,
    admitted_on: dt.date,
    recognized_on: dt.date | None,
    placed_on: dt.date,
) -> Member:
    m = Member(
        family_name=family_name,
        middle_name=middle_name,
        given_name=given_name,
        gender=gender,
        birth_year=birth_year,
        admitted_on=admitted_on,
        recognized_on=recognized_on,
        stage=Stage.OFFICIAL
        if recognized_on and recognized_on <= timezone.localdate()
        else Stage.PROBATIONARY,
        home_unit=unit,
        province_id=unit.province_id,
        commune_id=unit.commune_id,
        grassroots_id=unit.grassroots_id,
    )
    m.save()
    Placement.objects.create(member=m, unit=unit, valid_from=placed_on)
    record(
        actor=actor,
        action="members.add",
        obj=m,
        unit=unit,
        after={"name": m.full_name, "stage": m.stage},
    )
    return m


def move_placements(*, source: Unit, target: Unit, on: dt.date) -> int:
    """When cells merge: the absorbed cell's members continue in the target cell from `on`.
    Called inside the restructuring transaction."""
    moving = list(Placement.objects.filter(unit=source, valid_to__isnull=True))
    for p in moving:
        p.valid_to = on
    Placement.objects.bulk_update(moving, ["valid_to"])
    Placement.objects.bulk_create(
        [Placement(member_id=p.member_id, unit=target, kind=p.kind, valid_from=on) for p in moving]
    )
    target = Unit.objects.get(pk=target.pk)
    Member.objects.filter(
        pk__in=[p.member_id for p in moving if p.kind == Placement.Kind.HOME]
    ).update(
        home_unit=target,
        province_id=target.province_id,
        commune_id=target.commune_id,
        grassroots_id=target.grassroots_id,
    )
    return len(moving)


def refresh_denormalized(unit_ids) -> None:
    """After a subtree moves, members' province/commune/grassroots follow their home cell:
    one UPDATE per distinct combination (a moved subtree usually has one or two)."""
    groups: dict[tuple, list[int]] = {}
    for pk, p, c, g in Unit.objects.filter(pk__in=unit_ids).values_list(
        "pk", "province_id", "commune_id", "grassroots_id"
    ):
        groups.setdefault((p, c, g), []).append(pk)
    for (p, c, g), ids in groups.items():
        Member.objects.filter(home_unit_id__in=ids).update(
            province_id=p, commune_id=c, grassroots_id=g
        )
