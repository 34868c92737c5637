"""The member review round (issue 12, points 4–7): a round per cell and year; the member's
self-assessment; the cell's proposal after its review meeting; the competent committee's
decision, which runs the engine on the facts of chibo's own records (caps only lower), checks
the version's HTXS quota (refused unless the competent level's exception is recorded) and
locks the result; a complaint and the re-rating that keeps the original.

Every write is one transaction, audited, with the round's row locked (select_for_update): two
decisions of one round at once cannot both pass."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.audit.services import record as audit
from chibo.members.models import Member
from chibo.members.records import may_see_sensitive
from chibo.org.choices import CELL_KINDS, UnitKind
from chibo.org.models import Unit

from .. import engine, packs
from ..choices import SHORT, Level, RoundStatus, Source, Step
from ..models import (
    Assessment,
    Complaint,
    CriteriaSet,
    QuotaException,
    Rating,
    Round,
    year_end,
)
from . import facts as F
from .common import grassroots_of, parent_on, require

LOCKED = RoundStatus.DECIDED
DECISION_NO_MAX = 80  # Rating/QuotaException.decision_no max_length
MAX_VOTES = 32767  # Assessment.votes_for/votes_base are PositiveSmallIntegerField


def _today() -> dt.date:
    return timezone.localdate()


def _fail(message) -> None:
    raise ValidationError(message)


def _locked(rnd: Round) -> Round:
    """The round's row, locked until the transaction ends, as it now is."""
    return Round.objects.select_for_update().get(pk=rnd.pk)


# --- opening ------------------------------------------------------------------------------


@transaction.atomic
def open_round(*, actor, unit: Unit, year: int, closes_on: dt.date | None = None) -> Round:
    """Open the review round of `unit` (a cell) for `year`, under the version in force that
    year. One per unit and year; not for a year not yet begun."""
    today = _today()
    require(actor, "members", unit, message=_("Bạn không có quyền mở đợt đánh giá ở chi bộ này."))
    if year > today.year:
        _fail(_("Năm %(y)s chưa bắt đầu: chưa thể mở đợt đánh giá.") % {"y": year})
    try:
        pack = packs.for_year(year)
    except LookupError:
        _fail(_("Không có quy định đánh giá cho năm %(y)s.") % {"y": year})
    if not pack.rates:
        _fail(
            _(
                "Năm %(y)s theo %(pack)s: chibo chỉ ghi nhận kết quả cũ (nhập từ hồ sơ), "
                "không mở đợt đánh giá."
            )
            % {"y": year, "pack": pack.title}
        )
    opened_on = min(today, year_end(year))
    version = unit.version_on(opened_on)
    if version is None or version.kind not in CELL_KINDS:
        _fail(_("Chỉ mở đợt đánh giá đảng viên ở chi bộ."))
    if closes_on is not None and closes_on < today:
        _fail(_("Hạn hoàn thành phải từ hôm nay trở đi."))
    # The unit's row serializes two openings of the same round.
    Unit.objects.select_for_update().filter(pk=unit.pk).first()
    if Round.objects.filter(unit=unit, year=year).exists():
        _fail(_("Chi bộ đã có đợt đánh giá năm %(y)s.") % {"y": year})
    rnd = Round.objects.create(
        unit=unit, year=year, pack=pack.code, opened_on=today, closes_on=closes_on
    )
    audit(
        actor=actor,
        action="reviews.round.open",
        obj=rnd,
        unit=unit,
        after={"year": year, "pack": pack.code},
    )
    return rnd


def decider_of(rnd: Round) -> Unit:
    """The committee that decides the members' ratings: the grassroots party committee above
    the cell (the đảng ủy cơ sở; a commune's đảng ủy for the cells it holds directly); for a
    chi bộ cơ sở the pack's [M] parameter says the cell itself or the committee above it."""
    on = F.as_of(rnd)
    unit = rnd.unit
    version = unit.version_on(on)
    pack = packs.get(rnd.pack)
    if version is not None and version.kind == UnitKind.GRASSROOTS_CELL:
        who = pack.param("member_decider_of_grassroots_cell", unit, rnd.year)
        if who == "upper":
            return parent_on(unit, on) or unit
        return unit
    above = grassroots_of(unit, on)
    if above is not None and above.pk != unit.pk:
        return above
    return parent_on(unit, on) or unit


