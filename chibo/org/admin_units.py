"""Administrative units before and after 1/7/2025, through the vietnam-provinces package.

Until 30/6/2025 Vietnam had three levels (63 provinces → districts → communes/wards/townships);
from 1/7/2025 it has two (34 provinces → 3,321 communes/wards/special zones) and no districts.
The package ships both datasets and the official old→new commune conversion table; this module
is the only place in chibo that imports it, so a package upgrade touches one file.

Codes are only unique within one (era, level): after 1/7/2025 a new commune usually took the
code of one of the communes merged into it (new 3334 "Phường Mường Thanh" is old 3334 "Xã Thanh
Xương"; old 3136 "Phường Mường Thanh" went into new 3127), and province, district and commune
codes overlap (1 is Hà Nội, Quận Ba Đình and Phường Phúc Xá). Hence the app stores
(era, code) and derives the level from the unit's kind.

Pure Python on purpose (no Django): the demo seeder, the views and the tests share it.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Literal

from vietnam_provinces import Province as _NewProvince
from vietnam_provinces import Ward as _NewWard
from vietnam_provinces import _province_conversion_2025 as _prov_conv
from vietnam_provinces import _ward_conversion_2025 as _ward_conv
from vietnam_provinces.legacy import District as _OldDistrict
from vietnam_provinces.legacy import Province as _OldProvince
from vietnam_provinces.legacy import Ward as _OldWard

Level = Literal["province", "district", "commune"]


class AdminEra(StrEnum):
    """Which administrative map a code belongs to.

    The values match chibo.org.choices.AdminEra (a Django TextChoices) so either, or the bare
    string stored in the database, can be passed anywhere an era is expected.
    """

    PRE2025 = "pre2025"  # 63 provinces, districts, communes (until 30/6/2025)
    POST2025 = "post2025"  # 34 provinces, communes directly under them (from 1/7/2025)


# Kept as module constants because the seeder and older code compare against plain strings.
PRE2025 = AdminEra.PRE2025
POST2025 = AdminEra.POST2025

# The package's EFFECTIVE_DATE for both conversion tables: 30/6/2025 is the last day of the old
# map, so a date is compared with >=, never >.
ERA_CHANGE_DATE = dt.date(2025, 7, 1)


def era_on(d: dt.date) -> AdminEra:
    """The administrative map in force on `d`."""
    return AdminEra.POST2025 if d >= ERA_CHANGE_DATE else AdminEra.PRE2025


@dataclass(frozen=True)
class AdminUnit:
    """One unit of one era. `parent_code` is the province of a district or of a post-2025
    commune, the district of a pre-2025 commune, None for a province."""

    era: AdminEra
    code: str  # the package's integer code as a string, without zero padding ("3164")
    name: str  # full name with its type, as the package spells it: "Xã Quảng Lâm"
    level: Level  # "commune" includes wards, townships and special zones
    parent_code: str | None


def normalize(name: str) -> str:
    """Accent-free, lower-case, punctuation-free key with single spaces.

    Callers compare keys word-wise (e.g. with endswith), so words are kept apart rather than
    squashed together.
    """
    decomposed = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join("".join(c if c.isalnum() else " " for c in bare).split())


def _era(era: AdminEra | str) -> AdminEra:
    # Raises ValueError on "" or a typo instead of silently reading the post-2025 map.
    return AdminEra(era)


def _key(code: str | int) -> str | None:
    # The package's codes are ints; official lists pad them ("03164"). Accept both.
    try:
        return str(int(code))
    except (TypeError, ValueError):
        return None


# Parent level of each level, per era: pre-2025 communes hang under districts.
_PARENT: dict[AdminEra, dict[str, Level | None]] = {
    AdminEra.PRE2025: {"province": None, "district": "province", "commune": "district"},
    AdminEra.POST2025: {"province": None, "commune": "province"},
}


@dataclass(frozen=True)
class _Index:
    units: dict[tuple[str, str], AdminUnit]  # (level, code) -> unit
    kids: dict[tuple[str, str], list[AdminUnit]]  # (parent level, parent code) -> children


@cache
def _index(era: AdminEra) -> _Index:
    # Built once per process: ~10,800 pre-2025 and ~3,360 post-2025 units, a few ms each.
    rows: list[AdminUnit] = []
    if era is AdminEra.PRE2025:
        rows += (
            AdminUnit(era, str(int(p.code)), p.name, "province", None)
            for p in _OldProvince.iter_all()
        )
        rows += (
            AdminUnit(era, str(int(d.code)), d.name, "district", str(int(d.province_code)))
            for d in _OldDistrict.iter_all()
        )
        rows += (
            AdminUnit(era, str(int(w.code)), w.name, "commune", str(int(w.district_code)))
            for w in _OldWard.iter_all()
        )
    else:
        rows += (
            AdminUnit(era, str(int(p.code)), p.name, "province", None)
            for p in _NewProvince.iter_all()
        )
        rows += (
            AdminUnit(era, str(int(w.code)), w.name, "commune", str(int(w.province_code)))
            for w in _NewWard.iter_all()
        )
    units = {(u.level, u.code): u for u in rows}
    kids: dict[tuple[str, str], list[AdminUnit]] = defaultdict(list)
    for u in rows:
        parent_level = _PARENT[era][u.level]
        if parent_level and u.parent_code:
            kids[(parent_level, u.parent_code)].append(u)
    return _Index(units, dict(kids))


def get(era: AdminEra | str, code: str | int, level: Level = "commune") -> AdminUnit | None:
    """The unit with this code in this era, or None. `level` is needed because province,
    district and commune codes overlap."""
    key = _key(code)
    return _index(_era(era)).units.get((level, key)) if key else None


def children(era: AdminEra | str, code: str | int, level: Level = "province") -> list[AdminUnit]:
    """The units directly under the `level` unit `code`: districts of a pre-2025 province,
    communes of a pre-2025 district or of a post-2025 province. In the package's order."""
    key = _key(code)
    return list(_index(_era(era)).kids.get((level, key), [])) if key else []


