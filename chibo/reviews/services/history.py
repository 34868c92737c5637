"""Ratings recorded from old records (the historical import, the demo's past years): the label
is stored verbatim with the version of its year and mapped to today's levels for trends. No
engine judgement: the record says what the competent level decided then."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chibo.audit.services import record as audit
from chibo.members.models import Member
from chibo.org.models import Unit

from .. import packs
from ..choices import NotRated, Source
from ..models import Rating
from .common import require


def resolve_label(pack: packs.Pack, subject: str, text: str, unit=None) -> packs.Label:
    """The era's label for `text` (code or words), or a Vietnamese error."""
    label = pack.find_label(subject, text)
    if label is None:
        known = "; ".join(lab.text for lab in pack.labels(subject))
        raise ValidationError(
            _("Mức “%(text)s” không có trong %(pack)s. Các mức: %(known)s.")
            % {"text": text, "pack": pack.title, "known": known}
        )
    return label


def mapped(pack: packs.Pack, label: packs.Label, unit=None) -> tuple[str, str]:
    """(level, could_be) of an old label today: its level, or for an ambiguous one the value
    of the pack's parameter if a committee settled it, else empty with the candidates."""
    if not label.ambiguous:
        return label.level, ""
    settled = pack.param("tsvm_maps_to", unit) if label.code == "tsvm" else None
    if settled:
        return settled, ""
    return "", " ".join(label.could_be)


def _build(
    *,
    year: int,
    unit: Unit,
    member: Member | None,
    label: str,
    not_rated: str,
    decided_on: dt.date,
    decision_no: str,
    issuer: str,
    points,
    source: str,
    note: str,
) -> Rating:
    """The Rating row a record makes, validated (label or reason, one of the two)."""
    pack = packs.for_year(year)
    subject = packs.MEMBER if member is not None else packs.ORG
    if bool(label) == bool(not_rated):
        raise ValidationError(_("Hãy ghi mức xếp loại hoặc lý do không xếp loại (một trong hai)."))
    row = Rating(
        year=year,
        pack=pack.code,
        member=member,
        unit=unit,
        decided_on=decided_on,
        decision_no=decision_no.strip(),
        issuer=issuer.strip(),
        points=points,
        source=source,
    )
    if not_rated:
        if not_rated not in NotRated.values:
            raise ValidationError(_("Lý do không xếp loại không hợp lệ."))
        row.not_rated = not_rated
    else:
        lab = resolve_label(pack, subject, label, unit)
        row.label_code, row.label = lab.code, lab.text
        row.level, row.could_be = mapped(pack, lab, unit)
    lines = [
        {
            "code": "recorded",
            "text": _("Ghi theo hồ sơ lưu trữ (%(src)s).")
            % {"src": decision_no or issuer or _("không ghi số")},
        }
    ]
    if note.strip():
        lines.append({"code": "note", "text": note.strip()})
    row.explanation = {
        "pack": pack.code,
        "citation": _("theo %(title)s") % {"title": pack.title},
        "lines": lines,
    }
    row.as_of = dt.date(year, 12, 31)
    return row


@transaction.atomic
def record_rating(
    *,
    actor,
    year: int,
    unit: Unit,
    member: Member | None = None,
    label: str = "",
    not_rated: str = "",
    decided_on: dt.date,
    decision_no: str = "",
    issuer: str = "",
    points=None,
    source: str = Source.IMPORT,
    note: str = "",
) -> Rating:
    """Record a decided rating of `year` as the records have it. `unit` is the member's cell
    that year (or the rated organization); `label` the words of the era (or a level code);
    `not_rated` a NotRated reason instead of a label (`note`: the recorded reason's words).
    Refuses a second current rating of the same subject and year (a change is a re-rating,
    rounds.rerate)."""
    require(actor, "change", unit, on=dt.date(year, 12, 31))
    existing = Rating.objects.filter(year=year, current=True)
    existing = existing.filter(member=member) if member else existing.filter(unit=unit, member=None)
    if existing.exists():
        raise ValidationError(_("Năm %(y)s đã có kết quả xếp loại.") % {"y": year})
    row = _build(
        year=year,
        unit=unit,
        member=member,
        label=label,
        not_rated=not_rated,
        decided_on=decided_on,
        decision_no=decision_no,
        issuer=issuer,
        points=points,
        source=source,
        note=note,
    )
    row.save()
    audit(
        actor=actor,
        action="reviews.record_rating",
        obj=row,
        unit=unit,
        after={"year": year, "label": row.label, "not_rated": row.not_rated},
    )
    return row


@transaction.atomic
def record_ratings(*, actor, rows: list[dict], source: str = Source.IMPORT) -> list[Rating]:
    """Many records at once (the import, the demo), validated as record_rating validates each
    — the actor's right on each unit as of its year, label or reason, no second current rating
    of a subject and year, in the database or in the batch — all or nothing; one audit row per
    unit and year. Each row: year, unit, member (or None), label or not_rated, decided_on, and
    optionally decision_no, issuer, points, note."""
    checked: set[tuple[int, int]] = set()
    built: list[Rating] = []
    seen: set[tuple[int, str, int]] = set()
    for r in rows:
        unit, year, member = r["unit"], r["year"], r.get("member")
        if (unit.pk, year) not in checked:
            require(actor, "change", unit, on=dt.date(year, 12, 31))
            checked.add((unit.pk, year))
        key = (year, "m", member.pk) if member is not None else (year, "u", unit.pk)
        if key in seen:
            raise ValidationError(_("Năm %(y)s đã có kết quả xếp loại.") % {"y": year})
        seen.add(key)
        built.append(
            _build(
                year=year,
                unit=unit,
                member=member,
                label=r.get("label", ""),
                not_rated=r.get("not_rated", ""),
                decided_on=r["decided_on"],
                decision_no=r.get("decision_no", ""),
                issuer=r.get("issuer", ""),
                points=r.get("points"),
                source=source,
                note=r.get("note", ""),
            )
        )
    for year in {b.year for b in built}:
        members = [b.member_id for b in built if b.year == year and b.member_id]
        units = [b.unit_id for b in built if b.year == year and not b.member_id]
        current = Rating.objects.filter(year=year, current=True)
        if (
            current.filter(member_id__in=members).exists()
            or current.filter(member=None, unit_id__in=units).exists()
        ):
            raise ValidationError(_("Năm %(y)s đã có kết quả xếp loại.") % {"y": year})
    Rating.objects.bulk_create(built, batch_size=500)
    groups: dict[tuple[int, int], list[Rating]] = {}
    for b in built:
        groups.setdefault((b.unit_id, b.year), []).append(b)
    for (_unit_id, year), group in groups.items():
        audit(
            actor=actor,
            action="reviews.record_ratings",
            obj=group[0],
            unit=group[0].unit,
            after={
                "year": year,
                "count": len(group),
                "labels": sorted({g.label or g.not_rated for g in group}),
            },
        )
    return built
