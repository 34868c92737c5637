"""Issue 11: guessing passwords is throttled by (username, IP) with django-axes, behind our own
proxy the client's IP is the forwarded one, and staff who administer an account lift its lock."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from chibo.accounts import services
from chibo.accounts.choices import Role
from chibo.accounts.models import Grant
from chibo.audit.models import AuditLog
from tests.world import PASSWORD

LOGIN = "/accounts/login/"
OFFICE = "203.0.113.10"  # a commune office: everyone there comes from this one address


def attempt(client, username, password, ip=OFFICE, **headers):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip, headers=headers
    )


def logged_in_as(client) -> str | None:
    return client.session.get("_auth_user_id")


def test_30_wrong_passwords_then_the_right_one_does_not_log_in(world, client):
    for _ in range(30):
        assert attempt(client, "canbo.a", "doan-sai-mat-khau").status_code in (200, 429)
    resp = attempt(client, "canbo.a", PASSWORD)
    assert logged_in_as(client) is None
    assert resp.status_code == 429
    assert "Tạm khóa đăng nhập" in resp.content.decode()


def test_it_locks_at_the_fifth_wrong_password_not_before(world, client):
    for _ in range(4):
        assert attempt(client, "canbo.a", "sai").status_code == 200  # the form again
    assert attempt(client, "canbo.a", PASSWORD).status_code == 302
    assert logged_in_as(client) == str(world.official_a.pk)
    client.logout()
    # The right password started the count again: five more slips are needed for a lock.
    for _ in range(4):
        attempt(client, "canbo.a", "sai")
    assert attempt(client, "canbo.a", "sai").status_code == 429
    attempt(client, "canbo.a", PASSWORD)
    assert logged_in_as(client) is None


def test_the_limit_and_the_cool_off_are_settings(world, client, settings, clock):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=10)
    attempt(client, "canbo.a", "sai")
    resp = attempt(client, "canbo.a", "sai")
    assert resp.status_code == 429 and "10 phút" in resp.content.decode()
    clock.shift(dt.timedelta(minutes=9))
    attempt(client, "canbo.a", PASSWORD)
    assert logged_in_as(client) is None  # still locked, and that try counted again
    clock.shift(dt.timedelta(minutes=11))
    attempt(client, "canbo.a", PASSWORD)
    assert logged_in_as(client) == str(world.official_a.pk)


def test_the_defaults_are_five_failures_and_thirty_minutes():
    from chibo import settings as module  # the module's own values, before any override

    assert module.AXES_FAILURE_LIMIT == 5
    assert module.AXES_COOLOFF_TIME == dt.timedelta(minutes=30)
    assert module.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_another_user_from_the_same_ip_is_not_locked(world, client):
    for _ in range(6):
        attempt(client, "canbo.a", "sai")
    other = Client()
    attempt(other, "xem.a", PASSWORD)
    assert logged_in_as(other) == str(world.viewer_a.pk)


def test_the_same_user_from_another_ip_is_not_locked(world, client):
    for _ in range(6):
        attempt(client, "canbo.a", "sai")
    home = Client()
    attempt(home, "canbo.a", PASSWORD, ip="198.51.100.7")
    assert logged_in_as(home) == str(world.official_a.pk)


def test_the_username_counts_however_it_is_typed(world, client):
    for name in ("canbo.a", "CanBo.A", " canbo.a ", "CANBO.A", "canbo.A"):
        attempt(client, name, "sai")
    attempt(client, "canbo.a", PASSWORD)
    assert logged_in_as(client) is None


def test_behind_a_trusted_proxy_the_lock_is_on_the_forwarded_client(world, client, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    for _ in range(5):
        attempt(client, "canbo.a", "sai", ip="127.0.0.1", x_forwarded_for=OFFICE)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {OFFICE}
    attempt(client, "canbo.a", PASSWORD, ip="127.0.0.1", x_forwarded_for=OFFICE)
    assert logged_in_as(client) is None
    # Another client behind the same proxy is another address: not locked.
    other = Client()
    attempt(other, "canbo.a", PASSWORD, ip="127.0.0.1", x_forwarded_for="198.51.100.7")
    assert logged_in_as(other) == str(world.official_a.pk)
    # A forged left-most hop changes nothing: the proxy appended the real one on the right.
    forged = Client()
    attempt(forged, "canbo.a", PASSWORD, ip="127.0.0.1", x_forwarded_for=f"10.9.9.9, {OFFICE}")
    assert logged_in_as(forged) is None


def test_without_trusted_proxies_the_forwarded_header_is_ignored(world, client, settings):
    settings.TRUSTED_PROXIES = []
    for n in range(5):  # a guesser changing the header every time still hits one lock
        attempt(client, "canbo.a", "sai", x_forwarded_for=f"198.51.100.{n}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {OFFICE}
    attempt(client, "canbo.a", PASSWORD, x_forwarded_for="198.51.100.200")
    assert logged_in_as(client) is None


def test_the_lockout_page_is_vietnamese_in_the_site_layout(world, client):
    for _ in range(5):
        resp = attempt(client, "canbo.a", "sai")
    page = resp.content.decode()
    assert resp.status_code == 429
    assert 'class="top"' in page and "<title>Tạm khóa đăng nhập · chibo</title>" in page
    assert "30 phút" in page and "văn phòng cấp ủy" in page
    assert "Account locked" not in page and "too many" not in page


def _lock(username):
    c = Client()
    for _ in range(5):
        attempt(c, username, "sai")


def test_staff_in_scope_unlock_an_account_and_it_is_audited(world, client):
    _lock("xem.a")
    assert services.is_locked_out(world.viewer_a)
    client.force_login(world.official_a)
    page = client.get(reverse("accounts:detail", args=[world.viewer_a.pk])).content.decode()
    assert "Mở khóa đăng nhập" in page
    resp = client.post(reverse("accounts:unlock", args=[world.viewer_a.pk]))
    assert resp.status_code == 302
    assert not services.is_locked_out(world.viewer_a)
    row = AuditLog.objects.get(action="accounts.unlock")
    assert row.actor == world.official_a and row.object_id == str(world.viewer_a.pk)
    assert row.after["ip_addresses"] == [OFFICE]
    user = Client()
    attempt(user, "xem.a", PASSWORD)
    assert logged_in_as(user) == str(world.viewer_a.pk)
    page = client.get(reverse("accounts:detail", args=[world.viewer_a.pk])).content.decode()
    assert "Mở khóa đăng nhập" not in page  # no longer locked: no button


def test_staff_out_of_scope_cannot_unlock(world, client):
    _lock("xem.a")
    client.force_login(world.official_b)
    assert client.post(reverse("accounts:unlock", args=[world.viewer_a.pk])).status_code == 404
    assert services.is_locked_out(world.viewer_a)
    assert not AuditLog.objects.filter(action="accounts.unlock").exists()


def test_staff_who_only_see_part_of_the_account_get_no_button_and_are_refused(world, client):
    # viewer_a also follows a cell of commune B: official_a sees the account, cannot administer.
    Grant.objects.create(
        user=world.viewer_a, unit=world.cell_b, role=Role.FOLLOWER, valid_from=dt.date(2020, 1, 1)
    )
    _lock("xem.a")
    client.force_login(world.official_a)
    page = client.get(reverse("accounts:detail", args=[world.viewer_a.pk])).content.decode()
    assert "Mở khóa đăng nhập" not in page
    assert client.post(reverse("accounts:unlock", args=[world.viewer_a.pk])).status_code == 403
    assert services.is_locked_out(world.viewer_a)


def test_an_unlocked_account_shows_no_unlock_button(world, client):
    client.force_login(world.official_a)
    page = client.get(reverse("accounts:detail", args=[world.viewer_a.pk])).content.decode()
    assert "Mở khóa đăng nhập" not in page


def test_the_api_takes_no_password_and_a_token_is_not_guessable(world, client):
    import base64

    basic = base64.b64encode(f"canbo.a:{PASSWORD}".encode()).decode()
    resp = client.get("/api/v1/accounts/", headers={"Authorization": f"Basic {basic}"})
    assert resp.status_code == 401
    raw = services.create_token(actor=world.official_a, name="x")
    secret = raw.removeprefix("chibo_")
    assert len(secret) >= 43  # 32 random bytes, base64url


@pytest.mark.parametrize("user_attr", ["official_a", "viewer_a"])
def test_the_test_clients_login_still_works(world, client, user_attr):
    user = getattr(world, user_attr)
    assert client.login(username=user.username, password=PASSWORD)
    assert client.get(reverse("accounts:tokens")).status_code == 200


def test_an_account_whose_name_has_capitals_is_locked_and_unlocked_as_typed(world, client):
    from tests.world import make_user

    user = make_user("Bithu.Dong", world.cells_a[0], Role.SECRETARY)
    for _ in range(5):
        attempt(client, "bithu.dong", "sai")
    assert services.is_locked_out(user)
    services.unlock_account(actor=world.official_a, user=user)
    attempt(client, "Bithu.Dong", PASSWORD)
    assert logged_in_as(client) == str(user.pk)