def _ancestor(idx: _Index, unit: AdminUnit, level: Level) -> AdminUnit | None:
    era = unit.era
    current: AdminUnit | None = unit
    while current is not None and current.level != level:
        parent_level = _PARENT[era][current.level]
        if parent_level is None or current.parent_code is None:
            return None
        current = idx.units.get((parent_level, current.parent_code))
    return current


def find(
    era: AdminEra | str,
    name_search: str,
    level: Level | None = None,
    within: str | int | None = None,
    within_level: Level | None = None,
) -> list[AdminUnit]:
    """Units whose accent-free name contains `name_search`'s (so "quang lam" finds "Xã Quảng
    Lâm"), optionally of one level and inside the unit `within`.

    `within` is taken at `within_level`, by default the searched level's direct parent (the
    district for pre-2025 communes, the province otherwise; the province when `level` is None),
    so find(PRE2025, "Quảng Lâm", within=11) searches the whole of old Điện Biên.
    """
    e = _era(era)
    idx = _index(e)
    needle = normalize(name_search)
    if within_level is None:
        within_level = (_PARENT[e].get(level) if level else None) or "province"
    within_key = _key(within) if within is not None else None
    if within is not None and within_key is None:
        return []
    hits = []
    for u in idx.units.values():
        if level is not None and u.level != level:
            continue
        if needle not in normalize(u.name):
            continue
        if within_key is not None:
            anc = _ancestor(idx, u, within_level)
            if anc is None or anc is u or anc.code != within_key:
                continue
        hits.append(u)
    return hits


def _name_key(unit: AdminUnit) -> str:
    # "Phường Mường Thanh" and "Xã Mường Thanh" share the place name "muong thanh"; the type
    # word comes first and is one word in all of the package's commune types but "thị trấn".
    key = normalize(unit.name)
    for prefix in ("thi tran ", "xa ", "phuong ", "dac khu "):
        if key.startswith(prefix):
            return key.removeprefix(prefix)
    return key


def successors(old_commune_code: str | int) -> list[AdminUnit]:
    """The post-2025 commune(s) an old commune went to, per the package's conversion table.

    One unit for a whole merge; several when the old commune was split ("partly merged"). The
    table gives no shares of territory or population, so none is "the main" one: the unit that
    kept the old commune's place name, if any, comes first, then the table's order. Empty for
    the few old communes the table does not cover (none in Điện Biên).
    """
    key = _key(old_commune_code)
    entry = _ward_conv.find_new_wards(int(key)) if key else None
    if entry is None:
        return []
    news = _resolve(AdminEra.POST2025, (ref.code for ref in entry.new_wards))
    old = get(AdminEra.PRE2025, key)
    if old is not None:
        place = _name_key(old)
        news.sort(key=lambda n: _name_key(n) != place)  # stable: table order otherwise
    return news


def predecessors(new_code: str | int) -> list[AdminUnit]:
    """The pre-2025 communes merged (wholly or in part) into a post-2025 commune, in the
    table's order. Empty for the five island special zones made from old districts that had no
    communes in the legacy data (Côn Đảo, Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn)."""
    key = _key(new_code)
    entry = _ward_conv.find_old_wards(int(key)) if key else None
    if entry is None:
        return []
    return _resolve(AdminEra.PRE2025, (ref.code for ref in entry.old_wards))


def _resolve(era: AdminEra, codes: Iterable[int]) -> list[AdminUnit]:
    # The table refers to 10 old codes the legacy dataset does not have (wards of Mộc Châu in
    # Sơn La and of Hồ Chí Minh City): drop them rather than invent names.
    return [u for c in codes if (u := get(era, c)) is not None]


def is_partly_merged(old_commune_code: str | int) -> bool:
    """Whether the table marks the old commune as split between several new ones."""
    key = _key(old_commune_code)
    return bool(key and _ward_conv.is_partly_merged(int(key)))


def province_successor(old_province_code: str | int) -> AdminUnit | None:
    """The post-2025 province an old province went to. The table derives provinces from
    communes, so an old province with communes in two new provinces (Tiền Giang, 82 → Đồng
    Tháp 82 and Tây Ninh 80) lists both: the one keeping the code comes first, else the
    table's first."""
    key = _key(old_province_code)
    entry = _prov_conv.OLD_TO_NEW.get(int(key)) if key else None
    if entry is None or not entry.new_provinces:
        return None
    codes = sorted((ref.code for ref in entry.new_provinces), key=lambda c: str(c) != key)
    return get(AdminEra.POST2025, codes[0], "province")


def province_predecessors(new_province_code: str | int) -> list[AdminUnit]:
    """The pre-2025 provinces whose communes make up a post-2025 province."""
    key = _key(new_province_code)
    entry = _prov_conv.NEW_TO_OLD.get(int(key)) if key else None
    if entry is None:
        return []
    return [
        u
        for ref in entry.old_provinces
        if (u := get(AdminEra.PRE2025, ref.code, "province")) is not None
    ]
