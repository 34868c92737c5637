"""Account administration cannot climb (issue 11, finding 1): the chains seen working are
refused through the services, the pages and the API."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chibo.accounts import services
from chibo.accounts.choices import Role
from chibo.accounts.models import Grant, ResetCode
from chibo.audit.models import AuditLog
from tests.world import PASSWORD, START, make_user

ELSEWHERE = "Tài khoản này có quyền ở cấp khác; đề nghị cấp trên thực hiện"


@pytest.fixture
def province_official(world):
    """Holds the province today, and once (expired) a cell of commune A."""
    p = make_user("tinh.uy", world.province, Role.OFFICIAL)
    Grant.objects.create(
        user=p,
        unit=world.cells_a[0],
        role=Role.SECRETARY,
        valid_from=dt.date(2015, 1, 1),
        valid_to=dt.date(2018, 1, 1),
    )
    return p


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_the_chain_of_the_review_is_refused(world, province_official, client):
    a = world.official_a
    with pytest.raises(PermissionDenied, match=ELSEWHERE):
        services.add_grant(
            actor=a,
            user=province_official,
            unit=world.cells_a[0],
            role=Role.VIEWER,
            valid_from=dt.date.today(),
        )
    with pytest.raises(PermissionDenied, match=ELSEWHERE):
        services.issue_reset_code(actor=a, user=province_official)
    assert not ResetCode.objects.filter(user=province_official).exists()
    assert province_official.grants.count() == 2
    # The same through the page and the API: the account can be seen (it holds a cell of A?
    # no: its only grant there has expired) — it is not even visible to A's official.
    _login(client, a)
    assert client.get(f"/accounts/{province_official.pk}/").status_code == 404
    assert (
        client.post(
            f"/api/v1/accounts/{province_official.pk}/grants",
            {"unit_id": world.cells_a[0].pk, "role": "viewer", "valid_from": "2026-01-01"},
            content_type="application/json",
        ).status_code
        == 404
    )


def test_an_account_with_rights_elsewhere_is_visible_but_not_administered(
    world, province_official, client
):
    """Give the province official a live grant on a cell of A too: A's staff now see the
    account (it holds a unit of theirs) but may not act on it, and are told only that."""
    Grant.objects.create(
        user=province_official, unit=world.cells_a[1], role=Role.FOLLOWER, valid_from=START
    )
    _login(client, world.official_a)
    page = client.get(f"/accounts/{province_official.pk}/").content.decode()
    assert ELSEWHERE in page
    assert "Cấp mã một lần" not in page and "Cấp quyền" not in page
    assert "Đảng bộ tỉnh Thử" not in page and "quyền ở tổ chức ngoài" not in page
    for op in ("reset", "grant", "handover"):
        r = client.post(f"/accounts/{province_official.pk}/", {"op": op})
        assert r.status_code == 403
    r = client.post(
        f"/api/v1/accounts/{province_official.pk}/grants",
        {"unit_id": world.cells_a[0].pk, "role": "viewer", "valid_from": "2026-01-01"},
        content_type="application/json",
    )
    assert r.status_code == 403
    g = province_official.grants.get(unit=world.cells_a[1])
    with pytest.raises(PermissionDenied):
        services.end_grant(actor=world.official_a, grant=g, on=dt.date.today())
    assert not ResetCode.objects.filter(user=province_official).exists()
    assert province_official.grants.count() == 3


def test_the_hand_over_variant_is_refused(world, province_official):
    """Handing a secretary's grants TO the province official, then issuing a code."""
    sec = make_user("bithu.dong", world.cells_a[0], Role.SECRETARY)
    with pytest.raises(PermissionDenied, match=ELSEWHERE):
        services.hand_over(
            actor=world.official_a,
            from_user=sec,
            to_user=province_official,
            on=dt.date.today(),
        )
    assert sec.grants.active().count() == 1
    assert province_official.grants.filter(unit=world.cells_a[0], valid_to=None).count() == 0
    # …and from an account with rights elsewhere to one of A's own
    helper = make_user("bithu.moi", world.cells_a[0], Role.MEMBER)
    with pytest.raises(PermissionDenied, match=ELSEWHERE):
        services.hand_over(
            actor=world.official_a,
            from_user=province_official,
            to_user=helper,
            on=dt.date.today(),
        )


