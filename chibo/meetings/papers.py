"""The meeting's minutes and resolution (issue 4, point 6): drafted from what was recorded,
edited in the browser, issued with the next number of their type in the committee's term and
locked; corrections are addenda. Rendered through chibo.core.documents in the HD 36 layout."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.audit.services import record
from chibo.core.documents import Doc, Signature, committee_name, date_line, place_name
from chibo.members.models import Seat
from chibo.members.seats import seats_on
from chibo.org.choices import CELL_KINDS
from chibo.org.models import Term, Unit
from chibo.org.selectors import ancestors_on

from . import agenda, decisions, holding
from .models import Attendance, Meeting, Paper, VoteKind
from .preparation import require_editor

TYPE_CODE = {Paper.Kind.MINUTES: "BB", Paper.Kind.RESOLUTION: "NQ"}
TITLE = {Paper.Kind.MINUTES: "BIÊN BẢN", Paper.Kind.RESOLUTION: "NGHỊ QUYẾT"}


def is_cell(unit: Unit) -> bool:
    return unit.kind in CELL_KINDS


def issuer_code(unit: Unit) -> str:
    return "CB" if is_cell(unit) else "ĐU"


def series_on(unit: Unit, on: dt.date) -> str:
    """The numbering series: the committee term in force (numbers restart with a new term,
    HD 36), else the calendar year when no term is recorded for the unit."""
    term = (
        Term.objects.filter(unit=unit, start__lte=on)
        .filter(Q(end__isnull=True) | Q(end__gt=on))
        .order_by("-start")
        .first()
    )
    return f"term:{term.pk}" if term else f"year:{on.year}"


def number_text(paper: Paper, number: int | None = None) -> str:
    """ "01-NQ/CB": the paper's number, or the given one it would take."""
    number = paper.number if number is None else number
    return f"{number:02d}-{TYPE_CODE[paper.kind]}/{issuer_code(paper.issuer)}"


def number_label(paper: Paper) -> str:
    if paper.issued:
        return f"Số {number_text(paper)}"
    return f"Số      -{TYPE_CODE[paper.kind]}/{issuer_code(paper.issuer)}"


def _hm(t: dt.time | None) -> str:
    return f"{t.hour:02d} giờ {t.minute:02d} phút" if t else "…… giờ …… phút"


def _day(d: dt.date) -> str:
    return f"ngày {d.day:02d} tháng {d.month:02d} năm {d.year}"


def _names(rows) -> str:
    return "; ".join(a.member.full_name for a in rows)


def _attendance_lines(meeting: Meeting) -> list[str]:
    """Section I of the minutes from holding.attendance_count: the cell's own members present
    out of those summoned, absences named with their reasons; members attached here
    temporarily and guests apart."""
    n = holding.attendance_count(meeting)
    total = (
        f"- Tổng số đảng viên của chi bộ: {n.roll} đồng chí (chính thức {n.official}, "
        f"dự bị {n.roll - n.official}); miễn sinh hoạt: {n.exempt} đồng chí"
    )
    if n.away:
        total += f"; sinh hoạt tạm thời nơi khác: {len(n.away)} đồng chí"
    if n.suspended:
        total += f"; đình chỉ sinh hoạt: {len(n.suspended)} đồng chí"
    present = f"{len(n.present)}/{n.of} đồng chí" if n.marked else "chưa điểm danh"
    lines = [total + ".", f"- Có mặt: {present}."]
    if n.absent:
        named = "; ".join(
            f"{a.member.full_name} ("
            + (f"có lý do: {a.reason}" if a.status == Attendance.Status.EXCUSED else "không lý do")
            + ")"
            for a in n.absent
        )
        lines.append(f"- Vắng mặt: {len(n.absent)} đồng chí: {named}.")
    else:
        lines.append("- Vắng mặt: không.")
    if n.unmarked:
        lines.append(f"- Chưa điểm danh: {len(n.unmarked)} đồng chí: {_names(n.unmarked)}.")
    if n.attached:
        lines.append(f"- Dự sinh hoạt tạm thời: {len(n.attached)} đồng chí: {_names(n.attached)}.")
    if n.guests:
        lines.append("- Khách mời: " + "; ".join(n.guests) + ".")
    lines.append(
        f"- Chủ trì: đồng chí {meeting.chair.full_name if meeting.chair else '……'}; "
        f"thư ký: đồng chí {meeting.clerk.full_name if meeting.clerk else '……'}."
    )
    return lines