# --- steps --------------------------------------------------------------------------------


def _criteria(rnd: Round, criteria_set: CriteriaSet | None) -> tuple[dict, ...]:
    if criteria_set is not None:
        if criteria_set.subject != CriteriaSet.Subject.MEMBER or criteria_set.year != rnd.year:
            _fail(_("Bộ tiêu chí không dành cho đảng viên năm %(y)s.") % {"y": rnd.year})
        return tuple(criteria_set.groups)
    return packs.get(rnd.pack).framework.get(packs.MEMBER, ())


def scored(groups: tuple[dict, ...], scores: Mapping | None) -> tuple[dict, float | None]:
    """Scores per criterion checked against the criteria (each between 0 and its maximum):
    ({code: points}, total), or a Vietnamese error."""
    scores = dict(scores or {})
    if not scores:
        return {}, None
    if not groups:
        _fail(_("Quy định năm này không chấm điểm theo tiêu chí."))
    maxima = {c["code"]: float(c["max_points"]) for g in groups for c in g.get("criteria", [])}
    errors, clean = [], {}
    for code, raw in scores.items():
        if code not in maxima:
            errors.append(_("Không có tiêu chí “%(c)s”.") % {"c": code})
            continue
        try:
            value = float(raw)
        except (TypeError, ValueError):
            errors.append(_("Điểm tiêu chí %(c)s không phải là số.") % {"c": code})
            continue
        if not 0 <= value <= maxima[code]:
            errors.append(
                _("Điểm tiêu chí %(c)s phải từ 0 đến %(m)s.")
                % {"c": code, "m": engine._num(maxima[code])}
            )
            continue
        clean[code] = value
    if errors:
        _fail(errors)
    return clean, round(sum(clean.values()), 1)


def group_points(groups: tuple[dict, ...], scores: Mapping) -> dict[str, float]:
    out = {}
    for g in groups:
        codes = [c["code"] for c in g.get("criteria", [])]
        if any(c in scores for c in codes):
            out[g["code"]] = round(sum(float(scores.get(c, 0)) for c in codes), 1)
    return out


def _on_roll(rnd: Round, member: Member) -> None:
    if not any(m.pk == member.pk for m in F.roll(rnd)):
        _fail(
            _("%(name)s không thuộc danh sách đánh giá của chi bộ năm %(y)s.")
            % {"name": member.full_name, "y": rnd.year}
        )


def _open(rnd: Round) -> None:
    if rnd.status == LOCKED:
        _fail(_("Đợt đánh giá đã có quyết định: không thể sửa."))


def _level(level: str) -> str:
    if level not in Level.values:
        _fail(_("Mức xếp loại không hợp lệ."))
    return level


@transaction.atomic
def self_assess(
    *,
    actor,
    round: Round,
    member: Member,
    scores: Mapping | None = None,
    level: str = "",
    comment: str = "",
    person_kind: str = "",
    criteria_set: CriteriaSet | None = None,
) -> Assessment:
    """The member's own assessment: a score per criterion (of the criteria set, or the
    version's framework) and the level they rate themself at. Only the member themself."""
    rnd = _locked(round)
    if not getattr(actor, "is_authenticated", False) or member.user_id != actor.pk:
        raise PermissionDenied(_("Chỉ đảng viên tự đánh giá cho chính mình."))
    _open(rnd)
    _on_roll(rnd, member)
    if level:
        _level(level)
    clean, points = scored(_criteria(rnd, criteria_set), scores)
    if not clean and not level:
        _fail(_("Hãy chấm điểm theo tiêu chí hoặc chọn mức tự xếp loại."))
    row, created = Assessment.objects.update_or_create(
        round=rnd,
        member=member,
        step=Step.SELF,
        defaults={
            "unit": rnd.unit,
            "scores": clean,
            "points": points,
            "level": level,
            "comment": comment.strip(),
            "person_kind": person_kind,
            "criteria_set": criteria_set,
            "author": actor if getattr(actor, "is_authenticated", False) else None,
        },
    )
    audit(
        actor=actor,
        action="reviews.round.self_assess",
        obj=row,
        unit=rnd.unit,
        after={"member": member.pk, "points": points, "level": level},
    )
    return row


