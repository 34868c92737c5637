"""Two-factor sign-in (issue 11): who must enrol, the code step, recovery codes, the staff reset
and the fresh check before an API token. Codes are computed here with an independent RFC 6238
implementation (tests/twofactor.py), from the key the page shows or the device holds."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from chibo.accounts.choices import Role
from chibo.accounts.models import ApiToken, Grant
from chibo.accounts.twofactor import services as tf
from chibo.audit.models import AuditLog
from tests.twofactor import key_of_secret, pass_second_factor, totp
from tests.world import PASSWORD, make_user

pytestmark = pytest.mark.real_second_factor

ORG = "/org/"
VERIFY = reverse("accounts:2fa_verify")
ENROL = reverse("accounts:2fa_enrol")
TOKENS = reverse("accounts:tokens")


def sign_in(client, username: str, next_url: str = ORG):
    """The password step of the real login page."""
    return client.post(
        reverse("accounts:login"), {"username": username, "password": PASSWORD, "next": next_url}
    )


def enrolled(user, clock) -> tuple[bytes, list[str]]:
    """Set up an app through the services, with the first code from the device's key; the clock
    then moves to the next 30-s step (the confirming code is spent)."""
    device = tf.start_enrolment(actor=user)
    _, codes = tf.confirm_enrolment(actor=user, code=totp(device.bin_key))
    clock.shift(dt.timedelta(seconds=30))
    return device.bin_key, codes


def actions(user) -> list[str]:
    return list(
        AuditLog.objects.filter(object_id=str(user.pk), action__startswith="accounts.2fa")
        .order_by("id")
        .values_list("action", flat=True)
    )


# --- Who must set up a second factor -------------------------------------------------------


@pytest.mark.parametrize("who", ["official_a", "admin"])
def test_it_sends_officials_and_the_system_administrator_to_enrolment_first(client, world, who):
    user = getattr(world, who)
    r = sign_in(client, user.username, "/members/")
    assert r.status_code == 302
    assert r["Location"] == ENROL + "?next=%2Fmembers%2F"
    # Any other page, typed by hand, also leads there.
    r = client.get(ORG)
    assert r.status_code == 302 and r["Location"].startswith(ENROL + "?next=")
    assert client.get(ENROL).status_code == 200


@pytest.mark.parametrize("role", [Role.INSPECTION, Role.ADMIN, Role.OFFICIAL])
def test_it_requires_enrolment_for_inspection_and_admin_grants(client, world, role):
    make_user("nguoi.can", world.cells_a[0], role)
    sign_in(client, "nguoi.can")
    r = client.get(ORG)
    assert r.status_code == 302 and r["Location"].startswith(ENROL)


def test_an_expired_official_grant_does_not_require_it(client, world):
    user = make_user("cu.canbo", world.commune_a, Role.OFFICIAL, valid_to=dt.date(2021, 1, 1))
    Grant.objects.create(
        user=user, unit=world.cells_a[0], role=Role.MEMBER, valid_from=dt.date(2020, 1, 1)
    )
    sign_in(client, "cu.canbo")
    assert client.get(ORG).status_code == 200


def test_optional_roles_are_not_sent_to_enrolment_and_can_turn_it_on(client, world):
    sign_in(client, world.viewer_a.username)
    r = client.get(ORG)
    assert r.status_code == 200
    page = client.get(reverse("accounts:2fa")).content.decode()
    assert "Bật xác thực hai bước" in page
    assert reverse("accounts:2fa_enrol") in page


def test_secretaries_follow_the_deployments_setting(client, world, settings):
    make_user("bithu.dong", world.cells_a[0], Role.SECRETARY)
    settings.CHIBO_2FA_SECRETARY = False
    sign_in(client, "bithu.dong")
    assert client.get(ORG).status_code == 200

    settings.CHIBO_2FA_SECRETARY = True
    r = client.get(ORG)
    assert r.status_code == 302 and r["Location"].startswith(ENROL)


# --- Enrolment ---------------------------------------------------------------------------------


def test_enrolment_shows_a_server_drawn_qr_and_the_key_and_confirms_with_the_first_code(
    client, world, clock
):
    user = world.official_a
    sign_in(client, user.username)
    page = client.get(ENROL + "?next=/members/").content.decode()
    assert "<svg" in page and 'class="qr"' in page
    assert "data:" not in page and "style=" not in page.split("<main", 1)[1]
    assert 'inputmode="numeric"' in page and 'autocomplete="one-time-code"' in page
    secret = re.search(r'data-testid="totp-secret">([^<]+)<', page).group(1)
    key = key_of_secret(secret)
    # A reload shows the same key: the phone may already have scanned it.
    assert (
        key_of_secret(
            re.search(r'data-testid="totp-secret">([^<]+)<', client.get(ENROL).content.decode())[1]
        )
        == key
    )

    wrong = f"{(int(totp(key)) + 1) % 10**6:06d}"
    r = client.post(ENROL, {"code": wrong, "next": "/members/"})
    assert "Mã không đúng" in r.content.decode()
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert client.get(ORG).status_code == 302

    # After the wait a wrong code costs (1 s), the right one, typed with spaces, is taken.
    clock.shift(dt.timedelta(seconds=2))
    r = client.post(ENROL, {"code": " ".join(totp(key)), "next": "/members/"})
    assert r.status_code == 200
    body = r.content.decode()
    codes = re.findall(r"<li>(\d{5} \d{5})</li>", body)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert 'href="/members/"' in body
    assert TOTPDevice.objects.get(user=user).confirmed
    assert StaticDevice.objects.get(user=user).token_set.count() == 10
    assert client.get(ORG).status_code == 200  # this session passed with the first code
    assert actions(user) == [
        "accounts.2fa_enrol",
        "accounts.2fa_failed",
        "accounts.2fa_confirm",
    ]


# --- The code step -----------------------------------------------------------------------------


def test_sign_in_asks_for_the_code_and_refuses_wrong_and_stale_ones(client, world, clock):
    user = world.official_a
    key, _codes = enrolled(user, clock)
    r = sign_in(client, user.username, "/members/")
    assert r["Location"] == VERIFY + "?next=%2Fmembers%2F"
    assert client.get(ORG)["Location"].startswith(VERIFY)
    page = client.get(VERIFY).content.decode()
    assert 'inputmode="numeric"' in page and 'autocomplete="one-time-code"' in page

    wrong = f"{(int(totp(key)) + 1) % 10**6:06d}"
    r = client.post(VERIFY, {"code": wrong, "next": "/members/"})
    assert r.status_code == 200 and "Mã không đúng" in r.content.decode()
    # Straight after a wrong code even the right one waits (django-otp's throttle: 1 s, 2 s …).
    r = client.post(VERIFY, {"code": totp(key), "next": "/members/"})
    assert "Hãy đợi đến" in r.content.decode()
    clock.shift(dt.timedelta(seconds=3))

    r = client.post(VERIFY, {"code": totp(key, steps=-2), "next": "/members/"})
    assert "Mã không đúng" in r.content.decode()  # two steps old: refused
    clock.shift(dt.timedelta(seconds=5))
    assert client.get(ORG).status_code == 302

    code = totp(key)
    r = client.post(VERIFY, {"code": f" {code[:3]} {code[3:]} ", "next": "/members/"})
    assert r.status_code == 302 and r["Location"] == "/members/"
    assert client.get(ORG).status_code == 200
    assert actions(user)[-3:] == [
        "accounts.2fa_failed",
        "accounts.2fa_failed",
        "accounts.2fa_verified",
    ]


@pytest.mark.parametrize("steps", [-1, 1])
def test_a_phone_clock_one_step_off_is_tolerated(client, world, clock, steps):
    key, _ = enrolled(world.official_a, clock)
    clock.shift(dt.timedelta(seconds=60))  # past the step spent at enrolment, either way
    sign_in(client, world.official_a.username)
    r = client.post(VERIFY, {"code": totp(key, steps=steps)})
    assert r.status_code == 302
    assert client.get(ORG).status_code == 200


def test_a_code_is_spent_once(client, world, clock):
    key, _ = enrolled(world.official_a, clock)
    sign_in(client, world.official_a.username)
    code = totp(key)
    assert client.post(VERIFY, {"code": code}).status_code == 302
    other = type(client)()
    sign_in(other, world.official_a.username)
    r = other.post(VERIFY, {"code": code})
    assert r.status_code == 200 and "Mã không đúng" in r.content.decode()


def test_a_recovery_code_works_once_only(client, world, clock):
    user = world.official_a
    _key, codes = enrolled(user, clock)
    sign_in(client, user.username)
    grouped = f"{codes[3][:5]} {codes[3][5:]}"
    r = client.post(VERIFY, {"code": grouped, "next": ORG})
    assert r.status_code == 302 and r["Location"] == ORG
    assert "còn 9 mã" in client.get(ORG).content.decode()
    client.post(reverse("accounts:logout"))

    clock.shift(dt.timedelta(seconds=5))
    sign_in(client, user.username)
    r = client.post(VERIFY, {"code": codes[3]})
    assert r.status_code == 200 and "đã dùng rồi" in r.content.decode()
    assert client.get(ORG).status_code == 302
    clock.shift(dt.timedelta(seconds=5))
    assert client.post(VERIFY, {"code": codes[4]}).status_code == 302
    assert StaticDevice.objects.get(user=user).token_set.count() == 8
    log = AuditLog.objects.filter(action="accounts.2fa_recovery_used").order_by("id")
    assert [e.after["remaining"] for e in log] == [9, 8]


def test_the_api_treats_a_half_signed_in_session_as_none_and_tokens_as_before(client, world, clock):
    user = world.official_a
    key, _ = enrolled(user, clock)
    sign_in(client, user.username)
    assert client.get("/api/v1/units/").status_code == 401
    assert client.post(VERIFY, {"code": totp(key)}).status_code == 302
    assert client.get("/api/v1/units/").status_code == 200
    r = client.post(TOKENS, {"name": "script"})
    raw = re.search(r'data-testid="token">([^<]+)<', r.content.decode())[1]

    # A script with the token needs no session and no code; a half-signed-in session sending
    # someone's token is that token's user, never the session's.
    script = type(client)()
    r = script.get("/api/v1/units/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert r.status_code == 200
    half = type(client)()
    sign_in(half, world.admin.username)  # must enrol first: password only
    assert half.get("/api/v1/units/").status_code == 401
    admin_url = f"/api/v1/accounts/{world.admin.pk}"
    assert half.get(admin_url).status_code == 401
    # The token's user (commune A's official) does not see the province's administrator.
    assert half.get(admin_url, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 404
    assert half.get("/api/v1/units/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    assert half.get("/api/v1/units/", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401


def test_htmx_requests_of_a_half_signed_in_session_are_sent_to_the_code_step(client, world, clock):
    enrolled(world.official_a, clock)
    sign_in(client, world.official_a.username)
    r = client.get(ORG, HTTP_HX_REQUEST="true")
    assert r.status_code == 204 and r["HX-Redirect"].startswith(VERIFY + "?next=")


# --- The staff reset ---------------------------------------------------------------------------


@pytest.fixture
def cell_official(world):
    """An official of a cell of commune A: commune A's official administers the account."""
    return make_user("canbo.chibo", world.cells_a[0], Role.OFFICIAL)