def _vote_line(v) -> str:
    pct = f"{100 * v.yes / v.base:.1f}".replace(".", ",") if v.base else "0"
    who = f" ({v.subject_name})" if v.subject_name else ""
    result = "thông qua" if v.passed else "không đạt"
    return (
        f"- {v.title}{who}: tán thành {v.yes}/{v.base} đảng viên chính thức được tính "
        f"({pct}%), không tán thành {v.no}; kết quả: {result}."
    )


def minutes_text(meeting: Meeting) -> str:
    d = meeting.held_on or meeting.date
    lines = [
        f"Hôm nay, vào hồi {_hm(meeting.started_at)}, {_day(d)}, tại "
        f"{meeting.place or '……'}, {meeting.unit.name} tiến hành "
        f"{meeting.get_kind_display().lower()}"
        + (f" với chủ đề “{meeting.topic}”" if meeting.topic else "")
        + ".",
        "I. THÀNH PHẦN",
        *_attendance_lines(meeting),
        "II. NỘI DUNG",
        *agenda.numbered(meeting.agenda),
        "III. DIỄN BIẾN",
        *[f"- Đồng chí {s.name}: {' '.join(s.points.split())}" for s in meeting.speeches.all()],
    ]
    if meeting.conclusion:
        lines.append("Chủ trì kết luận: " + " ".join(meeting.conclusion.split()))
    votes = list(meeting.votes.all())
    if votes:
        lines.append("IV. BIỂU QUYẾT")
        lines += [_vote_line(v) for v in votes]
    if meeting.quality:
        lines.append(
            f"Chi bộ tự đánh giá chất lượng buổi sinh hoạt: {meeting.get_quality_display()}."
        )
    lines.append(
        f"Cuộc họp kết thúc vào hồi {_hm(meeting.ended_at)} cùng ngày. Biên bản đã được đọc lại "
        "cho các đồng chí dự họp nghe và nhất trí thông qua."
    )
    return "\n".join(lines)


def resolution_text(meeting: Meeting) -> str:
    """The resolution drafted from the meeting: the drafted decisions (adopted by the first
    ordinary vote that passed), then what every other passed vote decided, the approval line
    and the closing one (decisions.vote_passed writes a later vote into it the same way)."""
    d = meeting.held_on or meeting.date
    passed = list(meeting.votes.filter(passed=True).order_by("id"))
    main = next((v for v in passed if v.kind == VoteKind.ORDINARY), None)
    n = holding.attendance_count(meeting)
    drafted = [ln.strip() for ln in meeting.draft_resolution.splitlines() if ln.strip()]
    lines = [
        "Căn cứ Điều lệ Đảng Cộng sản Việt Nam;",
        f"Căn cứ kết quả {meeting.get_kind_display().lower()} {_day(d)}, "
        f"có {len(n.present)}/{n.of} đồng chí đảng viên dự họp,",
        "CHI BỘ QUYẾT NGHỊ:",
        *drafted,
    ]
    if main is not None:
        lines.append(decisions.approval(main))
    lines.append(
        "Các đồng chí chi ủy viên, đảng viên trong chi bộ có trách nhiệm thực hiện nghị quyết này."
    )
    body = "\n".join(lines)
    for v in passed:
        if not (v is main and drafted):
            body = decisions.add(body, decisions.line(v))
    return body


def _summary(meeting: Meeting, kind: str) -> str:
    d = meeting.held_on or meeting.date
    if kind == Paper.Kind.RESOLUTION and meeting.kind in ("regular", "combined"):
        return f"về nhiệm vụ tháng {d.month}/{d.year}"
    if kind == Paper.Kind.RESOLUTION and meeting.kind == "thematic":
        return f"về chuyên đề “{meeting.topic}”"
    return f"{meeting.get_kind_display().lower()} {_day(d)}"


def _committee(name: str) -> str:
    """ "Đảng bộ xã Quảng Lâm" → "Đảng ủy xã Quảng Lâm" (a đảng bộ acts through its đảng ủy)."""
    return "Đảng ủy" + name[len("Đảng bộ") :] if name.startswith("Đảng bộ") else name


def _recipients(meeting: Meeting, kind: str) -> str:
    if kind == Paper.Kind.MINUTES:
        return ""

    chain = ancestors_on(meeting.unit.pk, meeting.held_on or meeting.date)
    above = _committee(chain[-1].name) if chain else "Cấp ủy cấp trên"
    lines = [f"{above} (để báo cáo)"]
    lines += ["Đảng viên trong chi bộ", "Lưu chi bộ"]
    return "\n".join(lines)