@transaction.atomic
def propose(
    *,
    actor,
    round: Round,
    member: Member,
    level: str,
    votes_for: int,
    votes_base: int,
    comment: str = "",
    scores: Mapping | None = None,
    criteria_set: CriteriaSet | None = None,
) -> Assessment:
    """The cell's proposal for a member after its review meeting: the level voted, the votes
    for it on the rules' base (the cell's voting members), optionally the cell's scores."""
    rnd = _locked(round)
    require(actor, "members", rnd.unit, message=_("Bạn không có quyền đề xuất ở chi bộ này."))
    _open(rnd)
    _on_roll(rnd, member)
    _level(level)
    errors = []
    if not isinstance(votes_base, int) or votes_base < 1:
        errors.append(_("Hãy ghi số đảng viên được biểu quyết (từ 1 trở lên)."))
    elif votes_base > MAX_VOTES:
        # The column's bound (a small integer): past it the save itself fails with a 500.
        errors.append(_("Số đảng viên được biểu quyết không hợp lệ (quá lớn)."))
    elif not isinstance(votes_for, int) or not 0 <= votes_for <= votes_base:
        errors.append(_("Số tán thành phải từ 0 đến %(b)s.") % {"b": votes_base})
    elif votes_for * 2 <= votes_base:
        errors.append(
            _("Mức đề xuất cần quá nửa số biểu quyết tán thành (mới có %(f)s/%(b)s).")
            % {"f": votes_for, "b": votes_base}
        )
    if errors:
        _fail(errors)
    clean, points = scored(_criteria(rnd, criteria_set), scores)
    row, _created = Assessment.objects.update_or_create(
        round=rnd,
        member=member,
        step=Step.PROPOSAL,
        defaults={
            "unit": rnd.unit,
            "scores": clean,
            "points": points,
            "level": level,
            "comment": comment.strip(),
            "votes_for": votes_for,
            "votes_base": votes_base,
            "criteria_set": criteria_set,
            "author": actor if getattr(actor, "is_authenticated", False) else None,
        },
    )
    if rnd.status == RoundStatus.OPEN:
        rnd.status = RoundStatus.REVIEWING
        rnd.save(update_fields=["status"])
    audit(
        actor=actor,
        action="reviews.round.propose",
        obj=row,
        unit=rnd.unit,
        after={"member": member.pk, "level": level, "votes": f"{votes_for}/{votes_base}"},
    )
    return row


# --- the quota ------------------------------------------------------------------------------


@transaction.atomic
def record_quota_exception(
    *,
    actor,
    round: Round,
    extra: int,
    decision_no: str,
    decided_on: dt.date,
    issuer: str,
    reason: str = "",
) -> QuotaException:
    """The competent level's written exception to the HTXS quota of the round's unit and
    year (how many above it), recorded by those who decide the round."""
    rnd = _locked(round)
    require(actor, "change", decider_of(rnd))
    _open(rnd)
    errors = []
    if not isinstance(extra, int) or extra < 1:
        errors.append(_("Số HTXSNV được vượt phải từ 1 trở lên."))
    elif extra > MAX_VOTES:
        # Past the small integer column the save itself fails with a 500.
        errors.append(_("Số HTXSNV được vượt không hợp lệ (quá lớn)."))
    if not decision_no.strip():
        errors.append(_("Hãy ghi số văn bản cho phép vượt."))
    elif len(decision_no.strip()) > DECISION_NO_MAX:
        errors.append(_("Số văn bản dài quá %(n)d ký tự.") % {"n": DECISION_NO_MAX})
    if len(issuer.strip()) > 255 or len(reason.strip()) > 500:
        errors.append(_("Cấp cho phép hoặc lý do dài quá mức cho phép."))
    if not issuer.strip():
        errors.append(_("Hãy ghi cấp cho phép."))
    if decided_on > _today():
        errors.append(_("Ngày văn bản không được sau hôm nay."))
    if errors:
        _fail(errors)
    row = QuotaException.objects.create(
        unit=rnd.unit,
        year=rnd.year,
        subject=CriteriaSet.Subject.MEMBER,
        extra=extra,
        decision_no=decision_no.strip(),
        decided_on=decided_on,
        issuer=issuer.strip(),
        reason=reason.strip(),
    )
    audit(
        actor=actor,
        action="reviews.quota_exception",
        obj=row,
        unit=rnd.unit,
        after={"year": rnd.year, "extra": extra, "decision_no": row.decision_no},
    )
    return row


