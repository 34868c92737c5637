"""Demo member records and histories, through the services (called by chibo.demo.province.build).

The seeds' figures hold on the seeds' dates:
- seed 000: Đảng bộ xã Quảng Lâm, 126 members in 13 cells, 2 of them exempt for age, on
  31/12/2017 (2016–2017: two admissions, one death, one member reprimanded and then struck
  off; two old men exempted);
- seed 002: Thị xã Mường Lay, 1,142 members in 35 grassroots units on 04/12/2019 (one member
  arriving from Quảng Lâm and one death in 2018; two admissions, a resignation and a transfer
  out of the province in 2019); 2016–2018 the town's elders are exempted for age (47, 65, 79
  exempted at the ends of those years), which sets the bases of seed 002's rating shares
  (chibo.demo.reviews).
After those dates the histories go on: badges, cards, an internal and a temporary transfer, a
restoration, committee seats and secretaries, and a transfer from Quảng Lâm to Mường Lay that is
still awaiting arrival today.
"""

from __future__ import annotations

import datetime as dt
import random

from chibo.accounts.models import User
from chibo.core.actors import SYSTEM
from chibo.members import admission
from chibo.members import choices as c
from chibo.members import seats as seat_services
from chibo.members import services as s
from chibo.members.models import Member, Seat, Transfer
from chibo.members.selectors import under
from chibo.members.transfers import confirm_arrival, end_temporary, transfer_out
from chibo.org.models import Term, Unit

SEED_000 = dt.date(2017, 12, 31)
SEED_002 = dt.date(2019, 12, 4)

# Family names of Điện Biên and the ethnic groups that mostly carry them (illustrative).
THAI = {"Lò", "Lường", "Quàng", "Tòng", "Vì", "Cà", "Điêu", "Khoàng"}
MONG = {"Giàng", "Sùng", "Vàng", "Mùa", "Hờ"}
KINH = {"Nguyễn", "Trần", "Phạm", "Đỗ", "Hoàng", "Lê"}


def fill_record(m: Member, rng: random.Random) -> None:
    """A plausible record for a generated member: ethnicity by family name (with Khơ Mú, Lào
    and Hà Nhì among them), a full birth date, education, theory level, occupation."""
    if m.family_name in THAI:
        m.ethnicity = rng.choices(["03", "29", "37"], weights=[80, 14, 6])[0]
    elif m.family_name in MONG:
        m.ethnicity = "08"
        m.religion = rng.choices(["none", "protestant"], weights=[80, 20])[0]
    elif m.family_name in KINH:
        m.ethnicity = c.KINH
    else:
        m.ethnicity = rng.choice(["35", "09", "01"])
    if not m.religion:
        m.religion = "none"
    m.birth_date = dt.date(m.birth_year, rng.randint(1, 12), rng.randint(1, 28))
    if m.birth_year < 1965:
        m.education_system, m.education_grade = 10, rng.choice([4, 7, 7, 10])
    else:
        m.education_system, m.education_grade = 12, rng.choice([9, 12, 12, 12])
    m.qualification = rng.choice(["", "", "intermediate", "college", "university"])
    m.theory_level = rng.choice(["elementary", "elementary", "intermediate", ""])
    m.occupation_now = (
        "retired"
        if m.birth_year < 1962
        else rng.choice(["farmer", "farmer", "commune_cadre", "public_servant", "village_staff"])
    )
    m.occupation_before = "farmer" if m.occupation_now == "retired" else m.occupation_now
    m.youth_union_at_admission = m.birth_year >= 1970
    m.hometown = rng.choice(
        [
            "Mường Nhé, Điện Biên",
            "Mường Chà, Điện Biên",
            "Mường Lay, Điện Biên",
            "Điện Biên Đông, Điện Biên",
            "Tuần Giáo, Điện Biên",
        ]
    )
    m.biography_no = f"ĐB-{m.pk:06d}"
    if m.recognized_on:
        m.card_no = f"62{m.pk:07d}"
    m.save()


