from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from chibo.core import params
from chibo.core.scope import FAR, is_system_admin, roots
from chibo.core.text import search_key
from chibo.org.choices import CELL_KINDS, GRASSROOTS_KINDS, UnitKind
from chibo.org.models import Unit, UnitAncestry, in_force

from . import rules
from .aggregates import on as counts
from .choices import KINH
from .lifecycle import ENDING, EventKind
from .models import AdmissionDecision, Departure, Member, MemberEvent, Placement, Transfer


def members_on(on: dt.date):
    """Home placements in force on `on` of people who were members that day: a death, a
    strike-off, an expulsion or a resignation ends the membership until a restoration (the
    latest of those events up to `on`, corrected ones left out, decides)."""
    last = (
        MemberEvent.objects.filter(
            member_id=OuterRef("member_id"),
            kind__in=[*ENDING, EventKind.RESTORATION],
            effective_date__lte=on,
            corrected_by__isnull=True,
        )
        .order_by("-effective_date", "-id")
        .values("kind")[:1]
    )
    return (
        Placement.objects.filter(in_force(on), kind=Placement.Kind.HOME)
        .annotate(last_status=Subquery(last))
        .filter(Q(last_status__isnull=True) | ~Q(last_status__in=list(ENDING)))
    )


def counts_on(unit: Unit, on: dt.date) -> dict[str, int]:
    """Members (home placements) in `unit` directly and in its subtree of `on`, official,
    women and exempt by their state that day: the sum of the dated count rows up to `on`
    (aggregates.on)."""

    return counts(unit, on)


def keyset_page(qs, after: tuple[str, int] | None, size: int = 50) -> list:
    """One page of members in Vietnamese order, after the cursor (sort_key, id) of the last row
    of the previous page: O(page) at any depth, the same on SQLite and PostgreSQL because the
    stored key is compared byte by byte."""
    qs = qs.order_by("sort_key", "id")
    if after is not None:
        key, pk = after
        # The ">=" bound lets both databases seek the (…, sort_key, id) index; the OR alone
        # makes SQLite scan from the start.
        qs = qs.filter(sort_key__gte=key).filter(Q(sort_key__gt=key) | Q(id__gt=pk))
    return list(qs[:size])


# What a list row shows: loading only these keeps a page of 50 cheap.
LIST_FIELDS = (
    "id",
    "family_name",
    "middle_name",
    "given_name",
    "gender",
    "birth_year",
    "ethnicity",
    "admitted_on",
    "recognized_on",
    "stage",
    "activity",
    "ended",
    "sort_key",
    "home_unit",
)


def for_list(qs):
    """The page's rows, and their cells' names in a second query of at most 50 ids: a join
    in the page query would make PostgreSQL join every hit of a broad search before sorting."""
    from django.db.models import Prefetch

    return qs.only(*LIST_FIELDS).prefetch_related(
        Prefetch("home_unit", queryset=Unit.objects.only("id", "name"))
    )


@dataclass(frozen=True)
class Due:
    member_id: int
    name: str
    unit: str
    probation_end: dt.date
    deadline: dt.date
    status: str  # upcoming | due | overdue

    @property
    def label(self) -> str:
        return {
            "upcoming": _("sắp hết dự bị"),
            "due": _("đến hạn xét công nhận"),
            "overdue": _("quá hạn xét công nhận"),
        }[self.status]


def recognitions_due(unit: Unit, on: dt.date, within_days: int = 60) -> list[Due]:
    """Probationary members under `unit` whose 12 months end within `within_days` of `on`, or
    have ended: the cell must consider them within 30 working days after (rules.py)."""

    out = []
    members = Member.objects.filter(
        home_unit__path__startswith=unit.path, stage="probationary", ended=""
    ).select_related("home_unit")
    for m in members:
        end = rules.probation_end(m.admitted_on)
        if end > on + dt.timedelta(days=within_days):
            continue
        deadline = rules.recognition_deadline(m.admitted_on)
        status = "upcoming" if on < end else ("due" if on <= deadline else "overdue")
        out.append(Due(m.pk, m.full_name, m.home_unit.name, end, deadline, status))
    return sorted(out, key=lambda d: d.deadline)