def exceptions(rnd: Round) -> list[QuotaException]:
    """The recorded exceptions to the round's HTXS quota, oldest first."""
    return list(
        QuotaException.objects.filter(
            unit=rnd.unit, year=rnd.year, subject=CriteriaSet.Subject.MEMBER
        ).order_by("decided_on", "id")
    )


def _quota_or_refuse(rnd: Round, rules: packs.Rules, levels: list[str]):
    """(the quota, the exception it needs or None); refuses a decision that breaks it."""
    found = exceptions(rnd)
    plain = engine.quota(levels, rules)
    if not plain.broken:
        return plain, None
    q = engine.quota(levels, rules, extra=sum(e.extra for e in found))
    if q.broken:
        _fail(
            _(
                "Vượt giới hạn HTXSNV: quyết định %(x)s đảng viên HTXSNV, tối đa %(a)s "
                "(%(p)s của %(b)s đảng viên HTTNV trở lên)%(extra)s. Hãy hạ mức hoặc ghi văn bản "
                "cho phép vượt của cấp có thẩm quyền."
            )
            % {
                "x": q.excellent,
                "a": q.allowed + q.extra,
                "p": engine._pct(q.share),
                "b": q.base,
                "extra": (_(", kể cả %(n)s được cho vượt") % {"n": q.extra}) if q.extra else "",
            }
        )
    return q, found[-1]


def _explanation(res: engine.Result, q, exc: QuotaException | None) -> dict:
    data = res.to_json()
    data["quota"] = q.text()
    if exc is not None:
        data["quota_exception"] = {
            "decision_no": exc.decision_no,
            "decided_on": exc.decided_on.isoformat(),
            "issuer": exc.issuer,
            "extra": exc.extra,
        }
    return data


def _label(pack: packs.Pack, level: str) -> tuple[str, str]:
    if not level:
        return "", ""
    lab = pack.label_for_level(packs.MEMBER, level)
    return lab.code, lab.text


# --- the decision ------------------------------------------------------------------------


def _key(k) -> int:
    if isinstance(k, Member):
        return k.pk
    try:
        return int(k)
    except (TypeError, ValueError):
        raise ValidationError(_("Đảng viên không hợp lệ.")) from None