def _people(unit: Unit, on: dt.date) -> list[Member]:
    return list(under(unit).filter(ended="").order_by("id")) if on else []


def _in(cell: Unit) -> list[Member]:
    return list(Member.objects.filter(home_unit=cell, ended="").order_by("id"))


def _admit(cell: Unit, rng: random.Random, names, ceremony: dt.date, born: int) -> Member:
    fam, mid, giv, gender, _b = names.person()
    birth = dt.date(born, rng.randint(1, 12), rng.randint(1, 28))
    m = admission.admit(
        actor=SYSTEM,
        unit=cell,
        family_name=fam,
        middle_name=mid,
        given_name=giv,
        gender=gender,
        birth_date=birth,
        considered_on=ceremony - dt.timedelta(days=40),
        decision_no=f"{rng.randint(10, 99)}-QĐ/ĐU",
        issuer="Đảng ủy xã",
        decision_received_on=ceremony - dt.timedelta(days=10),
        ceremony_on=ceremony,
    )
    fill_record(m, rng)
    return m


def before_reform(U: dict[str, Unit], names, rng: random.Random) -> None:
    """Histories up to 30/6/2025 (placements are those of the old tree)."""
    ql = U["commune:Quảng Lâm"]
    lu2 = U["cell:Đảng bộ xã Quảng Lâm:Chi bộ bản Huổi Lụ 2"]
    ban_ql = U["cell:Đảng bộ xã Quảng Lâm:Chi bộ bản Quảng Lâm"]
    people = _people(ql, SEED_000)
    # 2016: the two oldest men asked to be exempted (age); the cell agreed by resolution.
    old_men = sorted((m for m in people if m.gender == "m"), key=lambda m: m.birth_date)[:2]
    for i, m in enumerate(old_men):
        s.exempt(
            actor=SYSTEM,
            member=m,
            effective_date=dt.date(2016, 3, 5 + i),
            resolution_no=f"0{3 + i}-NQ/CB",
            ground="age",
        )
    # 2016: two admissions in Huổi Lụ 2; one death; 2017: one strike-off (3 months' fee unpaid).
    new = [
        _admit(lu2, rng, names, dt.date(2016, 6, 15), 1994),
        _admit(lu2, rng, names, dt.date(2016, 6, 15), 1995),
    ]
    for m in new:
        admission.recognize(
            actor=SYSTEM,
            member=Member.objects.get(pk=m.pk),
            decided_on=dt.date(2017, 7, 3),
            decision_no="45-QĐ/ĐU",
            issuer="Đảng ủy xã",
        )
    others = [m for m in people if m not in old_men]
    s.record_death(actor=SYSTEM, member=others[5], died_on=dt.date(2016, 11, 2))
    # Seed 000: "kỷ luật, xóa tên khỏi danh sách 1 đảng viên": reprimanded by the cell in 2016
    # (gave up meetings), then struck off in 2017 (three months' fee unpaid).
    s.discipline(
        actor=SYSTEM,
        member=others[9],
        form="reprimand",
        decided_by="cell",
        effective_date=dt.date(2016, 9, 12),
        decision_no="02-QĐ/CB",
        issuer="Chi bộ",
        reason="Bỏ sinh hoạt chi bộ nhiều tháng không có lý do",
    )
    s.strike_off(
        actor=SYSTEM,
        member=others[9],
        ground="quit_or_fee",
        effective_date=dt.date(2017, 4, 10),
        decision_no="12-QĐ/HU",
        issuer="Ban Thường vụ Huyện ủy Mường Nhé",
    )
    # 2018: a member moves to Mường Lay (Sông Đà); Mường Lay loses one member to death.
    mover = _in(ban_ql)[0]
    sd = Unit.objects.get(name="Chi bộ Tổ dân phố số 2 (Sông Đà)")
    t = transfer_out(
        actor=SYSTEM,
        member=mover,
        kind=Transfer.Kind.OFFICIAL,
        to_unit=sd,
        departed_on=dt.date(2018, 8, 15),
        moved_on=dt.date(2018, 8, 1),
        fee_paid_until=dt.date(2018, 7, 1),
    )
    confirm_arrival(actor=SYSTEM, transfer=t, arrived_on=dt.date(2018, 8, 25))
    ml = U["district:Mường Lay"]
    ml_people = _people(ml, SEED_002)
    s.record_death(actor=SYSTEM, member=ml_people[17], died_on=dt.date(2018, 10, 3))
    # 2019 in Mường Lay: two admissions, a resignation, a transfer out of the province.
    court = U["ml:Chi bộ Tòa án nhân dân thị xã"]
    school = U["ml:Chi bộ Trường THPT thị xã Mường Lay"]
    _admit(school, rng, names, dt.date(2019, 5, 19), 1997)
    _admit(court, rng, names, dt.date(2019, 5, 19), 1993)
    s.resign(
        actor=SYSTEM,
        member=ml_people[40],
        effective_date=dt.date(2019, 3, 20),
        decision_no="30-QĐ/TU",
        issuer="Ban Thường vụ Thị ủy Mường Lay",
    )
    transfer_out(
        actor=SYSTEM,
        member=ml_people[60],
        kind=Transfer.Kind.OFFICIAL,
        destination="Đảng ủy phường Tân Phong, tỉnh Lai Châu",
        departed_on=dt.date(2019, 9, 9),
        fee_paid_until=dt.date(2019, 8, 1),
    )
    _exempt_the_towns_elders(U)
    # After the seeds' dates: badges, cards, internal and temporary transfers, a restoration.
    veterans = [m for m in _people(ql, SEED_000) if m.admitted_on <= dt.date(1989, 12, 31)]
    for m in veterans[:3]:
        s.award_badge(
            actor=SYSTEM,
            member=m,
            years=30,
            awarded_on=dt.date(2020, 2, 3),
            badge_no=f"HH30-{m.pk:05d}",
            decision_no="120-QĐ/TU",
            issuer="Tỉnh ủy Điện Biên",
        )
    lu1 = U["cell:Đảng bộ xã Quảng Lâm:Chi bộ bản Huổi Lụ 1"]
    transfer_out(
        actor=SYSTEM,
        member=_in(lu2)[0],
        kind=Transfer.Kind.INTERNAL,
        to_unit=lu1,
        departed_on=dt.date(2021, 3, 1),
    )
    student = new[1]
    t = transfer_out(
        actor=SYSTEM,
        member=Member.objects.get(pk=student.pk),
        kind=Transfer.Kind.TEMPORARY,
        reason=Transfer.Reason.STUDY,
        to_unit=Unit.objects.get(name="Chi bộ Trường THPT thị xã Mường Lay"),
        departed_on=dt.date(2023, 9, 5),
        expected_return=dt.date(2025, 6, 30),
    )
    end_temporary(actor=SYSTEM, transfer=t, on=dt.date(2025, 6, 20))
    struck = others[9]
    s.restore(
        actor=SYSTEM,
        member=Member.objects.get(pk=struck.pk),
        effective_date=dt.date(2022, 6, 1),
        decision_no="88-QĐ/TU",
        issuer="Ban Thường vụ Tỉnh ủy Điện Biên",
    )
    # Seats in the old commune's 2020–2025 term.
    term = Term.objects.filter(unit=ql).order_by("-start").first()
    sec = _people(ql, SEED_000)[2]
    seat_services.assign_seat(
        actor=SYSTEM,
        unit=ql,
        member=sec,
        role=Seat.Role.SECRETARY,
        valid_from=term.start,
        term=term,
        decision_no="01-QĐ/HU",
    )


