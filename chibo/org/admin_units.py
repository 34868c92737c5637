"""Administrative units before and after 1/7/2025, through vietnam-provinces.

The app stores administrative links as (era, code) pairs because the package reuses codes for
other territories after 1/7/2025. Nothing else in chibo imports the package directly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from vietnam_provinces import Province as NewProvince
from vietnam_provinces import Ward as NewWard
from vietnam_provinces import _province_conversion_2025 as prov_conv
from vietnam_provinces import _ward_conversion_2025 as ward_conv
from vietnam_provinces.legacy.base import District as OldDistrict
from vietnam_provinces.legacy.base import Province as OldProvince
from vietnam_provinces.legacy.base import Ward as OldWard

from chibo.core.text import search_key

PRE2025 = "pre2025"
POST2025 = "post2025"
ERA_CHANGE_DATE = dt.date(2025, 7, 1)


def era_on(d: dt.date) -> str:
    return POST2025 if d >= ERA_CHANGE_DATE else PRE2025


@dataclass(frozen=True)
class AdminUnit:
    era: str
    code: str
    name: str
    level: str  # province | district | commune (wards, townships and special zones included)
    parent_code: str | None


def normalize(name: str) -> str:
    return search_key(name)


@cache
def _units(era: str) -> dict[str, AdminUnit]:
    out: dict[str, AdminUnit] = {}
    if era == PRE2025:
        for p in OldProvince.iter_all():
            out[f"p{p.code}"] = AdminUnit(era, str(p.code), p.name, "province", None)
        for d in OldDistrict.iter_all():
            out[f"d{d.code}"] = AdminUnit(
                era, str(d.code), d.name, "district", str(int(d.province_code))
            )
        for w in OldWard.iter_all():
            out[f"c{w.code}"] = AdminUnit(
                era, str(w.code), w.name, "commune", str(int(w.district_code))
            )
    else:
        for p in NewProvince.iter_all():
            out[f"p{p.code}"] = AdminUnit(era, str(p.code), p.name, "province", None)
        for w in NewWard.iter_all():
            out[f"c{w.code}"] = AdminUnit(
                era, str(w.code), w.name, "commune", str(int(w.province_code))
            )
    return out


_PREFIX = {"province": "p", "district": "d", "commune": "c"}


def get(era: str, code: str | int, level: str = "commune") -> AdminUnit | None:
    return _units(era).get(f"{_PREFIX[level]}{int(code)}")


def children(era: str, code: str | int, level: str) -> list[AdminUnit]:
    return [u for u in _units(era).values() if u.level == level and u.parent_code == str(int(code))]


def find(
    era: str, name: str, level: str | None = None, within: str | None = None
) -> list[AdminUnit]:
    """Units whose accent-free name contains `name`'s, optionally of a level and directly under
    the unit coded `within` (a district for old communes, a province otherwise)."""
    key = normalize(name)
    return [
        u
        for u in _units(era).values()
        if key in normalize(u.name)
        and (level is None or u.level == level)
        and (within is None or u.parent_code == str(int(within)))
    ]


def successors(old_commune_code: str | int) -> list[AdminUnit]:
    """The post-2025 commune(s) an old commune went to; the first is the one that kept its
    name if any, else the first the mapping lists (a partly merged commune has several)."""
    entry = ward_conv.find_new_wards(int(old_commune_code))
    if entry is None:
        return []
    news = [get(POST2025, r.code) for r in entry.new_wards]
    news = [n for n in news if n is not None]
    old = get(PRE2025, old_commune_code)
    if old is not None:
        base = normalize(old.name).split(" ", 1)[-1]
        news.sort(key=lambda n: normalize(n.name).split(" ", 1)[-1] != base)
    return news


def predecessors(new_commune_code: str | int) -> list[AdminUnit]:
    entry = ward_conv.find_old_wards(int(new_commune_code))
    if entry is None:
        return []
    return [u for r in entry.old_wards if (u := get(PRE2025, r.code)) is not None]


def is_partly_merged(old_commune_code: str | int) -> bool:
    return bool(ward_conv.is_partly_merged(int(old_commune_code)))


def province_successor(old_province_code: str | int) -> AdminUnit | None:
    entry = prov_conv.find_new_provinces(int(old_province_code))
    if entry is None or not entry.new_provinces:
        return None
    return get(POST2025, entry.new_provinces[0].code, "province")
