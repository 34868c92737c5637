"""Pages of the review: rounds (the round's page: its roll, proposals and explained results)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chibo.core.scope import allowed
from chibo.org.models import Unit

from .. import engine, packs
from ..choices import SHORT, Level, RoundStatus, Step
from ..models import Assessment, Duty, Rating, Round
from ..services import facts as F
from ..services import rounds


@login_required
def round_detail(request, pk: int):
    """The round of a cell: who is rated, the cell's proposal, the decided result with its
    explanation (cited details only for readers of sensitive data)."""
    rnd = get_object_or_404(Round.objects.restrict(request.user).select_related("unit"), pk=pk)
    proposals = {
        a.member_id: a
        for a in Assessment.objects.filter(round=rnd, step=Step.PROPOSAL, member__isnull=False)
    }
    ratings = {
        r.member_id: r
        for r in Rating.objects.filter(round=rnd, current=True).select_related("member")
    }
    rated, apart = [], []
    for m in F.roll(rnd):
        r = ratings.get(m.pk)
        p = proposals.get(m.pk)
        row = {
            "member": m,
            "proposed": SHORT.get(p.level, "") if p else "",
            "votes": f"{p.votes_for}/{p.votes_base}" if p and p.votes_base else "",
            "level": SHORT.get(r.level, "") if r else "",
            "lines": rounds.explain(r, request.user) if r else [],
            "rating": r,
        }
        (apart if r is not None and r.not_rated else rated).append(row)
    decider: Unit = rounds.decider_of(rnd)
    return render(
        request,
        "reviews/round.html",
        {
            "round": rnd,
            "pack": packs.get(rnd.pack),
            "decider": decider,
            "rated": rated,
            "apart": apart,
            "may_rerate": rnd.status == RoundStatus.DECIDED
            and allowed(request.user, "change", decider),
            "may_propose": rnd.status != RoundStatus.DECIDED
            and allowed(request.user, "members", rnd.unit),
            "may_decide": rnd.status != RoundStatus.DECIDED
            and allowed(request.user, "change", decider),
        },
    )


def _preview(rnd: Round, chosen: dict[int, str]) -> tuple[list[dict], engine.Quota]:
    """Each member the round must rate with the engine's result for the level chosen (caps
    applied, public words only) and the quota those results give."""
    pack = packs.get(rnd.pack)
    rules = pack.rules(rnd.unit, rnd.year)
    proposals = {
        a.member_id: a
        for a in Assessment.objects.filter(round=rnd, step=Step.PROPOSAL, member__isnull=False)
    }
    rows, levels = [], []
    for row in F.round_facts(rnd):
        p = proposals.get(row.member.pk)
        level = chosen.get(row.member.pk, p.level if p else "")
        res = engine.rate_member(F.with_choice(row.facts, level, p.points if p else None), rules)
        if res.level:
            levels.append(res.level)
        rows.append(
            {
                "member": row.member,
                "proposed": SHORT.get(p.level, "") if p else "",
                "chosen": level,
                "not_rated": res.not_rated,
                "result": SHORT.get(res.level, ""),
                "lines": [ln.text for ln in res.lines if ln.lowered_to or res.not_rated],
            }
        )
    extra = sum(e.extra for e in rounds.exceptions(rnd))
    return rows, engine.quota(levels, rules, extra=extra)


@login_required
def decide(request, pk: int):
    """The competent committee's decision on the round: a level per member (the cell's
    proposal first), the caps and the quota those levels give shown before it is confirmed;
    the decision locks the result."""
    rnd = get_object_or_404(Round.objects.restrict(request.user).select_related("unit"), pk=pk)
    decider = rounds.decider_of(rnd)
    if not allowed(request.user, "change", decider):
        raise PermissionDenied(_("Chỉ %(unit)s quyết định xếp loại.") % {"unit": decider.name})
    chosen: dict[int, str] = {}
    errors: list[str] = []
    form = {"decision_no": "", "decided_on": timezone.localdate().isoformat()}
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip() for k in form}
        for key, value in request.POST.items():
            if key.startswith("level_") and key[6:].isdigit() and value:
                chosen[int(key[6:])] = value
        try:
            on = dt.date.fromisoformat(form["decided_on"])
        except ValueError:
            errors.append(_("Ngày quyết định không hợp lệ."))
        if not request.POST.get("confirm"):
            errors.append(_("Hãy xác nhận: quyết định sẽ khóa kết quả xếp loại."))
        if not errors:
            try:
                rounds.decide(
                    actor=request.user,
                    round=rnd,
                    decisions=chosen,
                    decision_no=form["decision_no"],
                    decided_on=on,
                )
            except ValidationError as e:
                errors.extend(e.messages)
            else:
                messages.success(request, _("Đã quyết định xếp loại đảng viên."))
                return redirect("reviews:round", rnd.pk)
    rows, quota = _preview(rnd, chosen)
    return render(
        request,
        "reviews/decide.html",
        {
            "round": rnd,
            "decider": decider,
            "rows": rows,
            "quota": quota.text(),
            "quota_broken": quota.broken,
            "levels": [(v, SHORT[v]) for v in Level.values],
            "form": form,
            "errors": errors,
            "locked": rnd.status == RoundStatus.DECIDED,
        },
        status=400 if errors else 200,
    )


@login_required
@require_POST
def quota_exception_view(request, pk: int):
    """Record the competent level's written exception to the HTXS quota (POST, by those who
    decide the round), then back to the decision page."""
    rnd = get_object_or_404(Round.objects.restrict(request.user).select_related("unit"), pk=pk)
    decider = rounds.decider_of(rnd)
    if not allowed(request.user, "change", decider):
        raise PermissionDenied(_("Chỉ %(unit)s quyết định xếp loại.") % {"unit": decider.name})
    p = request.POST
    raw_extra, raw_day = p.get("extra", "").strip(), p.get("exception_on", "").strip()
    try:
        day = dt.date.fromisoformat(raw_day)
    except ValueError:
        messages.error(request, _("Ngày văn bản không hợp lệ."))
        return redirect("reviews:round_decide", rnd.pk)
    try:
        rounds.record_quota_exception(
            actor=request.user,
            round=rnd,
            extra=int(raw_extra) if raw_extra.isdigit() else 0,
            decision_no=p.get("exception_no", "")[:80],
            decided_on=day,
            issuer=p.get("issuer", "")[:255],
            reason=p.get("reason", "")[:500],
        )
    except ValidationError as e:
        for m in e.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("Đã ghi văn bản cho phép vượt tỷ lệ hoàn thành xuất sắc."))
    return redirect("reviews:round_decide", rnd.pk)


@login_required
@require_POST
def open_view(request, unit_pk: int):
    """Open the cell's round for a year (POST, "members" on the cell)."""
    unit = get_object_or_404(Unit.objects.restrict(request.user), pk=unit_pk)
    raw = request.POST.get("year", "")
    try:
        rnd = rounds.open_round(
            actor=request.user, unit=unit, year=int(raw) if raw.isdigit() else 0
        )
    except ValidationError as e:
        existing = Round.objects.filter(unit=unit, year=int(raw)).first() if raw.isdigit() else None
        for m in e.messages:
            messages.error(request, m)
        if existing is not None:
            return redirect("reviews:round", existing.pk)
        return redirect("org:unit", unit.pk)
    messages.success(request, _("Đã mở đợt đánh giá năm %(y)s.") % {"y": rnd.year})
    return redirect("reviews:round", rnd.pk)


