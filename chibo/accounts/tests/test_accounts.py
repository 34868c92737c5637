import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chibo.accounts import services
from chibo.accounts.choices import Role
from chibo.accounts.models import Grant, User
from chibo.audit.models import AuditLog
from chibo.core.scope import can
from chibo.org.models import Unit
from chibo.org.services import MergeUnits, UnitSpec
from tests.world import decision

REFORM = dt.date(2025, 7, 1)


def test_it_creates_an_account_without_email_and_the_code_sets_the_password(world, client):
    user, code = services.create_account(
        actor=world.official_a,
        username="Bithu.Dong",
        full_name="Lò Văn Đông",
        unit=world.cells_a[0],
        role=Role.SECRETARY,
    )
    assert user.username == "bithu.dong" and not user.has_usable_password()
    assert len(code) == 8 and code.isdigit()
    assert AuditLog.objects.filter(action="accounts.create", unit=world.cells_a[0]).exists()
    with pytest.raises(ValidationError):
        services.redeem_reset_code(
            username="bithu.dong", code="00000000", new_password="Bi-thu-moi-2026"
        )
    services.redeem_reset_code(username="bithu.dong", code=code, new_password="Bi-thu-moi-2026")
    assert client.login(username="bithu.dong", password="Bi-thu-moi-2026")
    with pytest.raises(ValidationError):  # one time only
        services.redeem_reset_code(username="bithu.dong", code=code, new_password="Khac-nua-2026")


def test_it_refuses_accounts_outside_the_actor_scope(world):
    with pytest.raises(PermissionDenied):
        services.create_account(
            actor=world.official_b,
            username="x",
            full_name="X",
            unit=world.cells_a[0],
            role=Role.SECRETARY,
        )
    with pytest.raises(PermissionDenied):
        services.create_account(
            actor=world.viewer_a,
            username="x",
            full_name="X",
            unit=world.cells_a[0],
            role=Role.SECRETARY,
        )
    assert not User.objects.filter(username="x").exists()


def test_it_refuses_a_duplicate_username_with_a_clear_message(world):
    with pytest.raises(ValidationError) as exc:
        services.create_account(
            actor=world.official_a,
            username="XEM.A",
            full_name="X",
            unit=world.cells_a[0],
            role=Role.VIEWER,
        )
    assert "đã có" in str(exc.value)


def test_it_only_lets_system_admins_grant_the_admin_role(world):
    with pytest.raises(PermissionDenied):
        services.add_grant(
            actor=world.official_a,
            user=world.viewer_a,
            unit=world.commune_a,
            role=Role.ADMIN,
            valid_from=REFORM,
        )


def test_it_hands_grants_over_when_a_secretary_changes(world):
    old, _ = services.create_account(
        actor=world.official_a,
        username="bithu.cu",
        full_name="Cũ",
        unit=world.cells_a[1],
        role=Role.SECRETARY,
        valid_from=dt.date(2020, 1, 1),
    )
    new, _ = services.create_account(
        actor=world.official_a,
        username="bithu.moi",
        full_name="Mới",
        unit=world.official_a.grants.first().unit,
        role=Role.VIEWER,
        valid_from=dt.date(2020, 1, 1),
    )
    services.hand_over(actor=world.official_a, from_user=old, to_user=new, on=REFORM)
    assert not old.grants.active(REFORM).exists()
    assert old.grants.active(dt.date(2024, 1, 1)).exists()  # history kept
    assert new.grants.active(REFORM).filter(unit=world.cells_a[1], role=Role.SECRETARY).exists()


def test_it_repoints_grants_when_units_merge(world):
    MergeUnits(
        decision(REFORM),
        sources=[world.commune_a, world.commune_b],
        new_spec=UnitSpec(kind="commune", name="Xã Mới"),
        new_parent=world.province,
    ).execute(actor=world.admin)
    g = world.official_a.grants.active(REFORM).get()
    assert g.unit.name == "Xã Mới"
    assert world.official_a.grants.active(dt.date(2024, 1, 1)).get().unit == world.commune_a


