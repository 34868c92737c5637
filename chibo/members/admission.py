"""Admission and recognition (domain-rules §3.1–3.3): the age in months, the over-60 route,
the ceremony within 30 working days of receiving the decision (later only with the upper
committee's consent), a received decision waiting for its ceremony, and recognition effective at
exactly 12 months."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.audit.services import record
from chibo.core.scope import allowed
from chibo.org.choices import CELL_KINDS
from chibo.org.models import Unit

from . import rules
from .lifecycle import EventKind
from .locks import lock
from .models import AdmissionDecision, Member, MemberEvent
from .services import _add_event, _place_new_member, _refresh_state, record_event


@transaction.atomic
def admit(
    *,
    actor,
    unit: Unit,
    family_name: str,
    middle_name: str,
    given_name: str,
    gender: str,
    birth_date: dt.date,
    considered_on: dt.date,
    decision_no: str,
    issuer: str,
    decision_received_on: dt.date,
    ceremony_on: dt.date,
    decided_by_higher_committee: bool = False,
    late_ceremony_consent: str = "",
) -> Member:
    """Admission (kết nạp): the cell considered the person on `considered_on`; the decision was
    received on `decision_received_on`; the ceremony held on `ceremony_on` starts the 12-month
    probation. Checks the age in months, the over-60 route, and the 30-working-day ceremony
    deadline (later only with the upper committee's consent, whose reference is recorded)."""
    if not allowed(actor, "members", unit):
        raise PermissionDenied(_("Bạn không có quyền ghi nhận kết nạp ở chi bộ này."))
    errors = []
    age = rules.admission_age(birth_date, considered_on)
    if not age.ok:
        errors.append(age.message)
    elif age.route_to_higher and not decided_by_higher_committee:
        errors.append(age.message)
    if ceremony_on < decision_received_on:
        errors.append(_("Lễ kết nạp không thể trước ngày nhận quyết định."))
    if decision_received_on < considered_on:
        errors.append(_("Ngày nhận quyết định không thể trước ngày chi bộ xét."))
    deadline = rules.ceremony_deadline(decision_received_on)
    if ceremony_on > deadline and not late_ceremony_consent.strip():
        errors.append(
            _(
                "Lễ kết nạp phải tổ chức chậm nhất ngày %(d)s (30 ngày làm việc từ khi nhận quyết "
                "định); muộn hơn cần ý kiến đồng ý của cấp ủy cấp trên."
            )
            % {"d": f"{deadline:%d/%m/%Y}"}
        )
    if not unit.is_alive or unit.kind not in CELL_KINDS:
        errors.append(_("Đảng viên sinh hoạt ở một chi bộ đang hoạt động."))
    if errors:
        raise ValidationError(errors)
    m = _place_new_member(
        unit,
        ceremony_on,
        family_name=family_name,
        middle_name=middle_name,
        given_name=given_name,
        gender=gender,
        birth_year=birth_date.year,
        birth_date=birth_date,
        admitted_on=ceremony_on,
    )
    _add_event(
        m,
        EventKind.ADMISSION,
        ceremony_on,
        decision_no=decision_no,
        issuer=issuer,
        data={
            "considered_on": considered_on.isoformat(),
            "decision_received_on": decision_received_on.isoformat(),
            "ceremony_deadline": deadline.isoformat(),
            "late_ceremony_consent": late_ceremony_consent.strip(),
            "decided_by_higher_committee": decided_by_higher_committee,
        },
    )
    _refresh_state(m)
    record(
        actor=actor,
        action="members.admit",
        obj=m,
        unit=unit,
        after={
            "name": m.full_name,
            "ceremony_on": ceremony_on.isoformat(),
            "decision_no": decision_no,
        },
    )
    return m


@transaction.atomic
def recognize(
    *, actor, member: Member, decided_on: dt.date, decision_no: str, issuer: str = ""
) -> MemberEvent:
    """Recognition as official: it takes effect exactly when the 12 months end, even when
    decided later; a decision after the 30-working-day window is recorded as late."""

    lock(member)  # two recognitions at once: the second sees the first's official member
    if member.stage != "probationary" or member.admitted_on is None:
        raise ValidationError(_("Chỉ công nhận chính thức cho đảng viên dự bị."))
    effective = rules.probation_end(member.admitted_on)
    if decided_on > timezone.localdate():
        raise ValidationError(_("Ngày quyết định công nhận không thể ở tương lai."))
    if decided_on < effective:
        raise ValidationError(
            _("Chưa hết 12 tháng dự bị (đến %(d)s).") % {"d": f"{effective:%d/%m/%Y}"}
        )
    deadline = rules.recognition_deadline(member.admitted_on)
    return record_event(
        actor=actor,
        member=member,
        kind=EventKind.RECOGNITION,
        effective_date=effective,
        recorded_date=decided_on,
        decision_no=decision_no,
        issuer=issuer,
        data={
            "decided_on": decided_on.isoformat(),
            "deadline": deadline.isoformat(),
            "late": decided_on > deadline,
        },
    )


def _admission_checks(
    unit, birth_date, considered_on, decision_received_on, decided_by_higher_committee
) -> list[str]:

    errors = []
    age = rules.admission_age(birth_date, considered_on)
    if not age.ok:
        errors.append(age.message)
    elif age.route_to_higher and not decided_by_higher_committee:
        errors.append(age.message)
    if decision_received_on < considered_on:
        errors.append(_("Ngày nhận quyết định không thể trước ngày chi bộ xét."))
    if not unit.is_alive or unit.kind not in CELL_KINDS:
        errors.append(_("Đảng viên sinh hoạt ở một chi bộ đang hoạt động."))
    return errors


@transaction.atomic
def record_admission_decision(
    *,
    actor,
    unit: Unit,
    family_name: str,
    middle_name: str,
    given_name: str,
    gender: str,
    birth_date: dt.date,
    considered_on: dt.date,
    decision_no: str,
    issuer: str,
    decision_received_on: dt.date,
    decided_by_higher_committee: bool = False,
):
    """The cell received an admission decision; the ceremony is to come (its deadline shows on
    the deadlines page until it is held)."""
    if not allowed(actor, "members", unit):
        raise PermissionDenied(_("Bạn không có quyền ghi nhận kết nạp ở chi bộ này."))
    errors = _admission_checks(
        unit, birth_date, considered_on, decision_received_on, decided_by_higher_committee
    )
    if not decision_no.strip():
        errors.append(_("Hãy ghi số quyết định kết nạp."))
    if errors:
        raise ValidationError(errors)
    d = AdmissionDecision.objects.create(
        unit=unit,
        family_name=family_name,
        middle_name=middle_name,
        given_name=given_name,
        gender=gender,
        birth_date=birth_date,
        considered_on=considered_on,
        decision_no=decision_no,
        issuer=issuer,
        decision_received_on=decision_received_on,
        ceremony_deadline=rules.ceremony_deadline(decision_received_on),
        decided_by_higher_committee=decided_by_higher_committee,
    )
    record(
        actor=actor,
        action="members.admission_decision",
        obj=d,
        unit=unit,
        after={"name": d.full_name, "deadline": d.ceremony_deadline.isoformat()},
    )
    return d


@transaction.atomic
def hold_ceremony(*, actor, decision, ceremony_on: dt.date, late_ceremony_consent: str = ""):
    """The admission ceremony for a recorded decision: admits the person (all of admit's
    checks, the 30-working-day deadline included) and closes the decision."""

    d = AdmissionDecision.objects.select_for_update().get(pk=decision.pk)
    if d.member_id is not None:
        raise ValidationError(_("Đã tổ chức lễ kết nạp cho quyết định này."))
    m = admit(
        actor=actor,
        unit=d.unit,
        family_name=d.family_name,
        middle_name=d.middle_name,
        given_name=d.given_name,
        gender=d.gender,
        birth_date=d.birth_date,
        considered_on=d.considered_on,
        decision_no=d.decision_no,
        issuer=d.issuer,
        decision_received_on=d.decision_received_on,
        ceremony_on=ceremony_on,
        decided_by_higher_committee=d.decided_by_higher_committee,
        late_ceremony_consent=late_ceremony_consent,
    )
    d.member = m
    d.save(update_fields=["member"])
    return m
