"""chibo.org.admin_units against the real vietnam-provinces data (Điện Biên, the demo province).

No database and no Django: the module is pure Python, so these run with -p no:django.
"""

from __future__ import annotations

import datetime as dt

import pytest

from chibo.org import admin_units as au
from chibo.org.admin_units import POST2025, PRE2025, AdminEra, AdminUnit


@pytest.fixture(autouse=True)
def _fast_hasher() -> None:
    """Shadows the root conftest's autouse fixture of the same name, which needs pytest-django's
    `settings`: these tests never hash a password, and must also run with -p no:django."""


def names(units: list[AdminUnit]) -> set[str]:
    return {u.name for u in units}


def test_it_switches_era_on_1_7_2025() -> None:
    assert au.ERA_CHANGE_DATE == dt.date(2025, 7, 1)
    assert au.era_on(dt.date(2025, 6, 30)) is AdminEra.PRE2025
    assert au.era_on(dt.date(2025, 7, 1)) is AdminEra.POST2025
    assert au.era_on(dt.date(2020, 1, 1)) == "pre2025"  # StrEnum: equal to the stored string
    assert au.era_on(dt.date(2030, 1, 1)) == "post2025"


def test_it_has_both_maps() -> None:
    pre_provinces = au.find(PRE2025, "", level="province")
    post_provinces = au.find(POST2025, "", level="province")
    assert (len(pre_provinces), len(post_provinces)) == (63, 34)
    assert len(au.find(POST2025, "", level="commune")) == 3321
    assert au.find(POST2025, "", level="district") == []  # no districts after 1/7/2025


def test_it_knows_old_dien_bien_and_its_districts() -> None:
    province = au.get(PRE2025, 11, "province")
    assert province == AdminUnit(PRE2025, "11", "Tỉnh Điện Biên", "province", None)
    districts = {
        d.code: (d.name, len(au.children(PRE2025, d.code, "district")))
        for d in au.children(PRE2025, 11)
    }
    assert districts == {
        "94": ("Thành phố Điện Biên Phủ", 12),
        "95": ("Thị xã Mường Lay", 3),
        "96": ("Huyện Mường Nhé", 11),
        "97": ("Huyện Mường Chà", 12),
        "98": ("Huyện Tủa Chùa", 12),
        "99": ("Huyện Tuần Giáo", 19),
        "100": ("Huyện Điện Biên", 21),
        "101": ("Huyện Điện Biên Đông", 14),
        "102": ("Huyện Mường Ảng", 10),
        "103": ("Huyện Nậm Pồ", 15),
    }
    assert names(au.children(PRE2025, 95, "district")) == {
        "Phường Sông Đà",
        "Phường Na Lay",
        "Xã Lay Nưa",
    }


def test_it_finds_accent_insensitively_within_a_province_or_district() -> None:
    # A pre-2025 commune's parent is its district: searching a province needs within_level.
    [quang_lam] = au.find(PRE2025, "quang lam", level="commune", within=11, within_level="province")
    assert (quang_lam.code, quang_lam.name, quang_lam.parent_code) == ("3164", "Xã Quảng Lâm", "96")
    [na_co_sa] = au.find(PRE2025, "Na Cô Sa", level="commune", within=103)  # district Nậm Pồ
    assert na_co_sa.code == "3167"
    assert au.find(PRE2025, "Na Cô Sa", level="commune", within=96) == []  # not in Mường Nhé
    [xa_tong] = au.find(PRE2025, "XÁ TỔNG", within=11)
    assert (xa_tong.code, xa_tong.parent_code) == ("3178", "97")
    [muong_lay] = au.find(POST2025, "Mường Lay", level="commune", within=11)
    assert (muong_lay.code, muong_lay.name) == ("3151", "Phường Mường Lay")


def test_it_merges_quang_lam_and_na_co_sa_into_new_quang_lam() -> None:
    new = au.get(POST2025, 3164)
    assert new == AdminUnit(POST2025, "3164", "Xã Quảng Lâm", "commune", "11")
    assert names(au.predecessors(3164)) == {"Xã Quảng Lâm", "Xã Na Cô Sa"}
    assert {u.code for u in au.predecessors(3164)} == {"3164", "3167"}
    assert au.successors(3167) == [new]  # Na Cô Sa, from another old district (Nậm Pồ)
    assert au.successors(3164) == [new]
    assert not au.is_partly_merged(3167)


def test_it_merges_four_units_from_two_districts_into_phuong_muong_lay() -> None:
    new = au.get(POST2025, 3151)
    assert new is not None and new.name == "Phường Mường Lay"
    olds = au.predecessors(3151)
    assert {(u.code, u.name, u.parent_code) for u in olds} == {
        ("3148", "Phường Sông Đà", "95"),
        ("3151", "Phường Na Lay", "95"),
        ("3184", "Xã Lay Nưa", "95"),
        ("3178", "Xã Xá Tổng", "97"),  # from Huyện Mường Chà
    }
    for old in olds:
        assert au.successors(old.code) == [new]


def test_it_resolves_a_reused_code_to_different_units_per_era() -> None:
    # 3334 was Xã Thanh Xương (Huyện Điện Biên); from 1/7/2025 it is Phường Mường Thanh, while
    # the old Phường Mường Thanh (3136) went into Phường Điện Biên Phủ (3127).
    old = au.get(PRE2025, "3334")
    new = au.get(POST2025, "3334")
    assert old == AdminUnit(PRE2025, "3334", "Xã Thanh Xương", "commune", "100")
    assert new == AdminUnit(POST2025, "3334", "Phường Mường Thanh", "commune", "11")
    assert names(au.predecessors(3334)) == {
        "Phường Noong Bua",
        "Phường Nam Thanh",
        "Xã Thanh Xương",
    }
    assert [u.name for u in au.successors(3136)] == ["Phường Điện Biên Phủ"]


def test_it_keeps_the_province_code_for_dien_bien() -> None:
    new = au.province_successor(11)
    assert new == AdminUnit(POST2025, "11", "Tỉnh Điện Biên", "province", None)
    assert names(au.province_predecessors(11)) == {"Tỉnh Điện Biên"}
    assert len(au.children(POST2025, 11)) == 45


def test_it_lists_every_target_of_a_partly_merged_commune() -> None:
    # Hà Nội, old 19 (Phường Điện Biên, Ba Đình) was split between four new wards.
    assert au.is_partly_merged(19)
    assert {u.code for u in au.successors(19)} == {"4", "70", "190", "226"}


def test_it_accepts_padded_codes_and_rejects_unknown_ones() -> None:
    assert au.get(POST2025, "03164") == au.get(POST2025, 3164)
    assert au.get(POST2025, 3164, "province") is None  # codes are per level
    assert au.get(PRE2025, "not-a-code") is None
    assert au.successors(999999) == [] and au.predecessors(999999) == []
    with pytest.raises(ValueError):
        au.get("", 3164)