def signers(meeting: Meeting, kind: str) -> list[list[str]]:
    d = meeting.held_on or meeting.date
    if kind == Paper.Kind.MINUTES:
        return [
            ["", "THƯ KÝ", meeting.clerk.full_name if meeting.clerk else ""],
            ["", "CHỦ TRÌ", meeting.chair.full_name if meeting.chair else ""],
        ]
    seats = list(seats_on(meeting.unit, d))
    head = next((s for s in seats if s.role == Seat.Role.SECRETARY), None)
    position = "BÍ THƯ"
    if head is None:
        head = next((s for s in seats if s.role == Seat.Role.DEPUTY_SECRETARY), None)
        position = "PHÓ BÍ THƯ"
    authority = "T/M CHI BỘ" if is_cell(meeting.unit) else "T/M ĐẢNG ỦY"
    return [[authority, position if head else "BÍ THƯ", head.member.full_name if head else ""]]


@transaction.atomic
def draft(*, actor, meeting: Meeting, kind: str) -> Paper:
    """The meeting's draft of `kind`, written from what was recorded; an existing draft or the
    issued paper is returned as it is."""
    require_editor(actor, meeting)
    if kind not in Paper.Kind.values:
        raise ValidationError(_("Loại văn bản không hợp lệ."))
    if meeting.held_on is None:
        raise ValidationError(_("Cuộc họp chưa diễn ra: chưa lập biên bản, nghị quyết được."))
    existing = meeting.papers.filter(kind=kind, corrects__isnull=True).first()
    if existing is not None:
        return existing
    body = minutes_text(meeting) if kind == Paper.Kind.MINUTES else resolution_text(meeting)
    p = Paper.objects.create(
        meeting=meeting,
        kind=kind,
        issuer=meeting.unit,
        summary=_summary(meeting, kind),
        body=body,
        recipients=_recipients(meeting, kind),
    )
    record(
        actor=actor,
        action="meetings.paper_draft",
        obj=meeting,
        unit=meeting.unit,
        after={"kind": kind},
    )
    return p


def _locked(paper: Paper) -> None:
    if paper.issued:
        raise ValidationError(
            _("Văn bản đã ban hành (%(n)s) và đã khóa: hãy lập văn bản bổ sung, đính chính.")
            % {"n": number_label(paper)}
        )


@transaction.atomic
def edit(*, actor, paper: Paper, summary: str, body: str, recipients: str = "") -> Paper:
    require_editor(actor, paper.meeting)
    paper = Paper.objects.select_for_update().get(pk=paper.pk)
    _locked(paper)
    summary = " ".join(summary.split())[:255]
    body = "\n".join(ln.rstrip() for ln in body.strip().splitlines())
    if not summary or not body:
        raise ValidationError(_("Trích yếu và nội dung không được để trống."))
    recipients = "\n".join(r.strip() for r in recipients.splitlines() if r.strip())
    if (summary, body, recipients) == (paper.summary, paper.body, paper.recipients):
        return paper  # nothing typed since: nothing to write
    before = {"summary": paper.summary, "body": paper.body}
    paper.summary, paper.body, paper.recipients = summary, body, recipients
    paper.save(update_fields=["summary", "body", "recipients", "updated_at"])
    record(
        actor=actor,
        action="meetings.paper_edit",
        obj=paper.meeting,
        unit=paper.meeting.unit,
        before=before,
        after={"summary": paper.summary, "body": paper.body},
    )
    return paper


class NumberChanged(ValidationError):
    """The number the user confirmed was taken meanwhile: they are asked again."""

    def __init__(self, message: str, number: int):
        super().__init__(message)
        self.number = number


def check_issue(paper: Paper) -> None:
    """Why `paper` cannot be issued now, as a ValidationError (nothing when it can): issued
    already; minutes without attendance; a resolution without a passed vote or without any
    decision under its "QUYẾT NGHỊ:" heading."""
    _locked(paper)
    meeting = paper.meeting
    if paper.kind == Paper.Kind.MINUTES and not meeting.attendance.exclude(status="").exists():
        raise ValidationError(_("Chưa điểm danh: biên bản chưa ban hành được."))
    if paper.kind == Paper.Kind.RESOLUTION and paper.corrects is None:
        if not meeting.votes.filter(passed=True).exists():
            raise ValidationError(_("Chưa có biểu quyết thông qua: nghị quyết chưa ban hành được."))
        if not decisions.of(paper.body):
            raise ValidationError(
                _(
                    "Phần “CHI BỘ QUYẾT NGHỊ:” chưa có nội dung: hãy ghi những điều chi bộ "
                    "quyết nghị (mỗi dòng một điều) rồi ban hành."
                )
            )