@transaction.atomic
def decide(
    *,
    actor,
    round: Round,
    decisions: Mapping,
    decision_no: str,
    decided_on: dt.date,
) -> list[Rating]:
    """The competent committee's decision on every member the cell must rate ({member:
    level}; those the rules leave unrated are listed apart by themselves). Each level runs
    through the engine with the version's rules (its caps only lower it, each with the fact
    behind it), then the quota; the ratings are written with their explanation and the round
    is locked."""
    rnd = _locked(round)
    decider = decider_of(rnd)
    require(
        actor,
        "change",
        decider,
        message=_("Chỉ %(unit)s quyết định xếp loại đảng viên của chi bộ này.")
        % {"unit": decider.name},
    )
    if rnd.status == LOCKED:
        _fail(_("Đợt đánh giá năm %(y)s đã có quyết định: kết quả đã khóa.") % {"y": rnd.year})
    errors = []
    if not decision_no.strip():
        errors.append(_("Hãy ghi số quyết định."))
    elif len(decision_no.strip()) > DECISION_NO_MAX:
        errors.append(_("Số quyết định dài quá %(n)d ký tự.") % {"n": DECISION_NO_MAX})
    if decided_on > _today():
        errors.append(_("Ngày quyết định không được sau hôm nay."))
    if decided_on < rnd.opened_on:
        errors.append(_("Ngày quyết định không được trước ngày mở đợt đánh giá."))
    if errors:
        _fail(errors)
    pack = packs.get(rnd.pack)
    rules = pack.rules(rnd.unit, rnd.year)
    wanted = {_key(k): v for k, v in decisions.items()}
    rows = F.round_facts(rnd)
    on_roll = {r.member.pk for r in rows}
    proposals = {
        a.member_id: a
        for a in Assessment.objects.filter(round=rnd, step=Step.PROPOSAL, member__isnull=False)
    }
    groups_def = _criteria(rnd, None)
    strangers = [pk for pk in wanted if pk not in on_roll]
    if strangers:
        # Not named: an id posted may be anyone's, of a commune the actor does not reach.
        errors.append(
            _("%(k)d đảng viên không thuộc danh sách đánh giá của chi bộ.") % {"k": len(strangers)}
        )
    missing, unproposed, bad, apart = [], [], [], []
    results: list[tuple[Member, engine.Result, str]] = []
    for row in rows:
        m = row.member
        level = wanted.get(m.pk, "")
        if level and level not in Level.values:
            bad.append(m.full_name)
            continue
        prop = proposals.get(m.pk)
        points = prop.points if prop is not None else None
        groups = group_points(groups_def, prop.scores) if prop is not None else {}
        res = engine.rate_member(F.with_choice(row.facts, level, points, groups), rules)
        if res.not_rated:
            if level:
                apart.append(m.full_name)
            results.append((m, res, ""))
            continue
        if not level:
            missing.append(m.full_name)
        elif prop is None:
            unproposed.append(m.full_name)
        results.append((m, res, prop.level if prop else ""))
    if bad:
        errors.append(_("Mức xếp loại không hợp lệ: %(n)s.") % {"n": ", ".join(bad)})
    if missing:
        errors.append(_("Chưa quyết định mức cho: %(n)s.") % {"n": ", ".join(missing)})
    if unproposed:
        errors.append(_("Chi bộ chưa đề xuất mức cho: %(n)s.") % {"n": ", ".join(unproposed)})
    if apart:
        errors.append(
            _("Không xếp loại theo quy định (liệt kê riêng): %(n)s.") % {"n": ", ".join(apart)}
        )
    already = Rating.objects.filter(year=rnd.year, member_id__in=on_roll, current=True)
    if already.exists():
        names = ", ".join(r.member.full_name for r in already.select_related("member"))
        errors.append(_("Đã có kết quả xếp loại năm %(y)s: %(n)s.") % {"y": rnd.year, "n": names})
    if errors:
        _fail(errors)
    q, exc = _quota_or_refuse(rnd, rules, [res.level for _m, res, _p in results if res.level])
    out = []
    for m, res, proposed in results:
        code, text = _label(pack, res.level)
        out.append(
            Rating.objects.create(
                year=rnd.year,
                pack=pack.code,
                member=m,
                unit=rnd.unit,
                label_code=code,
                label=text,
                level=res.level,
                not_rated=res.not_rated,
                points=res.points,
                proposed_level=proposed,
                explanation=_explanation(res, q, exc if res.level == Level.EXCELLENT else None),
                decided_on=decided_on,
                decision_no=decision_no.strip(),
                decided_by=decider,
                issuer=decider.name,
                source=Source.ROUND,
                round=rnd,
                exception=exc if res.level == Level.EXCELLENT else None,
                current=True,
            )
        )
    before = rnd.status
    rnd.status = LOCKED
    rnd.save(update_fields=["status"])
    audit(
        actor=actor,
        action="reviews.round.decide",
        obj=rnd,
        unit=rnd.unit,
        before={"status": before},
        after={
            "status": rnd.status,
            "decision_no": decision_no.strip(),
            "levels": {str(r.member_id): r.level or r.not_rated for r in out},
            "quota": q.text(),
        },
    )
    return out