ELDER_AGE = {"m": 65, "f": 62}  # the town's retired members ask to be exempted at these ages


def _exempt_the_towns_elders(U: dict[str, Unit]) -> None:
    """2016–2018: Mường Lay's retired members ask, in the March after the birthday that takes
    them to 65 (men) or 62 (women), to be exempted from work and meetings for age; their cells
    agree by resolution. Cells of the armed forces and the two Sông Đà groups the demo's
    personas live in are left out, and so is anyone with later events of their own."""
    ml = U["district:Mường Lay"]
    busy = set(
        Member.objects.filter(events__effective_date__gte=dt.date(2015, 1, 2)).values_list(
            "pk", flat=True
        )
    )
    skip = ("Quân sự", "Công an", "Tổ dân phố số 1 (Sông Đà)", "Tổ dân phố số 2 (Sông Đà)")
    for m in _people(ml, SEED_002):
        if m.pk in busy or m.birth_date is None or any(w in m.home_unit.name for w in skip):
            continue
        year = max(m.birth_year + ELDER_AGE[m.gender] + 1, 2016)
        if year > 2018:
            continue
        s.exempt(
            actor=SYSTEM,
            member=m,
            effective_date=dt.date(year, 3, 10),
            resolution_no=f"{m.pk % 90 + 10:02d}-NQ/CB",
            ground="age",
        )