def staff_client(client_class, user):
    c = client_class()
    c.force_login(user)
    pass_second_factor(c, user)
    return c


def test_staff_in_scope_reset_a_lost_second_factor_and_the_user_enrols_again(
    client, world, clock, cell_official
):
    enrolled(cell_official, clock)
    staff = staff_client(type(client), world.official_a)
    page = staff.get(reverse("accounts:detail", args=[cell_official.pk])).content.decode()
    assert "Đặt lại xác thực hai bước" in page

    r = staff.post(reverse("accounts:2fa_reset", args=[cell_official.pk]))
    assert r.status_code == 302
    assert not TOTPDevice.objects.filter(user=cell_official).exists()
    assert not StaticDevice.objects.filter(user=cell_official).exists()
    entry = AuditLog.objects.get(action="accounts.2fa_reset")
    assert entry.actor_id == world.official_a.pk and entry.object_id == str(cell_official.pk)

    sign_in(client, cell_official.username)
    r = client.get(ORG)
    assert r.status_code == 302 and r["Location"].startswith(ENROL)


def test_staff_out_of_scope_cannot_reset_nor_see_the_button(client, world, clock, cell_official):
    enrolled(cell_official, clock)
    outsider = staff_client(type(client), world.official_b)
    r = outsider.post(reverse("accounts:2fa_reset", args=[cell_official.pk]))
    assert r.status_code == 404
    viewer = staff_client(type(client), world.viewer_a)  # sees the account, administers nothing
    page = viewer.get(reverse("accounts:detail", args=[cell_official.pk])).content.decode()
    assert "Đặt lại xác thực hai bước" not in page
    assert viewer.post(reverse("accounts:2fa_reset", args=[cell_official.pk])).status_code == 403
    assert TOTPDevice.objects.filter(user=cell_official, confirmed=True).exists()
    assert not AuditLog.objects.filter(action="accounts.2fa_reset").exists()