# --- complaints and re-rating ----------------------------------------------------------------


@transaction.atomic
def complain(*, actor, rating: Rating, text: str, filed_on: dt.date | None = None) -> Complaint:
    """A complaint against a decided rating, by the member or their cell."""
    rating = Rating.objects.select_for_update().get(pk=rating.pk)
    own = (
        getattr(actor, "is_authenticated", False)
        and rating.member_id
        and (rating.member.user_id == actor.pk)
    )
    if not own:
        require(actor, "members", rating.unit)
    filed_on = filed_on or _today()
    errors = []
    if not rating.current:
        errors.append(_("Kết quả này đã được thay bằng kết quả đánh giá lại."))
    if not text.strip():
        errors.append(_("Hãy ghi nội dung khiếu nại."))
    if filed_on > _today() or filed_on < rating.decided_on:
        errors.append(_("Ngày khiếu nại phải từ ngày quyết định đến hôm nay."))
    if Complaint.objects.filter(rating=rating, closed_on__isnull=True).exists():
        errors.append(_("Kết quả này đang có khiếu nại chưa giải quyết."))
    if errors:
        _fail(errors)
    row = Complaint.objects.create(rating=rating, filed_on=filed_on, text=text.strip())
    audit(
        actor=actor,
        action="reviews.complaint",
        obj=row,
        unit=rating.unit,
        after={"rating": rating.pk},
    )
    return row


@transaction.atomic
def rerate(
    *,
    actor,
    rating: Rating,
    level: str,
    reason: str,
    decision_no: str = "",
    decided_on: dt.date | None = None,
) -> Rating:
    """The competent level's re-rating: the original stays (no longer current, superseded
    by the new row), the new level runs through the engine and the quota like the decision,
    and the change and its reason are recorded; an open complaint is closed by it."""
    old = Rating.objects.select_for_update().get(pk=rating.pk)
    if old.round_id is None or old.member_id is None:
        _fail(_("Chỉ đánh giá lại kết quả xếp loại đảng viên của một đợt đánh giá."))
    rnd = _locked(old.round)
    decider = old.decided_by or decider_of(rnd)
    require(
        actor,
        "change",
        decider,
        message=_("Chỉ %(unit)s đánh giá lại kết quả này.") % {"unit": decider.name},
    )
    decided_on = decided_on or _today()
    errors = []
    if not old.current:
        errors.append(_("Kết quả này đã được đánh giá lại."))
    if level not in Level.values:
        errors.append(_("Mức xếp loại không hợp lệ."))
    if not reason.strip():
        errors.append(_("Hãy ghi lý do đánh giá lại."))
    if len(decision_no.strip()) > DECISION_NO_MAX:
        errors.append(_("Số quyết định dài quá %(n)d ký tự.") % {"n": DECISION_NO_MAX})
    if decided_on > _today() or decided_on < old.decided_on:
        errors.append(_("Ngày đánh giá lại phải từ ngày quyết định cũ đến hôm nay."))
    if errors:
        _fail(errors)
    pack = packs.get(rnd.pack)
    rules = pack.rules(rnd.unit, rnd.year)
    prop = Assessment.objects.filter(round=rnd, member=old.member, step=Step.PROPOSAL).first()
    facts = F.member_facts(rnd, old.member)
    groups = group_points(_criteria(rnd, None), prop.scores) if prop else {}
    res = engine.rate_member(
        F.with_choice(facts, level, prop.points if prop else None, groups), rules
    )
    if res.not_rated:
        _fail(_("Theo quy định, đảng viên này không xếp loại năm %(y)s.") % {"y": rnd.year})
    res.lines.append(
        engine.Line(
            "revision",
            _("Đánh giá lại (trước: %(old)s): %(reason)s")
            % {"old": SHORT.get(old.level, old.get_not_rated_display()), "reason": reason.strip()},
        )
    )
    others = Rating.objects.filter(round=rnd, current=True).exclude(pk=old.pk)
    levels = [lv for lv in others.values_list("level", flat=True) if lv] + [res.level]
    q, exc = _quota_or_refuse(rnd, rules, levels)
    old.current = False
    old.save(update_fields=["current"])
    code, text = _label(pack, res.level)
    new = Rating.objects.create(
        year=old.year,
        pack=old.pack,
        member=old.member,
        unit=old.unit,
        person_kind=old.person_kind,
        label_code=code,
        label=text,
        level=res.level,
        points=res.points,
        proposed_level=old.proposed_level,
        explanation=_explanation(res, q, exc if res.level == Level.EXCELLENT else None),
        decided_on=decided_on,
        decision_no=decision_no.strip(),
        decided_by=decider,
        issuer=decider.name,
        source=Source.REVISION,
        round=rnd,
        exception=exc if res.level == Level.EXCELLENT else None,
        supersedes=old,
        reason=reason.strip(),
        current=True,
    )
    Complaint.objects.filter(rating=old, closed_on__isnull=True).update(
        resolved_by=new, closed_on=decided_on
    )
    audit(
        actor=actor,
        action="reviews.rerate",
        obj=new,
        unit=old.unit,
        before={"rating": old.pk, "level": old.level},
        after={"level": new.level, "reason": new.reason},
    )
    return new


