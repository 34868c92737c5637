"""The transfer letter (giấy giới thiệu sinh hoạt đảng, GTSHĐ; domain-rules §3.4) in the HD 36
layout: numbered in the issuing committee's register, with the card and biography numbers, the
member's number on the roll, "đã đóng đảng phí hết tháng …", the addressee, the validity (the
30-day report deadline) and the T/M signatory; the receiving side's acknowledgement as a
tear-off part."""

from __future__ import annotations

from django.utils.translation import gettext as _

from chibo.core.documents import Doc, Signature, committee_name, date_line, place_name
from chibo.org.choices import CELL_KINDS
from chibo.org.selectors import ancestors_on

from .departures import shadow
from .lifecycle import state_on
from .models import Departure, Placement, Seat, Transfer
from .seats import seats_on

KIND_TITLE = {
    Transfer.Kind.OFFICIAL: "(chính thức)",
    Transfer.Kind.TEMPORARY: "(tạm thời)",
    Transfer.Kind.ABROAD: "(ra nước ngoài)",
}


def _roll_number(transfer: Transfer) -> str:
    """The member's number (SĐV) in the issuing organization's roll: order of arrival."""
    issuer = transfer.issuer
    ids = list(
        Placement.objects.filter(unit__path__startswith=issuer.path, kind=Placement.Kind.HOME)
        .order_by("valid_from", "id")
        .values_list("member_id", flat=True)
    )
    seen: list[int] = []
    for pk in ids:
        if pk not in seen:
            seen.append(pk)
    return str(seen.index(transfer.member_id) + 1) if transfer.member_id in seen else ""


def _plain(unit) -> str:
    name = unit.name
    if unit.kind not in CELL_KINDS and name.startswith("Đảng bộ"):
        name = "Đảng ủy" + name[len("Đảng bộ") :]
    return name


def letter(transfer: Transfer) -> Doc:
    if transfer.kind == Transfer.Kind.INTERNAL or transfer.letter_no is None:
        raise ValueError("internal transfers have no letter")
    t = transfer
    # The letter carries the record as it was on leaving (the departure's copy), whatever the
    # next unit has written since.

    copy = Departure.objects.filter(transfer=t).first()
    m = shadow(t.member, copy) if copy is not None else t.member
    issuer = t.issuer

    chain = ancestors_on(issuer.pk, t.departed_on)  # the superior body as it was that day
    superior = chain[-1].name.upper() if chain else ""
    code = "CB" if issuer.kind in CELL_KINDS else "ĐU"
    state = state_on(m.events.all(), t.departed_on)
    authority = "T/M CHI BỘ" if code == "CB" else "T/M ĐẢNG ỦY"
    signer = next(
        (s for s in seats_on(issuer, t.departed_on) if s.role == Seat.Role.SECRETARY), None
    )
    stage = _("đảng viên chính thức") if state.stage == "official" else _("đảng viên dự bị")
    facts = [
        ("Họ và tên", m.full_name),
        ("Ngày sinh", f"{m.birth_date:%d/%m/%Y}" if m.birth_date else str(m.birth_year)),
        ("Là", stage),
        ("Vào Đảng ngày", f"{m.admitted_on:%d/%m/%Y}" if m.admitted_on else ""),
        ("Chính thức ngày", f"{m.recognized_on:%d/%m/%Y}" if m.recognized_on else "—"),
        ("Số thẻ đảng viên (TĐV)", m.card_no or "—"),
        ("Số lý lịch (LL)", m.biography_no or "—"),
        ("Số đảng viên trong danh sách (SĐV)", _roll_number(t) or "—"),
        ("Sinh hoạt tại", t.from_unit.name),
        ("Nay chuyển đến sinh hoạt đảng tại", t.destination),
        (
            "Đã đóng đảng phí hết tháng",
            f"{t.fee_paid_until:%m/%Y}" if t.fee_paid_until else "……/……",
        ),
    ]
    if t.kind == Transfer.Kind.TEMPORARY and t.expected_return:
        facts.append(("Thời gian sinh hoạt tạm thời đến ngày", f"{t.expected_return:%d/%m/%Y}"))
    closing = [
        "Đề nghị các đồng chí tiếp nhận và quản lý đồng chí đảng viên trên theo quy định.",
    ]
    if t.report_deadline:
        closing.append(
            f"Giấy này có giá trị đến hết ngày {t.report_deadline:%d/%m/%Y} "
            "(đảng viên trình giấy với nơi đến trong 30 ngày)."
        )
    number = f"Số {t.letter_no:02d}-GGT/{code}"
    return Doc(
        superior=superior,
        issuer=committee_name(issuer.name, issuer.kind),
        number=number,
        place_date=date_line(place_name(issuer.name), t.departed_on),
        doc_type="GIẤY GIỚI THIỆU SINH HOẠT ĐẢNG",
        summary=KIND_TITLE.get(t.kind, ""),
        salutation=f"Kính gửi: {t.destination}",
        body=[f"{_plain(issuer)} trân trọng giới thiệu:"],
        facts=facts,
        closing=closing,
        signatures=[Signature(authority, "BÍ THƯ", signer.member.full_name if signer else "")],
        recipients=["Như trên", "Lưu hồ sơ"],
        stub=[
            f"PHẦN BÁO TIN (gửi lại {committee_name(issuer.name, issuer.kind)}) — {number}",
            f"Đã tiếp nhận đồng chí {m.full_name} đến sinh hoạt đảng ngày …/…/……",
            "T/M ………………… (ký, ghi rõ họ tên)",
        ],
    )