def test_the_system_administrators_account_is_only_a_system_administrators(world):
    for target in (world.admin, make_user("quantri.xa", world.commune_a, Role.ADMIN)):
        with pytest.raises(PermissionDenied):
            services.issue_reset_code(actor=world.official_a, user=target)
        with pytest.raises(PermissionDenied):
            services.add_grant(
                actor=world.official_a,
                user=target,
                unit=world.cells_a[0],
                role=Role.VIEWER,
                valid_from=dt.date.today(),
            )
    # the system administrator may
    assert services.issue_reset_code(actor=world.admin, user=world.official_a)


def test_an_admin_grant_on_a_commune_administers_that_commune_only(world):
    local = make_user("quantri.xa", world.commune_a, Role.ADMIN)
    from chibo.core.scope import can, is_system_admin

    assert not is_system_admin(local)
    assert can(local, "accounts", world.cells_a[0])
    assert not can(local, "view", world.cell_b) and not can(local, "view", world.commune_b)
    with pytest.raises(PermissionDenied):
        services.issue_reset_code(actor=local, user=world.official_b)
    with pytest.raises(PermissionDenied):  # nor can it make more administrators
        services.add_grant(
            actor=local,
            user=world.viewer_a,
            unit=world.cells_a[0],
            role=Role.ADMIN,
            valid_from=dt.date.today(),
        )


def test_a_creation_code_is_void_once_the_account_gains_rights_beyond_its_creator(world):
    user, code = services.create_account(
        actor=world.official_a,
        username="bithu.tay",
        full_name="Lò Văn Tây",
        unit=world.cells_a[1],
        role=Role.SECRETARY,
    )
    services.add_grant(
        actor=world.admin,
        user=user,
        unit=world.cell_b,
        role=Role.FOLLOWER,
        valid_from=dt.date.today(),
    )
    with pytest.raises(ValidationError):
        services.redeem_reset_code(username="bithu.tay", code=code, new_password="Bi-thu-moi-2026")
    assert not user.__class__.objects.get(pk=user.pk).has_usable_password()
    assert AuditLog.objects.filter(action="accounts.reset_code_void", object_id=str(user.pk))


def test_a_reset_code_is_void_after_five_wrong_tries_and_after_24_hours(world, clock):
    user, code = services.create_account(
        actor=world.official_a,
        username="bithu.nam",
        full_name="Lò Văn Nam",
        unit=world.cells_a[2],
        role=Role.SECRETARY,
    )
    wrong = "1" + code[1:] if code[0] != "1" else "2" + code[1:]
    for _ in range(5):
        with pytest.raises(ValidationError):
            services.redeem_reset_code(
                username="bithu.nam", code=wrong, new_password="Bi-thu-2026x"
            )
    with pytest.raises(ValidationError):  # the right code no longer works: replay refused
        services.redeem_reset_code(username="bithu.nam", code=code, new_password="Bi-thu-2026x")
    code2 = services.issue_reset_code(actor=world.official_a, user=user)
    clock.shift(dt.timedelta(hours=24, minutes=1))
    with pytest.raises(ValidationError):
        services.redeem_reset_code(username="bithu.nam", code=code2, new_password="Bi-thu-2026x")
    code3 = services.issue_reset_code(actor=world.official_a, user=user)
    clock.shift(dt.timedelta(hours=23))
    services.redeem_reset_code(username="bithu.nam", code=code3, new_password="Bi-thu-2026x")
    with pytest.raises(ValidationError):  # replayed
        services.redeem_reset_code(username="bithu.nam", code=code3, new_password="Khac-2026-xx")


def test_no_one_issues_a_code_for_their_own_account(world):
    with pytest.raises(PermissionDenied):
        services.issue_reset_code(actor=world.official_a, user=world.official_a)


def test_the_grant_forms_start_on_the_least_role_and_offer_admin_to_no_one_else(world, client):
    _login(client, world.official_a)
    page = client.get(f"/accounts/{world.viewer_a.pk}/").content.decode()
    create = client.get("/accounts/new/").content.decode()
    for html in (page, create):
        assert 'value="admin"' not in html
    assert '<option value="member" selected>' in page
    _login(client, world.admin)
    assert 'value="admin"' in client.get(f"/accounts/{world.viewer_a.pk}/").content.decode()