def test_it_lets_the_successor_see_the_predecessors_history(world):
    """The merged commune's official sees both old communes and their cells (lineage)."""
    action = MergeUnits(
        decision(REFORM),
        sources=[world.commune_a, world.commune_b],
        new_spec=UnitSpec(kind="commune", name="Xã Mới"),
        new_parent=world.province,
        repoint_grants=False,
    )
    action.execute(actor=world.admin)
    newbie = User.objects.create_user("canbo.moi", password="x-x-x-x-x-1")
    Grant.objects.create(user=newbie, unit=action.target, role=Role.OFFICIAL, valid_from=REFORM)
    for unit in [world.commune_a, world.commune_b, *world.cells_a, world.cell_b]:
        assert can(newbie, "view", unit), unit
    assert not can(newbie, "view", world.province)
    # Date-bounded: in 2024, the cells lay under the old communes, which are predecessors.
    ids = set(Unit.objects.restrict(newbie, on=dt.date(2024, 1, 1)).values_list("pk", flat=True))
    assert world.cells_a[0].pk in ids and world.province.pk not in ids


def test_it_ignores_expired_and_future_grants(world):
    u = User.objects.create_user("tam.thoi", password="x-x-x-x-x-1")
    Grant.objects.create(
        user=u,
        unit=world.commune_a,
        role=Role.VIEWER,
        valid_from=dt.date(2020, 1, 1),
        valid_to=dt.date(2021, 1, 1),
    )
    assert not can(u, "view", world.commune_a)
    Grant.objects.create(
        user=u, unit=world.commune_a, role=Role.VIEWER, valid_from=dt.date(2099, 1, 1)
    )
    assert not can(u, "view", world.commune_a)


def test_it_authenticates_the_api_with_a_personal_token(world, client):
    raw = services.create_token(actor=world.official_a, name="báo cáo")
    resp = client.get(
        f"/api/v1/units/{world.commune_a.pk}", headers={"Authorization": f"Bearer {raw}"}
    )
    assert resp.status_code == 200
    assert resp.json()["name"] == "Đảng bộ xã Đồng Tâm"
    bad = client.get(
        f"/api/v1/units/{world.commune_a.pk}", headers={"Authorization": "Bearer chibo_wrong"}
    )
    assert bad.status_code == 401
    other = client.get(
        f"/api/v1/units/{world.commune_b.pk}", headers={"Authorization": f"Bearer {raw}"}
    )
    assert other.status_code == 404


def test_it_hashes_passwords_with_argon2_outside_tests():
    from chibo import settings as module  # the module's own list, before the test override

    assert module.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_it_logs_who_viewed_an_account_record(world, client):
    from tests.world import PASSWORD

    client.login(username="canbo.a", password=PASSWORD)
    assert client.get(f"/accounts/{world.viewer_a.pk}/").status_code == 200
    row = AuditLog.objects.get(action="view.account")
    assert row.actor == world.official_a and row.object_id == str(world.viewer_a.pk)


def test_it_shows_only_the_grants_the_viewer_may_see(world, client):
    from tests.world import PASSWORD

    Grant.objects.create(
        user=world.viewer_a, unit=world.cell_b, role=Role.FOLLOWER, valid_from=dt.date(2020, 1, 1)
    )
    client.login(username="canbo.a", password=PASSWORD)
    page = client.get(f"/accounts/{world.viewer_a.pk}/").content.decode()
    assert "Chi bộ tổ dân phố 1" not in page and "quyền ở tổ chức ngoài" not in page
    assert "Tài khoản này có quyền ở cấp khác; đề nghị cấp trên thực hiện" in page
    api = client.get(f"/api/v1/accounts/{world.viewer_a.pk}").json()
    assert [g["unit"] for g in api["grants"]] == ["Đảng bộ xã Đồng Tâm"]


def test_it_requires_csrf_for_api_writes_with_a_session(world):
    from django.test import Client

    from tests.world import PASSWORD

    client = Client(enforce_csrf_checks=True)
    client.login(username="canbo.a", password=PASSWORD)
    body = {
        "kind": "rename",
        "unit_id": world.commune_a.pk,
        "effective_date": "2026-01-01",
        "decision_no": "5-QĐ/TU",
        "issuer": "Ban Thường vụ Tỉnh ủy",
        "name": "Tên khác",
    }
    resp = client.post("/api/v1/units/restructure/apply", body, content_type="application/json")
    assert resp.status_code in (401, 403)
    world.commune_a.refresh_from_db()
    assert world.commune_a.name == "Đảng bộ xã Đồng Tâm"