def after_reform(U: dict[str, Unit], names, rng: random.Random, today: dt.date) -> None:
    """Today's seats, persona links and a transfer awaiting arrival (left a week ago)."""
    ql_new = Unit.objects.get(pk=U["new:Xã Quảng Lâm"].pk)
    lu1 = Unit.objects.get(pk=U["cell:Đảng bộ xã Quảng Lâm:Chi bộ bản Huổi Lụ 1"].pk)
    sd1 = Unit.objects.get(pk=U["cell:muonglay"].pk)
    term = Term.objects.filter(unit=ql_new).order_by("-start").first()
    lu1_people = _in(lu1)
    sd1_people = _in(sd1)
    ql_people = [m for m in _people(ql_new, today) if m.birth_year < 1990]

    def link(username: str, m: Member) -> None:
        m.user = User.objects.get(username=username)
        m.save(update_fields=["user"])

    link("bithu.huoilu1", lu1_people[0])
    link("dangvien.huoilu1", lu1_people[1])
    link("bithu.songda1", sd1_people[0])
    # The commune's follower is a member of another cell than the one they follow in the demo.
    link("theodoi.quanglam", next(m for m in ql_people if m.home_unit_id != lu1.pk))
    seat_services.assign_seat(
        actor=SYSTEM,
        unit=lu1,
        member=lu1_people[0],
        role=Seat.Role.SECRETARY,
        valid_from=dt.date(2020, 7, 1),
    )
    seat_services.assign_seat(
        actor=SYSTEM,
        unit=sd1,
        member=sd1_people[0],
        role=Seat.Role.SECRETARY,
        valid_from=dt.date(2025, 7, 1),
    )
    seat_services.assign_seat(
        actor=SYSTEM,
        unit=ql_new,
        member=ql_people[0],
        role=Seat.Role.SECRETARY,
        valid_from=term.start,
        term=term,
        decision_no="05-QĐ/TU",
    )
    seat_services.assign_seat(
        actor=SYSTEM,
        unit=ql_new,
        member=ql_people[1],
        role=Seat.Role.DEPUTY_SECRETARY,
        valid_from=term.start,
        term=term,
    )
    for m in ql_people[2:6]:
        seat_services.assign_seat(
            actor=SYSTEM,
            unit=ql_new,
            member=m,
            role=Seat.Role.COMMITTEE,
            valid_from=term.start,
            term=term,
        )
    # A week before today a Quảng Lâm member left for Phường Mường Lay; not arrived yet.
    departed = today - dt.timedelta(days=7)
    leaver = _in(Unit.objects.get(pk=U["cell:Đảng bộ xã Quảng Lâm:Chi bộ bản Nậm Pố"].pk))[0]
    transfer_out(
        actor=SYSTEM,
        member=leaver,
        kind=Transfer.Kind.OFFICIAL,
        to_unit=sd1,
        departed_on=departed,
        moved_on=departed - dt.timedelta(days=8),
        fee_paid_until=(departed.replace(day=1) - dt.timedelta(days=1)).replace(day=1),
    )