@login_required
def propose_view(request, pk: int, member_pk: int):
    """The cell's proposal for one member after the review meeting."""
    rnd = get_object_or_404(Round.objects.restrict(request.user).select_related("unit"), pk=pk)
    member = next((m for m in F.roll(rnd) if m.pk == member_pk), None)
    if member is None:
        raise Http404
    if not allowed(request.user, "members", rnd.unit):
        raise PermissionDenied(_("Bạn không có quyền đề xuất ở chi bộ này."))
    current = Assessment.objects.filter(round=rnd, member=member, step=Step.PROPOSAL).first()
    form = {
        "level": current.level if current else "",
        "votes_for": str(current.votes_for or "") if current else "",
        "votes_base": str(current.votes_base or "") if current else "",
        "comment": current.comment if current else "",
    }
    errors: list[str] = []
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip() for k in form}
        try:
            rounds.propose(
                actor=request.user,
                round=rnd,
                member=member,
                level=form["level"],
                votes_for=int(form["votes_for"]) if form["votes_for"].isdigit() else -1,
                votes_base=int(form["votes_base"]) if form["votes_base"].isdigit() else 0,
                comment=form["comment"],
            )
        except ValidationError as e:
            errors = e.messages
        else:
            messages.success(request, _("Đã ghi đề xuất của chi bộ."))
            return redirect("reviews:round", rnd.pk)
    facts = F.member_facts(rnd, member)
    return render(
        request,
        "reviews/propose.html",
        {
            "round": rnd,
            "member": member,
            "form": form,
            "errors": errors,
            "levels": [(v, SHORT[v]) for v in Level.values],
            "facts": facts,
            "locked": rnd.status == RoundStatus.DECIDED,
        },
        status=400 if errors else 200,
    )