# --- The member list ----------------------------------------------------------------------------


def under(unit: Unit):
    """Members whose home cell lies in `unit`'s current subtree, through the denormalized
    column when the unit is a province, commune or grassroots organization (one index range)."""

    if unit.kind == UnitKind.PROVINCE:
        return Member.objects.filter(province=unit)
    if unit.kind == UnitKind.COMMUNE:
        return Member.objects.filter(commune=unit)
    if unit.kind in GRASSROOTS_KINDS:
        return Member.objects.filter(grassroots=unit)
    return Member.objects.filter(home_unit__path__startswith=unit.path)


def former_of(unit: Unit):
    """Members who had a home placement in `unit`'s subtree and are no longer on its roll
    (transferred out, or membership ended): the sending unit keeps seeing them."""

    # A home placement whose cell lay in the subtree (of those days) during the placement —
    # while the person was still a member: one whose membership had ended for good before
    # their cell came under the unit (a death, a strike-off never restored) was never its.
    ended_before = Departure.objects.filter(
        member_id=OuterRef(OuterRef("member_id")),
        member__ended__gt="",
        reason__in=list(ENDING),
        left_on__lte=OuterRef("valid_from"),
    )
    lay_under = (
        UnitAncestry.objects.filter(
            ancestor=unit,
            unit_id=OuterRef("unit_id"),
            valid_from__lt=Coalesce(OuterRef("valid_to"), Value(FAR)),
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=OuterRef("valid_from")))
        .exclude(Exists(ended_before))
    )
    had = Placement.objects.filter(Exists(lay_under), kind=Placement.Kind.HOME).values("member_id")
    current = under(unit).filter(ended="").values("id")
    return Member.objects.filter(id__in=had).exclude(id__in=current)


def name_matches(q: str) -> Q:
    """Accent- and case-free prefix match on the full name ("nguyen van b…") or on the name
    given-name first ("binh…", "binh nguyen"): a range on each stored key, so an index range
    scan on PostgreSQL and SQLite alike (SQLite's LIKE is case-insensitive and cannot use the
    binary index)."""

    key = search_key(q)
    if not key:
        return Q()
    top = key + "\uffff"
    return Q(search_key__gte=key, search_key__lt=top) | Q(given_key__gte=key, given_key__lt=top)


def activity_is(activity: str, today: dt.date) -> Q:
    """The stored activity as it reads today: a term that has ended means active again."""
    over = Q(activity_until__isnull=False, activity_until__lte=today)
    if activity == "active":
        return Q(activity="active") | over
    return Q(activity=activity) & ~over


def filtered(unit: Unit, f: dict, today: dt.date):
    """The list's query for a filter dict (FilterForm.cleaned_data)."""

    if f.get("status") == "former":
        # Former members are shown and filtered as they were on leaving, over their copies
        # (departures.former_shown); nothing here may read what the next unit recorded since.
        return former_of(unit)
    else:
        qs = under(unit).filter(ended="")
    for name, field in (("stage", "stage"), ("gender", "gender")):
        if f.get(name):
            qs = qs.filter(**{field: f[name]})
    if f.get("activity"):
        qs = qs.filter(activity_is(f["activity"], today))
    if f.get("age"):
        low, high = (int(x) for x in f["age"].split("-"))
        qs = qs.filter(birth_year__lte=today.year - low, birth_year__gte=today.year - high)
    band = f.get("education")
    if band:
        bounds = {
            "literate": (0, 0, 0, 0),
            "primary": (1, 5, 1, 4),
            "lower": (6, 9, 5, 7),
            "upper": (10, 12, 8, 10),
        }[band]
        qs = qs.filter(
            Q(education_system=12, education_grade__gte=bounds[0], education_grade__lte=bounds[1])
            | Q(education_system=10, education_grade__gte=bounds[2], education_grade__lte=bounds[3])
        )
    if f.get("theory"):
        qs = qs.filter(theory_level="" if f["theory"] == "none" else f["theory"])
    eth = f.get("ethnicity")
    if eth == "minority":
        qs = qs.exclude(ethnicity__in=["", KINH])
    elif eth:
        qs = qs.filter(ethnicity=eth)
    rel = f.get("religion")
    if rel == "any":
        qs = qs.exclude(religion__in=["", "none"])
    elif rel:
        qs = qs.filter(religion=rel)
    if f.get("q"):
        qs = qs.filter(name_matches(f["q"]))
    return qs


