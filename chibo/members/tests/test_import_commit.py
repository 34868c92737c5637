"""The import writes as the user who imports (issue 10, finding 1): permission-checked, every
change through the members' services with its audit row naming the actor, card numbers
through the card service; never without an actor."""

import ast
import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chibo.audit.models import AuditLog
from chibo.core.actors import MissingActor
from chibo.members import imports, services
from chibo.members.models import Member
from chibo.members.records import update_record
from tests.world import make_member

from .books import book, row

IDENT = "011068001234"


def _plan(world, rows, user=None):
    sheet = imports.read(book(rows))
    return imports.validate(
        sheet, imports.auto_mapping(sheet.headers), world.commune_a, user=user or world.official_a
    )


def test_the_import_is_refused_without_an_actor_or_the_right_to_write(world):
    plan = _plan(world, [row(world.cells_a[0].name)])
    assert plan.errors == [] and plan.count("new") == 1
    with pytest.raises(MissingActor):
        imports.commit(plan, actor=None)
    for actor in (world.viewer_a, world.official_b):
        with pytest.raises(PermissionDenied):
            imports.commit(plan, actor=actor)
    assert not Member.objects.exists()
    assert not AuditLog.objects.filter(action="members.import").exists()


def test_every_change_goes_through_the_services_as_the_importing_user(world):
    pom = make_member(world.cells_a[0], "Lò Văn Pọm", birth_year=1968)
    update_record(
        actor=world.admin,
        member=pom,
        identity_type="cccd",
        identity_no=IDENT,
        birth_date=dt.date(1968, 5, 12),
    )
    services.set_card_number(actor=world.admin, member=pom, card_no="62000001")
    before = set(AuditLog.objects.values_list("pk", flat=True))
    line = row(
        f"#{world.cells_a[1].pk}",
        identity_no=IDENT,
        card_no="62000999",
        admitted="20/05/2000",
        recognized_on="",
        position="Trưởng bản",
    )
    plan = _plan(world, [line])
    assert plan.errors == [] and plan.rows[0].action == "update"
    imports.commit(plan, actor=world.official_a)
    pom.refresh_from_db()
    assert (pom.card_no, pom.position) == ("62000999", "Trưởng bản")
    assert pom.home_unit == world.cells_a[1]
    written = AuditLog.objects.exclude(pk__in=before)
    assert set(written.values_list("action", flat=True)) == {
        "members.record",
        "members.event.correct",
        "members.card_no",
        "members.transfer.internal",
        "members.import",
    }
    assert set(written.values_list("actor", flat=True)) == {world.official_a.pk}
    card = written.get(action="members.card_no")
    assert (card.before, card.after["card_no"]) == ({"card_no": "62000001"}, "62000999")


def test_the_card_service_checks_the_actor_the_digits_and_the_holder(world):
    pom = make_member(world.cells_a[0], "Lò Văn Pọm")
    cuong = make_member(world.cells_a[0], "Lò Văn Cường")
    services.set_card_number(actor=world.official_a, member=cuong, card_no="62000123")
    with pytest.raises(MissingActor):
        services.set_card_number(actor=None, member=pom, card_no="62000001")
    for actor in (world.viewer_a, world.official_b):
        with pytest.raises(PermissionDenied):
            services.set_card_number(actor=actor, member=pom, card_no="62000001")
    with pytest.raises(ValidationError, match="chỉ gồm chữ số"):
        services.set_card_number(actor=world.official_a, member=pom, card_no="62A")
    with pytest.raises(ValidationError, match="đã thuộc về một đảng viên khác"):
        services.set_card_number(actor=world.official_a, member=pom, card_no="62000123")
    pom.refresh_from_db()
    assert pom.card_no == ""
    assert AuditLog.objects.filter(action="members.card_no").count() == 1  # Cường's only


def test_no_import_code_passes_actor_none():
    """The import's modules never call a service with actor=None (no permission check, an
    audit row without an actor)."""
    folder = Path(imports.__file__).parent
    for path in sorted(folder.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.keyword) and node.arg == "actor":
                value = node.value
                assert not (isinstance(value, ast.Constant) and value.value is None), (
                    f"{path.name}:{node.lineno}"
                )