@login_required
def self_view(request, pk: int):
    """The member's own self-assessment (phone-sized): a score per criterion of the version's
    framework, the level they rate themself at, their duties of the year with outcomes."""
    rnd = get_object_or_404(Round.objects.select_related("unit"), pk=pk)
    member = next((m for m in F.roll(rnd) if m.user_id == request.user.pk), None)
    if member is None:
        raise Http404
    groups = packs.get(rnd.pack).framework.get(packs.MEMBER, ())
    mine = Rating.objects.filter(round=rnd, member=member, current=True).first()
    current = Assessment.objects.filter(round=rnd, member=member, step=Step.SELF).first()
    scores = dict(current.scores) if current else {}
    level = current.level if current else ""
    comment = current.comment if current else ""
    errors: list[str] = []
    if request.method == "POST":
        scores = {
            c["code"]: request.POST.get(f"score_{c['code']}", "").strip()
            for g in groups
            for c in g.get("criteria", [])
        }
        scores = {k: v.replace(",", ".") for k, v in scores.items() if v}
        level, comment = request.POST.get("level", ""), request.POST.get("comment", "")
        try:
            rounds.self_assess(
                actor=request.user,
                round=rnd,
                member=member,
                scores=scores,
                level=level,
                comment=comment,
            )
        except ValidationError as e:
            errors = e.messages
        else:
            messages.success(request, _("Đã ghi bản tự đánh giá."))
            return redirect("reviews:round_self", rnd.pk)
    criteria = [
        {
            "name": g["name"],
            "max_points": g["max_points"],
            "items": [{**c, "value": scores.get(c["code"], "")} for c in g.get("criteria", [])],
        }
        for g in groups
    ]
    return render(
        request,
        "reviews/self.html",
        {
            "round": rnd,
            "member": member,
            "criteria": criteria,
            "level": level,
            "comment": comment,
            "errors": errors,
            "levels": [(v, SHORT[v]) for v in Level.values],
            "duties": Duty.objects.filter(member=member, year=rnd.year),
            "result": rounds.explain(mine, request.user) if mine else [],
            "mine": mine,
            "facts": F.member_facts(rnd, member),
            "locked": rnd.status == RoundStatus.DECIDED,
        },
        status=400 if errors else 200,
    )


def _date(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


@login_required
def rerate_view(request, pk: int):
    """The competent level's re-rating of a decided result (after a complaint or on its own):
    the original is kept; the new level runs through the caps and the quota."""
    rating = get_object_or_404(
        Rating.objects.restrict(request.user).select_related("member", "round", "decided_by"),
        pk=pk,
        round__isnull=False,
        member__isnull=False,
    )
    decider = rating.decided_by or rounds.decider_of(rating.round)
    if not allowed(request.user, "change", decider):
        raise PermissionDenied(_("Chỉ %(unit)s đánh giá lại kết quả này.") % {"unit": decider.name})
    form = {
        "level": rating.level,
        "reason": "",
        "decision_no": "",
        "decided_on": timezone.localdate().isoformat(),
    }
    errors: list[str] = []
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip() for k in form}
        on = _date(form["decided_on"])
        if on is None:
            errors.append(_("Ngày đánh giá lại không hợp lệ."))
        if not request.POST.get("confirm"):
            errors.append(_("Hãy xác nhận việc đánh giá lại."))
        if not errors:
            try:
                rounds.rerate(
                    actor=request.user,
                    rating=rating,
                    level=form["level"],
                    reason=form["reason"],
                    decision_no=form["decision_no"],
                    decided_on=on,
                )
            except ValidationError as e:
                errors.extend(e.messages)
            else:
                messages.success(request, _("Đã ghi kết quả đánh giá lại."))
                return redirect("reviews:round", rating.round_id)
    return render(
        request,
        "reviews/rerate.html",
        {
            "rating": rating,
            "lines": rounds.explain(rating, request.user),
            "complaints": rating.complaints.order_by("filed_on", "id"),
            "form": form,
            "errors": errors,
            "levels": [(v, SHORT[v]) for v in Level.values],
        },
        status=400 if errors else 200,
    )


@login_required
@require_POST
def complain_view(request, pk: int):
    """A complaint against a decided result: the member's own (from their page) or their
    cell's."""
    rating = get_object_or_404(
        Rating.objects.restrict(request.user).select_related("member"), pk=pk
    )
    try:
        rounds.complain(actor=request.user, rating=rating, text=request.POST.get("text", ""))
    except ValidationError as e:
        for m in e.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("Đã gửi khiếu nại."))
    if rating.member and rating.member.user_id == request.user.pk and rating.round_id:
        return redirect("reviews:round_self", rating.round_id)
    if rating.round_id:
        return redirect("reviews:round", rating.round_id)
    return redirect("org:unit", rating.unit_id)


urls = [
    path("ratings/<int:pk>/rerate/", rerate_view, name="rating_rerate"),
    path("ratings/<int:pk>/complain/", complain_view, name="rating_complain"),
    path("rounds/<int:pk>/self/", self_view, name="round_self"),
    path("units/<int:unit_pk>/rounds/open/", open_view, name="round_open"),
    path("rounds/<int:pk>/members/<int:member_pk>/propose/", propose_view, name="round_propose"),
    path("rounds/<int:pk>/", round_detail, name="round"),
    path("rounds/<int:pk>/decide/", decide, name="round_decide"),
    path("rounds/<int:pk>/quota-exception/", quota_exception_view, name="round_quota_exception"),
]
