"""What an adversarial probe of issue 11 found, kept as regression tests: grants minted on a moved
or merged cell, a retired higher official's account, a deactivated issuer's code, lookalike
usernames, a hand-over on a grant's first day, reset codes and tokens."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from chibo.accounts import services
from chibo.accounts.choices import Role
from chibo.accounts.models import Grant
from chibo.accounts.scope import administers
from chibo.audit.services import record
from chibo.core.actors import SYSTEM
from chibo.core.scope import can
from chibo.members.models import Member
from chibo.members.transfers import transfer_out
from chibo.org.services import MergeUnits
from tests.world import PASSWORD, START, decision, make_member, make_user

pytestmark = pytest.mark.django_db
NEW_PW = "Mat-khau-moi-2026!"


def _take_over(client, actor, account):
    """As `actor`: issue a code for `account`, redeem it, sign in as it (the client's login
    stands for the second factor too, as in the suite; staff may reset that as well)."""
    code = services.issue_reset_code(actor=actor, user=account)
    services.redeem_reset_code(username=account.username, code=code, new_password=NEW_PW)
    assert client.login(username=account.username, password=NEW_PW)


def test_a_minted_account_cannot_reach_further_than_its_creator_by_lineage(world, client):
    """Cell B1 of commune B is merged into cell Đông of commune A. A member who had left B1
    before the merge is B's history. A's official cannot read them — but may create (and
    hold, through the one-time code) a secretary account on cell Đông, whose grant follows
    the cell's lineage to B1 and reads them."""
    gone = make_member(world.cell_b, "Hà Thị Cũ")
    Member.objects.filter(pk=gone.pk).update(identity_no="001190012345", religion="catholic")
    gone.refresh_from_db()
    transfer_out(
        actor=SYSTEM,
        member=gone,
        kind="official",
        to_unit=None,
        destination="Tỉnh khác",
        departed_on=dt.date(2023, 3, 1),
    )
    merge_on = dt.date(2025, 7, 1)
    MergeUnits(decision(merge_on), sources=[world.cell_b], into=world.cells_a[0]).execute(
        actor=SYSTEM
    )
    a = world.official_a
    assert not can(a, "view", gone)  # B's history is not A's
    # What A's official cannot read, an account A's official made cannot either: the grant
    # would reach B1's past through the cell's lineage, so it is the province's to give.
    with pytest.raises(PermissionDenied, match="lịch sử ở nơi chưa thuộc phạm vi"):
        services.create_account(
            actor=a,
            username="tay.trong",
            full_name="X",
            unit=world.cells_a[0],
            role=Role.SECRETARY,
        )
    acct, code = services.create_account(
        actor=world.admin,
        username="tay.trong",
        full_name="X",
        unit=world.cells_a[0],
        role=Role.SECRETARY,
    )
    services.redeem_reset_code(username="tay.trong", code=code, new_password=NEW_PW)
    assert client.login(username="tay.trong", password=NEW_PW)
    assert client.get(reverse("members:detail", args=[gone.pk])).status_code == 200
    assert not administers(a, acct)  # nor may A's official take it over later


def test_taking_over_a_retired_province_official_leaks_their_audit_trail(world, client):
    """A retired province official (province grant ended) now holds only a MEMBER grant on a
    cell of A. A's official administers the account (all live grants are A's), takes it over,
    and reads, as 'their own', the log of what the official did across the province."""
    p = make_user(
        "tinh.uy.cu", world.province, Role.OFFICIAL, valid_from=START, valid_to=dt.date(2024, 1, 1)
    )
    Grant.objects.create(user=p, unit=world.cells_a[1], role=Role.MEMBER, valid_from=START)
    secret = make_member(world.cell_b, "Vàng Seo Kín")
    record(actor=p, action="view.member", obj=secret, unit=world.cell_b)
    # Its ended province grant keeps it the province's: A's official may not take it over.
    assert not administers(world.official_a, p)
    with pytest.raises(PermissionDenied):
        services.issue_reset_code(actor=world.official_a, user=p)
    _take_over(client, world.admin, p)  # the level that covered it may
    assert "Vàng Seo Kín" in client.get(reverse("audit:list")).content.decode()


def test_a_code_issued_by_a_since_deactivated_official_is_void(world):
    sec = make_user("bithu.tay", world.cells_a[1], Role.SECRETARY)
    code = services.issue_reset_code(actor=world.official_a, user=sec)
    world.official_a.is_active = False  # dismissed the same day
    world.official_a.save(update_fields=["is_active"])
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.redeem_reset_code(username=sec.username, code=code, new_password=NEW_PW)


