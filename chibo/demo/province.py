"""The demo province (Điện Biên), built through the services so it exercises the real rules.

Before 1/7/2025 the tree has the district level (seeds 000 and 002: Đảng bộ xã Quảng Lâm with 13
chi bộ trực thuộc and 126 members under Huyện Mường Nhé; Thị xã Mường Lay with 35 tổ chức cơ sở
đảng, 5 đảng bộ cơ sở and 30 chi bộ cơ sở, 1,142 members). On 1/7/2025 the restructuring actions
apply the 2025 reform: old communes merge into new ones by vietnam-provinces' own mapping, agency
cells of the town move to the new ward or to province-level organizations, and the districts are
dissolved. Village names and decision numbers are illustrative; the figures are the seeds'.

Deterministic: the same tree, members and accounts on every run. What comes after the seeds'
fixed dates (this year's meetings, a transfer awaiting arrival) is placed relative to the demo's
today (`demo_today()`: CHIBO_DEMO_TODAY, else the real date), so the demo looks the same on any
day it is loaded.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from chibo.accounts.choices import Role
from chibo.accounts.models import Grant, User
from chibo.core.actors import SYSTEM
from chibo.core.models import SystemInfo
from chibo.core.text import icu_version
from chibo.members.models import Gender
from chibo.members.services import add_member
from chibo.org import admin_units
from chibo.org.choices import AdminEra, CellType, GrassrootsType, UnitKind
from chibo.org.models import Term, Unit
from chibo.org.services import (
    ChangeKind,
    CreateUnit,
    Decision,
    DissolveUnit,
    MergeUnits,
    MoveUnit,
    UnitSpec,
    live_children,
)

from . import meetings as meeting_demo
from . import members as member_demo
from . import reviews as review_demo

START = dt.date(2015, 1, 1)
REFORM = dt.date(2025, 7, 1)
DEMO_PASSWORD = "chibo-demo-2026"
PROVINCE_ISSUER = "Ban Thường vụ Tỉnh ủy Điện Biên"
REFORM_DECISION = "Quyết định số 2500-QĐ/TU (minh họa)"

# Seed 000: 13 chi bộ trực thuộc, 126 members (2 exempt for age; counted here as members).
QUANG_LAM_CELLS = [
    ("Chi bộ bản Huổi Lụ 1", CellType.VILLAGE, 12),
    ("Chi bộ bản Huổi Lụ 2", CellType.VILLAGE, 10),
    ("Chi bộ bản Huổi Lụ 3", CellType.VILLAGE, 9),
    ("Chi bộ bản Nậm Pố", CellType.VILLAGE, 11),
    ("Chi bộ bản Cây Sổ", CellType.VILLAGE, 8),
    ("Chi bộ bản Ngã Ba", CellType.VILLAGE, 9),
    ("Chi bộ bản Huổi Thanh", CellType.VILLAGE, 10),
    ("Chi bộ bản Nà Pán", CellType.VILLAGE, 8),
    ("Chi bộ bản Quảng Lâm", CellType.VILLAGE, 13),
    ("Chi bộ Quân sự xã", CellType.ARMED, 10),
    ("Chi bộ Công an xã", CellType.ARMED, 8),
    ("Chi bộ Trường PTDTBT TH-THCS Quảng Lâm", CellType.SCHOOL, 11),
    ("Chi bộ Trạm Y tế xã", CellType.HEALTH, 7),
]
NA_CO_SA_CELLS = [
    ("Chi bộ bản Na Cô Sa 1", CellType.VILLAGE, 9),
    ("Chi bộ bản Na Cô Sa 2", CellType.VILLAGE, 8),
    ("Chi bộ bản Nà Khuyết", CellType.VILLAGE, 7),
    ("Chi bộ bản Huổi Dạo", CellType.VILLAGE, 3),  # 2 just admitted: fewer than 3 official
    ("Chi bộ Quân sự xã", CellType.ARMED, 6),
    ("Chi bộ Công an xã", CellType.ARMED, 5),
    ("Chi bộ Trường học xã Na Cô Sa", CellType.SCHOOL, 9),
]

# Seed 002: Thị xã Mường Lay, 35 tổ chức cơ sở đảng (5 đảng bộ cơ sở, 30 chi bộ cơ sở),
# 1,142 members. The 30 chi bộ cơ sở, with where each went on 1/7/2025.
WARD, AGENCIES, GOVERNMENT = "ward", "agencies", "government"
MUONG_LAY_CELLS = [
    ("Chi bộ Văn phòng Thị ủy", GrassrootsType.PARTY_MASS_BODY, WARD),
    ("Chi bộ các Ban xây dựng Đảng Thị ủy", GrassrootsType.PARTY_MASS_BODY, WARD),
    ("Chi bộ Khối Dân vận thị xã", GrassrootsType.PARTY_MASS_BODY, WARD),
    ("Chi bộ Văn phòng HĐND và UBND thị xã", GrassrootsType.STATE_BODY, WARD),
    ("Chi bộ Tòa án nhân dân thị xã", GrassrootsType.STATE_BODY, AGENCIES),
    ("Chi bộ Viện Kiểm sát nhân dân thị xã", GrassrootsType.STATE_BODY, AGENCIES),
    ("Chi bộ Chi cục Thi hành án dân sự thị xã", GrassrootsType.STATE_BODY, GOVERNMENT),
    ("Chi bộ Chi cục Thuế thị xã", GrassrootsType.STATE_BODY, GOVERNMENT),
    ("Chi bộ Kho bạc Nhà nước thị xã", GrassrootsType.STATE_BODY, GOVERNMENT),
    ("Chi bộ Phòng Tài chính - Kế hoạch", GrassrootsType.STATE_BODY, WARD),
    ("Chi bộ Phòng Giáo dục và Đào tạo", GrassrootsType.STATE_BODY, WARD),
    ("Chi bộ Phòng Tài nguyên và Môi trường", GrassrootsType.STATE_BODY, WARD),
    ("Chi bộ Phòng Lao động - Thương binh và Xã hội", GrassrootsType.STATE_BODY, WARD),
    ("Chi bộ Phòng Văn hóa và Thông tin", GrassrootsType.STATE_BODY, WARD),
    ("Chi bộ Phòng Kinh tế", GrassrootsType.STATE_BODY, WARD),
    ("Chi bộ Phòng Quản lý đô thị", GrassrootsType.STATE_BODY, WARD),
    ("Chi bộ Phòng Nội vụ", GrassrootsType.STATE_BODY, WARD),
    ("Chi bộ Thanh tra thị xã", GrassrootsType.STATE_BODY, WARD),
    ("Chi bộ Trung tâm Y tế thị xã", GrassrootsType.PUBLIC_SERVICE, GOVERNMENT),
    ("Chi bộ Trường THPT thị xã Mường Lay", GrassrootsType.PUBLIC_SERVICE, GOVERNMENT),
    ("Chi bộ Trường Phổ thông Dân tộc nội trú thị xã", GrassrootsType.PUBLIC_SERVICE, GOVERNMENT),
    ("Chi bộ Trường THCS Sông Đà", GrassrootsType.PUBLIC_SERVICE, WARD),
    ("Chi bộ Trường Tiểu học Na Lay", GrassrootsType.PUBLIC_SERVICE, WARD),
    ("Chi bộ Trường Mầm non Sông Đà", GrassrootsType.PUBLIC_SERVICE, WARD),
    ("Chi bộ Trung tâm Giáo dục nghề nghiệp - GDTX", GrassrootsType.PUBLIC_SERVICE, GOVERNMENT),
    ("Chi bộ Trung tâm Văn hóa - Thể thao và Truyền thông", GrassrootsType.PUBLIC_SERVICE, WARD),
    ("Chi bộ Ngân hàng Nông nghiệp và PTNT thị xã", GrassrootsType.SOE_100, GOVERNMENT),
    ("Chi bộ Ngân hàng Chính sách xã hội thị xã", GrassrootsType.STATE_BODY, GOVERNMENT),
    ("Chi bộ Hạt Kiểm lâm thị xã", GrassrootsType.STATE_BODY, GOVERNMENT),
    ("Chi bộ Ban Quản lý dự án thị xã", GrassrootsType.PUBLIC_SERVICE, WARD),
]
MUONG_LAY_MEMBERS = 1142

FAMILY = [
    "Lò",
    "Lường",
    "Quàng",
    "Tòng",
    "Vì",
    "Giàng",
    "Sùng",
    "Vàng",
    "Mùa",
    "Lý",
    "Hờ",
    "Nguyễn",
    "Trần",
    "Phạm",
    "Đỗ",
    "Hoàng",
    "Lê",
    "Cà",
    "Điêu",
    "Khoàng",
]
MIDDLE_M = ["Văn", "A", "Văn", "Đức", "Minh", "Xuân", "Thanh"]
MIDDLE_F = ["Thị", "Thị", "Thị", "Ngọc", "Thu", "Hồng"]
GIVEN_M = [
    "Thắng",
    "Dũng",
    "Chinh",
    "Pằng",
    "Sính",
    "Páo",
    "Khoa",
    "Hùng",
    "Tuấn",
    "Lả",
    "Đức",
    "Cường",
    "Ánh",
    "Bình",
    "Sơn",
]
GIVEN_F = ["Hoa", "Mai", "Xuân", "Dung", "Ly", "Pà", "Sua", "Lan", "Hương", "Ân", "Ánh", "Đào"]


@dataclass
class Built:
    province: Unit
    units: dict[str, Unit]
    accounts: list[tuple[str, str, str]]  # username, role label, unit name


def _d(on: dt.date, no: str, issuer: str = PROVINCE_ISSUER) -> Decision:
    return Decision(on, no, issuer)


def _create(parent, kind, name, on=START, actor=SYSTEM, **spec) -> Unit:
    action = CreateUnit(
        _d(on, "Quyết định thành lập (minh họa)"),
        parent=parent,
        spec=UnitSpec(kind=kind, name=name, **spec),
    )
    action.execute(actor=actor)
    return action.created


def _admin(era: str, name: str, level: str, within: str | None = None) -> admin_units.AdminUnit:
    hits = admin_units.find(era, name, level=level, within=within)
    exact = [h for h in hits if admin_units.normalize(h.name).endswith(admin_units.normalize(name))]
    if not exact:
        raise LookupError(f"vietnam-provinces has no {level} {name!r} in era {era}")
    return exact[0]


class _Names:
    """Deterministic Vietnamese names, common in Điện Biên."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def person(self) -> tuple[str, str, str, str, int]:
        female = self.rng.random() < 0.38
        fam = self.rng.choice(FAMILY)
        mid = self.rng.choice(MIDDLE_F if female else MIDDLE_M)
        giv = self.rng.choice(GIVEN_F if female else GIVEN_M)
        return fam, mid, giv, Gender.FEMALE if female else Gender.MALE, self.rng.randint(1950, 2001)