# --- the explanation ---------------------------------------------------------------------------


def may_read_details(viewer, rating: Rating) -> bool:
    """The cited fact (a discipline's form and reason, a health reason) follows the sensitive
    field rule: the member themself, or a reader with "sensitive" where they reach them."""
    if rating.member_id is None:
        return True
    return bool(viewer) and may_see_sensitive(viewer, rating.member)


def explain(rating: Rating, viewer) -> list[str]:
    """The rating's stored explanation in Vietnamese, as `viewer` may read it: the result and
    its version, the points by group, the band, every cap with the fact behind it (details
    only for readers of sensitive data and the member), the quota, the decision."""
    data = rating.explanation or {}
    details = may_read_details(viewer, rating)
    if rating.level:
        head = _("Kết quả: %(level)s") % {"level": SHORT.get(rating.level, rating.label)}
    elif rating.not_rated:
        head = _("Không xếp loại: %(why)s") % {"why": rating.get_not_rated_display()}
    else:
        head = _("Kết quả: %(label)s") % {"label": rating.label}
    out = [f"{head} ({data.get('citation', '')})." if data.get("citation") else head + "."]
    groups = data.get("groups") or {}
    if groups:
        out.append(
            _("Điểm theo nhóm tiêu chí: %(g)s.")
            % {"g": "; ".join(f"nhóm {k}: {engine._num(v)}" for k, v in groups.items())}
        )
    for line in data.get("lines", []):
        text = line.get("text", "")
        if line.get("detail") and details:
            text = f"{text.rstrip('.')} — {line['detail']}."
        out.append(text)
    if data.get("quota") and rating.level:
        out.append(data["quota"])
    exc = data.get("quota_exception")
    if exc:
        out.append(
            _("Vượt giới hạn HTXSNV theo văn bản số %(no)s ngày %(d)s của %(issuer)s.")
            % {
                "no": exc["decision_no"],
                "d": dt.date.fromisoformat(exc["decided_on"]).strftime("%d/%m/%Y"),
                "issuer": exc["issuer"],
            }
        )
    if rating.decision_no or rating.issuer:
        out.append(
            _("Quyết định số %(no)s ngày %(d)s của %(by)s.")
            % {
                "no": rating.decision_no or _("(không ghi số)"),
                "d": rating.decided_on.strftime("%d/%m/%Y"),
                "by": rating.issuer,
            }
        )
    return out