# --- Deadlines and alerts -----------------------------------------------------------------------


@dataclass(frozen=True)
class Alert:
    kind: str  # recognition | ceremony | arrival | outgoing | temporary | badge | small_cell
    date: dt.date | None
    status: str  # upcoming | due | overdue
    text: str
    member_id: int | None = None
    transfer_id: int | None = None
    unit_id: int | None = None
    decision_id: int | None = None


def deadlines(unit: Unit, on: dt.date, within_days: int = 60) -> list[Alert]:
    """What needs doing under `unit` around `on`: recognitions, transfers awaiting arrival
    (incoming and outgoing), temporary attachments ending, badge milestones, cells under the
    minimum of official members."""

    horizon = on + dt.timedelta(days=within_days)
    out: list[Alert] = []

    def status(due: dt.date, start: dt.date | None = None) -> str:
        if on > due:
            return "overdue"
        return "due" if start is None or on >= start else "upcoming"

    for d in recognitions_due(unit, on, within_days):
        # Probation never ends by itself: past 12 months without a decision the member stays
        # probationary, and the cell is told it is late.
        text = (
            _("%(n)s (%(u)s): hết dự bị %(e)s, xét công nhận chậm nhất %(d)s")
            if on < d.probation_end
            else _(
                "%(n)s (%(u)s): quá hạn xét công nhận — hết 12 tháng dự bị từ %(e)s, vẫn là "
                "đảng viên dự bị đến khi có quyết định; xét chậm nhất %(d)s"
            )
        )
        out.append(
            Alert(
                "recognition",
                d.deadline,
                d.status,
                text
                % {
                    "n": d.name,
                    "u": d.unit,
                    "e": f"{d.probation_end:%d/%m/%Y}",
                    "d": f"{d.deadline:%d/%m/%Y}",
                },
                member_id=d.member_id,
            )
        )

    for d in AdmissionDecision.objects.filter(
        member__isnull=True, unit__path__startswith=unit.path
    ).select_related("unit"):
        out.append(
            Alert(
                "ceremony",
                d.ceremony_deadline,
                status(d.ceremony_deadline),
                _(
                    "%(n)s (%(u)s): quyết định %(q)s nhận ngày %(r)s, tổ chức lễ kết nạp "
                    "chậm nhất %(d)s"
                )
                % {
                    "n": d.full_name,
                    "u": d.unit.name,
                    "q": d.decision_no,
                    "r": f"{d.decision_received_on:%d/%m/%Y}",
                    "d": f"{d.ceremony_deadline:%d/%m/%Y}",
                },
                decision_id=d.pk,
            )
        )
    incoming = Transfer.objects.filter(
        kind=Transfer.Kind.OFFICIAL, arrived_on__isnull=True, to_unit__path__startswith=unit.path
    ).select_related("member", "from_unit", "to_unit")
    for t in incoming:
        out.append(
            Alert(
                "arrival",
                t.report_deadline,
                status(t.report_deadline),
                _(
                    "%(n)s chuyển đến %(u)s từ %(f)s (đi ngày %(d)s): chờ trình giấy giới "
                    "thiệu, hạn %(h)s"
                )
                % {
                    "n": t.member.full_name,
                    "u": t.to_unit.name,
                    "f": t.from_unit.name,
                    "d": f"{t.departed_on:%d/%m/%Y}",
                    "h": f"{t.report_deadline:%d/%m/%Y}",
                },
                transfer_id=t.pk,
            )
        )
    outgoing = (
        Transfer.objects.filter(
            kind=Transfer.Kind.OFFICIAL,
            arrived_on__isnull=True,
            to_unit__isnull=False,
            from_unit__path__startswith=unit.path,
        )
        .exclude(to_unit__path__startswith=unit.path)
        .select_related("member", "to_unit")
    )
    for t in outgoing:
        out.append(
            Alert(
                "outgoing",
                t.report_deadline,
                status(t.report_deadline),
                _("%(n)s chuyển đi %(u)s ngày %(d)s: nơi đến chưa xác nhận, hạn %(h)s")
                % {
                    "n": t.member.full_name,
                    "u": t.to_unit.name,
                    "d": f"{t.departed_on:%d/%m/%Y}",
                    "h": f"{t.report_deadline:%d/%m/%Y}",
                },
                member_id=t.member_id,
            )
        )
    temporary = Transfer.objects.filter(
        kind=Transfer.Kind.TEMPORARY,
        ended_on__isnull=True,
        expected_return__lte=horizon,
        from_unit__path__startswith=unit.path,
    ).select_related("member")
    for t in temporary:
        out.append(
            Alert(
                "temporary",
                t.expected_return,
                status(t.expected_return, t.expected_return - dt.timedelta(days=15)),
                _("%(n)s sinh hoạt tạm thời tại %(u)s, dự kiến trở về %(d)s")
                % {
                    "n": t.member.full_name,
                    "u": t.destination,
                    "d": f"{t.expected_return:%d/%m/%Y}",
                },
                member_id=t.member_id,
            )
        )
    # Badges: candidates by the admission date (party age without interruptions is an upper
    # bound), then the exact party age from the events.
    milestones = params.get("badge_milestones_years", on)
    latest_admission = rules.add_months(on, -min(milestones) * 12 + within_days // 28 + 1)
    candidates = (
        under(unit)
        .filter(ended="", stage="official", admitted_on__lte=latest_admission)
        .prefetch_related("events")
    )
    for m in candidates:
        events = list(m.events.all())
        awarded = {e.data.get("years") for e in events if e.kind == EventKind.BADGE}
        months = rules.party_age_months(events, on)
        nxt = rules.next_badge(months, on, awarded)
        reached = [y for y in milestones if y * 12 <= months]
        if reached and reached[-1] not in awarded:  # earlier milestones are superseded
            y = reached[-1]
            when = rules.add_months(on, y * 12 - months)
            out.append(
                Alert(
                    "badge",
                    when,
                    "due",
                    _("%(n)s đủ %(y)d năm tuổi đảng từ %(d)s, chưa được tặng Huy hiệu")
                    % {"n": m.full_name, "y": y, "d": f"{when:%d/%m/%Y}"},
                    member_id=m.pk,
                )
            )
        elif nxt is not None and nxt[1] <= horizon:
            out.append(
                Alert(
                    "badge",
                    nxt[1],
                    "upcoming",
                    _("%(n)s đủ %(y)d năm tuổi đảng ngày %(d)s")
                    % {"n": m.full_name, "y": nxt[0], "d": f"{nxt[1]:%d/%m/%Y}"},
                    member_id=m.pk,
                )
            )
    # Cells under the minimum of official members.
    minimum = params.get("cell_min_official_members", on)
    cells = Unit.objects.filter(
        path__startswith=unit.path, kind__in=CELL_KINDS, valid_to__isnull=True
    )
    official = dict(
        under(unit)
        .filter(ended="", stage="official")
        .values_list("home_unit_id")
        .annotate(n=Count("id"))
    )
    for cell in cells:
        n = official.get(cell.pk, 0)
        if n < minimum:
            out.append(
                Alert(
                    "small_cell",
                    None,
                    "due",
                    _("%(c)s chỉ có %(n)d đảng viên chính thức (cần ít nhất %(m)d)")
                    % {"c": cell.name, "n": n, "m": minimum},
                    unit_id=cell.pk,
                )
            )
    order = {"overdue": 0, "due": 1, "upcoming": 2}
    return sorted(out, key=lambda a: (order[a.status], a.date or dt.date.max, a.text))


def default_unit(user) -> Unit:
    """The reader's first grant unit (the national root for a system administrator); 404 when
    they have none."""
    if is_system_admin(user):
        unit = Unit.objects.filter(depth=1).order_by("path").first()
    else:
        unit = Unit.objects.filter(pk__in=roots(user, "view")).order_by("depth", "path").first()
    if unit is None:
        raise Http404
    return unit