def next_number(paper: Paper) -> tuple[str, int]:
    """(series, number) the paper would take if issued now."""
    meeting = paper.meeting
    on = meeting.held_on or meeting.date
    # An addendum is issued today: it takes today's series (a new term restarts at 01).
    series = series_on(paper.issuer, on if paper.corrects is None else timezone.localdate())
    last = Paper.objects.filter(issuer=paper.issuer, kind=paper.kind, series=series).aggregate(
        n=Max("number")
    )["n"]
    return series, (last or 0) + 1


@transaction.atomic
def issue(*, actor, paper: Paper, expect: int | None = None) -> Paper:
    """Give the paper the next number of its type in the issuer's term and lock it (see
    check_issue for what it needs). With `expect`, the number the user was shown and
    confirmed: if another paper took it meanwhile, NumberChanged and nothing changes."""
    require_editor(actor, paper.meeting)
    paper = Paper.objects.select_for_update().select_related("meeting", "issuer").get(pk=paper.pk)
    check_issue(paper)
    meeting = paper.meeting
    series, number = next_number(paper)
    if expect is not None and number != expect:
        raise NumberChanged(
            _("Số %(old)s vừa được dùng cho văn bản khác: văn bản này sẽ nhận số %(new)s.")
            % {"old": number_text(paper, expect), "new": number_text(paper, number)},
            number,
        )
    on = meeting.held_on or meeting.date
    paper.series, paper.number = series, number
    paper.issued_on = on if paper.corrects is None else timezone.localdate()
    paper.issued_at = timezone.now()
    paper.issued_by = actor if getattr(actor, "is_authenticated", False) else None
    paper.signers = signers(meeting, paper.kind)
    try:
        with transaction.atomic():
            paper.save()
    except IntegrityError as exc:  # another issue took the number meanwhile
        raise ValidationError(_("Số văn bản vừa được dùng; hãy thử lại.")) from exc
    record(
        actor=actor,
        action="meetings.paper_issue",
        obj=meeting,
        unit=meeting.unit,
        after={"kind": paper.kind, "number": number_label(paper)},
    )
    return paper


@transaction.atomic
def addendum(*, actor, paper: Paper) -> Paper:
    """A draft correcting an issued paper; the issued one stays as it was."""
    require_editor(actor, paper.meeting)
    if not paper.issued:
        raise ValidationError(_("Văn bản chưa ban hành: sửa trực tiếp bản dự thảo."))
    open_draft = paper.addenda.filter(number__isnull=True).first()
    if open_draft is not None:
        return open_draft
    a = Paper.objects.create(
        meeting=paper.meeting,
        kind=paper.kind,
        issuer=paper.issuer,
        corrects=paper,
        summary=f"Bổ sung, đính chính {TITLE[paper.kind].lower()} {number_label(paper)}",
        body="",
        recipients=paper.recipients,
    )
    a.body = f"Bổ sung, đính chính {TITLE[paper.kind].lower()} {number_label(paper)} như sau:"
    a.save(update_fields=["body"])
    record(
        actor=actor,
        action="meetings.paper_addendum",
        obj=paper.meeting,
        unit=paper.meeting.unit,
        after={"corrects": number_label(paper)},
    )
    return a


def as_doc(paper: Paper) -> Doc:
    meeting = paper.meeting
    on = paper.issued_on or meeting.held_on or meeting.date
    chain = ancestors_on(paper.issuer.pk, on)
    sig = paper.signers or signers(meeting, paper.kind)
    # A cell dates its papers at its commune's place ("Quảng Lâm, ngày …").
    where = chain[-1].name if chain and is_cell(paper.issuer) else paper.issuer.name
    return Doc(
        superior=chain[-1].name.upper() if chain else "",
        issuer=committee_name(paper.issuer.name, paper.issuer.kind),
        number=number_label(paper),
        place_date=date_line(place_name(where), on),
        doc_type=TITLE[paper.kind],
        summary=paper.summary,
        body=paper.body.splitlines(),
        signatures=[Signature(a, p, n) for a, p, n in sig],
        recipients=paper.recipients.splitlines(),
        draft=not paper.issued,
    )