@pytest.mark.parametrize(
    "name",
    [
        "canbo.a\u200b",  # zero-width space
        "c\u0430nbo.a",  # Cyrillic а
        "ｃａｎｂｏ.ａ",  # full-width (NFKC: canbo.a)
        "canbo.a\u00a0x".replace("x", ""),  # NBSP at the end (strip() removes it? no)
        "Canbo.A\u0301",  # combining accent
    ],
)
def test_a_username_that_looks_like_an_existing_one_is_refused(world, name):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.create_account(
            actor=world.official_a,
            username=name,
            full_name="X",
            unit=world.cells_a[0],
            role=Role.SECRETARY,
        )


def test_a_username_that_looks_like_an_existing_one_is_refused_on_the_api(world, client):
    assert client.login(username="canbo.a", password=PASSWORD)
    r = client.post(
        "/api/v1/accounts/",
        {"username": "c\u0430nbo.a", "full_name": "Giả", "unit_id": world.cells_a[0].pk},
        content_type="application/json",
    )
    assert r.status_code == 400, (r.status_code, r.content[:200])


def test_hand_over_on_the_grants_first_day_leaves_an_audit_row_for_the_giver(world, today):
    from chibo.audit.models import AuditLog

    giver = make_user("bithu.nam", world.cells_a[2], Role.SECRETARY, valid_from=today)
    taker = make_user("bithu.nam2")
    Grant.objects.create(user=taker, unit=world.cells_a[2], role=Role.MEMBER, valid_from=START)
    services.hand_over(actor=world.official_a, from_user=giver, to_user=taker, on=today)
    assert not giver.grants.exists()  # the grant row is gone
    rows = AuditLog.objects.filter(object_id=str(giver.pk), action__startswith="accounts.")
    assert rows.exists(), "the giver's grant vanished without an audit row"


def test_thirty_wrong_passwords_then_the_right_one_is_refused(world, client):
    url = reverse("accounts:login")
    for _ in range(30):
        client.post(url, {"username": "xem.a", "password": "sai"}, REMOTE_ADDR="10.0.0.9")
    client.post(url, {"username": "xem.a", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9")
    assert "_auth_user_id" not in client.session, "no lockout after 30 wrong passwords"


def test_an_api_token_expires(world, client, clock):
    from chibo.accounts.services import create_token, user_for_token

    raw = create_token(actor=world.viewer_a, name="script")
    clock.move_to(dt.datetime.now() + dt.timedelta(days=800))
    assert user_for_token(raw) is None, "an API token still works 800 days later"


def test_a_password_reset_revokes_the_accounts_api_tokens(world):
    from chibo.accounts.services import create_token, user_for_token

    victim = make_user("bithu.dong2", world.cells_a[0], Role.SECRETARY)
    raw = create_token(actor=victim, name="script")
    code = services.issue_reset_code(actor=world.official_a, user=victim)
    services.redeem_reset_code(username=victim.username, code=code, new_password=NEW_PW)
    assert user_for_token(raw) is None, "a token made before the reset still works"


def test_a_minted_account_on_a_cell_moved_in_reads_the_cells_time_before_the_move(world, client):
    """Cell B1 moves from commune B to commune A (2025). A member who left B1 in 2023 is B's
    history: A's official cannot read her. A secretary account A's official creates on the
    cell can — a grant on a cell covers the cell's whole past, whoever it lay under."""
    from chibo.org.services import MoveUnit

    gone = make_member(world.cell_b, "Hà Thị Trước")
    Member.objects.filter(pk=gone.pk).update(identity_no="001190054321")
    gone.refresh_from_db()
    transfer_out(
        actor=SYSTEM,
        member=gone,
        kind="official",
        to_unit=None,
        destination="Tỉnh khác",
        departed_on=dt.date(2023, 3, 1),
    )
    MoveUnit(decision(dt.date(2025, 7, 1)), unit=world.cell_b, new_parent=world.commune_a).execute(
        actor=SYSTEM
    )
    a = world.official_a
    assert not can(a, "view", gone)
    with pytest.raises(PermissionDenied, match="lịch sử ở nơi chưa thuộc phạm vi"):
        services.create_account(
            actor=a,
            username="tay.trong2",
            full_name="X",
            unit=world.cell_b,
            role=Role.SECRETARY,
        )
    sec = make_user("bithu.b1", world.cell_b, Role.SECRETARY, valid_from=dt.date(2025, 7, 1))
    with pytest.raises(PermissionDenied):  # nor a grant on it for an account of A's
        services.add_grant(
            actor=a, user=sec, unit=world.cell_b, role=Role.MEMBER, valid_from=dt.date.today()
        )
    # a cell of A's own, for its whole life, is A's to grant on
    services.create_account(
        actor=a, username="tay.dong", full_name="Y", unit=world.cells_a[2], role=Role.SECRETARY
    )
