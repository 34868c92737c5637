import datetime as dt
import io

from django.core.management import call_command

from chibo.core.actors import SYSTEM
from chibo.core.models import SystemInfo
from chibo.core.text import icu_version, search_key, sort_key
from chibo.members.models import Member
from chibo.members.services import add_member
from chibo.org.models import Unit


def test_it_rebuilds_stored_keys_and_records_the_icu_version(world):
    m = add_member(
        actor=SYSTEM,
        unit=world.cells_a[0],
        family_name="Đặng",
        middle_name="Thị",
        given_name="Ánh",
        gender="f",
        birth_year=1990,
        admitted_on=dt.date(2015, 1, 1),
        recognized_on=dt.date(2016, 1, 1),
        placed_on=dt.date(2020, 1, 1),
    )
    Member.objects.filter(pk=m.pk).update(sort_key="stale", search_key="stale")
    Unit.objects.filter(pk=world.commune_a.pk).update(search_key="stale")
    out = io.StringIO()
    call_command("rebuild_text_keys", stdout=out)
    m.refresh_from_db()
    # Each app rebuilt its own keys through core's hooks: units (org) and members.
    assert Unit.objects.get(pk=world.commune_a.pk).search_key == (
        search_key(f"{world.commune_a.name} {world.commune_a.short_name} {world.commune_a.code}")
    )
    assert "khóa tổ chức" in out.getvalue() and "khóa đảng viên" in out.getvalue()
    assert m.sort_key == sort_key("Đặng", "Thị", "Ánh") and m.search_key == "dang thi anh"
    assert SystemInfo.objects.get(key="text_keys_icu").value == icu_version()


def test_it_warns_when_keys_were_built_by_another_icu(db):
    from chibo.core.checks import text_keys_built_by_this_icu

    SystemInfo.objects.create(key="text_keys_icu", value="ICU 1.0")
    warnings = text_keys_built_by_this_icu(None, databases=["default"])
    assert warnings and warnings[0].id == "chibo.W001"