def test_no_one_resets_their_own_second_factor_through_the_staff_button(client, world, clock):
    enrolled(world.official_a, clock)
    me = staff_client(type(client), world.official_a)
    assert me.post(reverse("accounts:2fa_reset", args=[world.official_a.pk])).status_code == 403
    assert TOTPDevice.objects.filter(user=world.official_a, confirmed=True).exists()


# --- API tokens need a fresh check -------------------------------------------------------------


def test_creating_a_token_needs_a_check_within_ten_minutes(client, world, clock):
    user = world.official_a
    key, _ = enrolled(user, clock)
    sign_in(client, user.username)
    client.post(VERIFY, {"code": totp(key)})

    clock.shift(dt.timedelta(minutes=9))
    page = client.get(TOKENS).content.decode()
    assert 'data-testid="2fa-check"' not in page
    r = client.post(TOKENS, {"name": "bao cao"})
    assert 'data-testid="token"' in r.content.decode()
    assert ApiToken.objects.filter(user=user).count() == 1

    clock.shift(dt.timedelta(minutes=2))  # 11 minutes after the check
    page = client.get(TOKENS).content.decode()
    assert 'data-testid="2fa-check"' in page and 'inputmode="numeric"' in page
    r = client.post(TOKENS, {"name": "thu hai"})
    assert 'data-testid="token"' not in r.content.decode()
    assert ApiToken.objects.filter(user=user).count() == 1

    r = client.post(VERIFY, {"code": totp(key), "next": TOKENS})
    assert r["Location"] == TOKENS
    client.post(TOKENS, {"name": "thu hai"})
    assert ApiToken.objects.filter(user=user).count() == 2


def test_without_a_second_factor_no_token_is_created(client, world):
    sign_in(client, world.viewer_a.username)
    page = client.get(TOKENS).content.decode()
    assert "hãy bật xác thực hai bước trước" in page
    client.post(TOKENS, {"name": "script"})
    assert not ApiToken.objects.filter(user=world.viewer_a).exists()