RECORDS = random.Random(54)  # record details (ethnicity, education…) of the generated members


def probation_admitted(today: dt.date) -> dt.date:
    """The demo's newest members were admitted so that their 12 months of probation end five
    weeks after the demo's today (the cell page lists the recognitions coming due)."""
    ends = today + dt.timedelta(days=34)
    return ends.replace(year=ends.year - 1, day=min(ends.day, 28))


def _members(
    unit: Unit, n: int, names: _Names, probationary: int = 0, admitted_new: dt.date | None = None
) -> None:
    for i in range(n):
        fam, mid, giv, gender, born = names.person()
        admitted = dt.date(max(born + 19, 1975), names.rng.randint(1, 12), names.rng.randint(1, 28))
        admitted = min(admitted, dt.date(2014, 12, 1))
        recognized = admitted + dt.timedelta(days=365)
        if i < probationary:
            admitted, recognized = admitted_new, None
        m = add_member(
            actor=SYSTEM,
            unit=unit,
            family_name=fam,
            middle_name=mid,
            given_name=giv,
            gender=gender,
            birth_year=born,
            admitted_on=admitted,
            recognized_on=recognized,
            placed_on=START if recognized else admitted,
        )
        member_demo.fill_record(m, RECORDS)


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    weights = [rng.randint(20, 40) for _ in range(parts)]
    out = [total * w // sum(weights) for w in weights]
    out[0] += total - sum(out)
    return out


EARLIEST_TODAY = dt.date(2026, 1, 1)  # the demo's recent data needs a year after the reform


def demo_today() -> dt.date:
    """CHIBO_DEMO_TODAY, else the real date; never in the future (the services refuse future
    events) nor before EARLIEST_TODAY."""
    real = timezone.localdate()
    day = settings.DEMO_TODAY or real
    if not EARLIEST_TODAY <= day <= real:
        raise ValueError(
            f"CHIBO_DEMO_TODAY phải từ {EARLIEST_TODAY:%d/%m/%Y} đến hôm nay ({real:%d/%m/%Y}); "
            f"đang là {day:%d/%m/%Y} / must lie between {EARLIEST_TODAY} and today"
        )
    return day


@transaction.atomic
def build(today: dt.date | None = None) -> Built:
    today = today or demo_today()
    RECORDS.seed(54)
    names = _Names(2025)
    rng = random.Random(7)
    U: dict[str, Unit] = {}
    pre = AdminEra.PRE2025

    prov_old = _admin(pre, "Điện Biên", "province")
    province = _create(
        None,
        UnitKind.PROVINCE,
        "Đảng bộ tỉnh Điện Biên",
        code="ĐB",
        admin_era=pre,
        admin_code=prov_old.code,
    )
    U["province"] = province
    Term.objects.create(
        unit=province,
        label="2020–2025",
        congress_date=dt.date(2020, 10, 15),
        start=dt.date(2020, 10, 16),
        end=dt.date(2025, 10, 15),
    )
    U["bloc"] = _create(province, UnitKind.BLOC, "Đảng bộ Khối các cơ quan tỉnh")
    U["military"] = _create(province, UnitKind.MILITARY, "Đảng bộ Quân sự tỉnh")
    U["police"] = _create(province, UnitKind.POLICE, "Đảng bộ Công an tỉnh")
    for name in ("Chi bộ Sở Nội vụ", "Chi bộ Sở Tài chính", "Chi bộ Báo Điện Biên Phủ"):
        cell = _create(
            U["bloc"], UnitKind.GRASSROOTS_CELL, name, grassroots_type=GrassrootsType.STATE_BODY
        )
        _members(cell, rng.randint(12, 25), names)

    districts = {
        "Mường Nhé": ("Huyện", ["Quảng Lâm", "Mường Nhé", "Chung Chải", "Sín Thầu", "Leng Su Sìn"]),
        "Nậm Pồ": ("Huyện", ["Na Cô Sa", "Nà Khoa", "Nà Hỳ", "Nà Bủng"]),
        "Mường Chà": ("Huyện", ["Xá Tổng", "Mường Mươn", "Sa Lông"]),
        "Mường Lay": ("Thị xã", ["Sông Đà", "Na Lay", "Lay Nưa"]),
    }
    communes_old: dict[str, tuple[Unit, admin_units.AdminUnit]] = {}
    for dname, (dtype, communes) in districts.items():
        d_admin = _admin(pre, dname, "district", within=prov_old.code)
        district = _create(
            province,
            UnitKind.DISTRICT,
            f"Đảng bộ {dtype.lower()} {dname}",
            admin_era=pre,
            admin_code=d_admin.code,
        )
        U[f"district:{dname}"] = district
        for cname in communes:
            c_admin = _admin(pre, cname, "commune", within=d_admin.code)
            is_ward = c_admin.name.startswith("Phường")
            prefix = "phường" if is_ward else "xã"
            unit = _create(
                district,
                UnitKind.GRASSROOTS_COMMITTEE,
                f"Đảng bộ {prefix} {cname}",
                grassroots_type=GrassrootsType.WARD if is_ward else GrassrootsType.COMMUNE,
                admin_era=pre,
                admin_code=c_admin.code,
            )
            communes_old[cname] = (unit, c_admin)
            U[f"commune:{cname}"] = unit
            Term.objects.create(
                unit=unit,
                label="2020–2025",
                congress_date=dt.date(2020, 6, 20),
                start=dt.date(2020, 6, 21),
                end=dt.date(2025, 6, 30),
            )

    def cells(commune: Unit, spec: list[tuple[str, str, int]], probationary_in: str = "") -> None:
        for name, ctype, n in spec:
            cell = _create(commune, UnitKind.CELL, name, cell_type=ctype)
            U[f"cell:{commune.name}:{name}"] = cell
            _members(
                cell,
                n,
                names,
                probationary=2 if name == probationary_in else 0,
                admitted_new=probation_admitted(today),
            )

    cells(U["commune:Quảng Lâm"], QUANG_LAM_CELLS)
    cells(U["commune:Na Cô Sa"], NA_CO_SA_CELLS, probationary_in="Chi bộ bản Huổi Dạo")

    # Mường Lay: 5 đảng bộ cơ sở (3 territorial above + military + police), 30 chi bộ cơ sở.
    ml = U["district:Mường Lay"]
    U["ml:military"] = _create(
        ml,
        UnitKind.GRASSROOTS_COMMITTEE,
        "Đảng bộ Quân sự thị xã",
        grassroots_type=GrassrootsType.ARMY,
    )
    U["ml:police"] = _create(
        ml,
        UnitKind.GRASSROOTS_COMMITTEE,
        "Đảng bộ Công an thị xã",
        grassroots_type=GrassrootsType.POLICE,
    )
    ml_cells = []
    for name, gtype, dest in MUONG_LAY_CELLS:
        cell = _create(ml, UnitKind.GRASSROOTS_CELL, name, grassroots_type=gtype)
        U[f"ml:{name}"] = cell
        ml_cells.append((cell, dest))
    # Spread 1,142 members over the 35 organizations; committees hold theirs in cells.
    ml_committees = [
        U["commune:Sông Đà"],
        U["commune:Na Lay"],
        U["commune:Lay Nưa"],
        U["ml:military"],
        U["ml:police"],
    ]
    shares = _split(MUONG_LAY_MEMBERS, 35, rng)
    for committee, share in zip(ml_committees, shares[:5], strict=True):
        sub = _split(share, 4, rng)
        for i, n in enumerate(sub, start=1):
            kind_name = (
                "Tổ dân phố"
                if committee.grassroots_type == GrassrootsType.WARD
                else ("bản" if committee.grassroots_type == GrassrootsType.COMMUNE else "Chi bộ")
            )
            # The old ward or commune in the name: after the 2025 merger Phường Mường Lay has
            # a "Tổ dân phố số 1" from Sông Đà and another from Na Lay.
            place = committee.name.split(" ", 3)[-1]
            cname = (
                f"Chi bộ {kind_name} số {i} ({place})"
                if kind_name != "Chi bộ"
                else f"Chi bộ {i} — {committee.name.removeprefix('Đảng bộ ')}"
            )
            cell = _create(
                committee,
                UnitKind.CELL,
                cname,
                cell_type=CellType.RESIDENTIAL_GROUP
                if kind_name == "Tổ dân phố"
                else CellType.VILLAGE
                if kind_name == "bản"
                else CellType.ARMED,
            )
            _members(cell, n, names)
    for (cell, _dest), n in zip(ml_cells, shares[5:], strict=True):
        _members(cell, n, names)

    # Other communes: three cells each, so the tree feels real.
    for cname, (unit, _adm) in communes_old.items():
        if cname in ("Quảng Lâm", "Na Cô Sa", "Sông Đà", "Na Lay", "Lay Nưa"):
            continue
        for i in range(1, 4):
            cell = _create(
                unit, UnitKind.CELL, f"Chi bộ bản số {i} ({cname})", cell_type=CellType.VILLAGE
            )
            _members(cell, rng.randint(8, 20), names)

    member_demo.before_reform(U, names, random.Random(2016))
    review_demo.build(U)
    _reform(U, communes_old, prov_old)
    accounts = _accounts(U)
    member_demo.after_reform(U, names, random.Random(2026), today)
    meeting_demo.build(U, today)
    review_demo.round_in_progress(U, today)
    SystemInfo.objects.update_or_create(key="text_keys_icu", defaults={"value": icu_version()})
    return Built(province=Unit.objects.get(pk=province.pk), units=U, accounts=accounts)


def _reform(U: dict[str, Unit], communes_old, prov_old) -> None:
    """1/7/2025: the 2025 reform, through the restructuring actions."""
    post = AdminEra.POST2025
    dec = _d(REFORM, REFORM_DECISION)
    province = Unit.objects.get(pk=U["province"].pk)
    prov_new = admin_units.province_successor(prov_old.code)
    province_new_code = prov_new.code if prov_new else ""
    U["agencies"] = _create(province, UnitKind.AGENCIES, "Đảng bộ các cơ quan Đảng tỉnh", on=REFORM)
    U["government"] = _create(
        province, UnitKind.GOVERNMENT, "Đảng bộ Ủy ban nhân dân tỉnh", on=REFORM
    )
    # Group the old communes by the new commune the package maps them to.
    groups: dict[str, list[Unit]] = defaultdict(list)
    new_admin: dict[str, admin_units.AdminUnit] = {}
    for _cname, (unit, adm) in communes_old.items():
        succ = admin_units.successors(adm.code)
        if not succ:
            raise LookupError(f"vietnam-provinces maps {adm.name} ({adm.code}) to no new commune")
        target = succ[0]  # where most of its territory went (the package lists that first)
        groups[target.code].append(unit)
        new_admin[target.code] = target
    for code, olds in groups.items():
        adm = new_admin[code]
        is_ward = adm.name.startswith("Phường")
        name = f"Đảng bộ {'phường' if is_ward else 'xã'} {adm.name.split(' ', 1)[1]}"  # "Xã X" → X
        gtype = GrassrootsType.WARD if is_ward else GrassrootsType.COMMUNE
        place = adm.name.split(" ", 1)[1]
        same_name = [o for o in olds if o.name.removeprefix("Đảng bộ ").split(" ", 1)[1] == place]
        if same_name or len(olds) == 1:
            # The commune keeps its identity: it becomes a commune đảng bộ under the province (with
            # its new name, if any) and absorbs the others (Quảng Lâm absorbs Na Cô Sa).
            keeper = Unit.objects.get(pk=(same_name or olds)[0].pk)
            MoveUnit(
                dec,
                unit=keeper,
                new_parent=province,
                new_kind=UnitKind.COMMUNE,
                changes={
                    "name": name,
                    "admin_era": post,
                    "admin_code": adm.code,
                    "grassroots_type": gtype,
                },
            ).execute(actor=SYSTEM)
            keeper = Unit.objects.get(pk=keeper.pk)
            others = [Unit.objects.get(pk=o.pk) for o in olds if o.pk != keeper.pk]
            if others:
                MergeUnits(dec, sources=[keeper, *others], into=keeper).execute(actor=SYSTEM)
            U[f"new:{adm.name}"] = Unit.objects.get(pk=keeper.pk)
        else:
            action = MergeUnits(
                dec,
                sources=[Unit.objects.get(pk=o.pk) for o in olds],
                new_spec=UnitSpec(
                    kind=UnitKind.COMMUNE,
                    name=name,
                    grassroots_type=gtype,
                    admin_era=post,
                    admin_code=adm.code,
                ),
                new_parent=province,
            )
            action.execute(actor=SYSTEM)
            U[f"new:{adm.name}"] = action.target
        _merge_same_named_cells(U[f"new:{adm.name}"], dec)
        Term.objects.create(
            unit=U[f"new:{adm.name}"],
            label="2025–2030",
            congress_date=dt.date(2025, 8, 15),
            start=dt.date(2025, 8, 16),
        )
    # The town's own organizations: every unit placed.
    ward = U.get("new:Phường Mường Lay")
    for key, dest in [(f"ml:{n}", d) for n, _g, d in MUONG_LAY_CELLS]:
        target = {WARD: ward, AGENCIES: U["agencies"], GOVERNMENT: U["government"]}[dest]
        MoveUnit(dec, unit=Unit.objects.get(pk=U[key].pk), new_parent=target).execute(actor=SYSTEM)
    MoveUnit(
        dec,
        unit=Unit.objects.get(pk=U["ml:military"].pk),
        new_parent=Unit.objects.get(pk=U["military"].pk),
    ).execute(actor=SYSTEM)
    MoveUnit(
        dec,
        unit=Unit.objects.get(pk=U["ml:police"].pk),
        new_parent=Unit.objects.get(pk=U["police"].pk),
    ).execute(actor=SYSTEM)
    # The bloc's cells go to the government đảng bộ; then the bloc and the districts end.
    for child in live_children(U["bloc"]):
        MoveUnit(dec, unit=child, new_parent=Unit.objects.get(pk=U["government"].pk)).execute(
            actor=SYSTEM
        )
    DissolveUnit(dec, unit=Unit.objects.get(pk=U["bloc"].pk)).execute(actor=SYSTEM)
    for key in [k for k in U if k.startswith("district:")]:
        DissolveUnit(dec, unit=Unit.objects.get(pk=U[key].pk)).execute(actor=SYSTEM)
    if province_new_code:
        ChangeKind(
            dec,
            unit=Unit.objects.get(pk=province.pk),
            new_kind=UnitKind.PROVINCE,
            admin_era=post,
            admin_code=province_new_code,
        ).execute(actor=SYSTEM)


def _merge_same_named_cells(commune: Unit, dec: Decision) -> None:
    """Two old communes each had a "Chi bộ Quân sự xã" and a "Chi bộ Công an xã": the merged
    commune has one of each (the commune's military and police cells merge with it)."""
    by_name: dict[str, list[Unit]] = defaultdict(list)
    for child in live_children(commune):
        if child.kind == UnitKind.CELL:
            by_name[child.name].append(child)
    for same in by_name.values():
        if len(same) > 1:
            MergeUnits(dec, sources=same, into=same[0]).execute(actor=SYSTEM)


ACCOUNTS = [
    # username, role, unit key, valid_from, label
    ("quantri", Role.ADMIN, "province", START, "Quản trị hệ thống"),
    ("tinh.tochuc", Role.OFFICIAL, "province", START, "Ban Tổ chức Tỉnh ủy"),
    (
        "quanglam.vanphong",
        Role.OFFICIAL,
        "new:Xã Quảng Lâm",
        REFORM,
        "Văn phòng Đảng ủy xã Quảng Lâm (mới)",
    ),
    ("quanglam.xem", Role.VIEWER, "new:Xã Quảng Lâm", REFORM, "Cán bộ xem, xã Quảng Lâm"),
    (
        "muonglay.ubkt",
        Role.INSPECTION,
        "new:Phường Mường Lay",
        REFORM,
        "Ủy ban Kiểm tra Đảng ủy phường Mường Lay",
    ),
    (
        "muonglay.vanphong",
        Role.OFFICIAL,
        "new:Phường Mường Lay",
        REFORM,
        "Văn phòng Đảng ủy phường Mường Lay",
    ),
    (
        "bithu.songda1",
        Role.SECRETARY,
        "cell:muonglay",
        REFORM,
        "Bí thư chi bộ Tổ dân phố số 1 (Sông Đà), phường Mường Lay",
    ),
    (
        "bithu.huoilu1",
        Role.SECRETARY,
        "cell:Đảng bộ xã Quảng Lâm:Chi bộ bản Huổi Lụ 1",
        START,
        "Bí thư chi bộ bản Huổi Lụ 1",
    ),
    (
        "theodoi.quanglam",
        Role.FOLLOWER,
        "new:Xã Quảng Lâm",
        REFORM,
        "Cấp ủy viên phụ trách xã Quảng Lâm",
    ),
    (
        "dangvien.huoilu1",
        Role.MEMBER,
        "cell:Đảng bộ xã Quảng Lâm:Chi bộ bản Huổi Lụ 1",
        START,
        "Đảng viên chi bộ bản Huổi Lụ 1",
    ),
]


def _accounts(U: dict[str, Unit]) -> list[tuple[str, str, str]]:
    sd = Unit.objects.filter(
        name="Chi bộ Tổ dân phố số 1 (Sông Đà)",
        valid_to__isnull=True,
        path__startswith=Unit.objects.get(pk=U["new:Phường Mường Lay"].pk).path,
    ).first()
    U["cell:muonglay"] = sd
    out = []
    for username, role, key, since, label in ACCOUNTS:
        unit = Unit.objects.get(pk=U[key].pk)
        user = User.objects.create_user(username=username, password=DEMO_PASSWORD, full_name=label)
        if role == Role.ADMIN:  # the demo's system administrator
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        Grant.objects.create(user=user, unit=unit, role=role, valid_from=since)
        out.append((username, str(Role(role).label), unit.name))
    return out
