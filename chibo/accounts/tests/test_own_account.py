"""Issue 11: a user changes their own password (first, when staff chose it), API tokens expire
and can be revoked, sessions end after a day without use or on "đăng xuất mọi thiết bị"."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chibo.accounts import services
from chibo.accounts.choices import Role
from chibo.accounts.models import ApiToken, User
from chibo.audit.models import AuditLog
from tests.twofactor import pass_second_factor
from tests.world import PASSWORD

NEW = "Mat-khau-rieng-2026"


def login(username, password=PASSWORD) -> Client:
    c = Client()
    c.post(reverse("accounts:login"), {"username": username, "password": password})
    assert c.session.get("_auth_user_id"), "login failed"
    # The password step through the real login form (axes counts it); the second step as the
    # account's phone would pass it (tests/twofactor.py).
    pass_second_factor(c, User.objects.get(username=username))
    return c


def is_in(c: Client) -> bool:
    resp = c.get(reverse("members:list"))
    return resp.status_code == 200


# --- own password --------------------------------------------------------------------------


def test_the_header_links_to_the_change_password_page(world):
    c = login("canbo.a")
    page = c.get(reverse("org:tree")).content.decode()
    assert f'href="{reverse("accounts:password")}"' in page
    assert f'href="{reverse("accounts:tokens")}"' in page


def test_a_user_changes_their_own_password_and_other_devices_are_logged_out(world):
    here, phone = login("canbo.a"), login("canbo.a")
    resp = here.post(
        reverse("accounts:password"),
        {"old_password": PASSWORD, "new_password": NEW, "new_password2": NEW},
    )
    assert resp.status_code == 302
    assert is_in(here)  # this device stays in
    assert not is_in(phone)
    assert Client().login(username="canbo.a", password=NEW)
    assert AuditLog.objects.filter(action="accounts.password_change").count() == 1


@pytest.mark.parametrize(
    ("old", "new", "new2", "field_text"),
    [
        ("sai-mat-khau", NEW, NEW, "Mật khẩu hiện tại không đúng."),
        (PASSWORD, NEW, NEW + "x", "Hai lần nhập mật khẩu không khớp."),
        (PASSWORD, "1234", "1234", "quá ngắn: cần ít nhất 8 ký tự"),
        (PASSWORD, PASSWORD, PASSWORD, "phải khác mật khẩu hiện tại"),
    ],
)
def test_a_bad_change_says_why_in_vietnamese_and_changes_nothing(world, old, new, new2, field_text):
    c = login("canbo.a")
    resp = c.post(
        reverse("accounts:password"),
        {"old_password": old, "new_password": new, "new_password2": new2},
    )
    assert resp.status_code == 200 and field_text in resp.content.decode()
    world.official_a.refresh_from_db()
    assert world.official_a.check_password(PASSWORD)
    assert not AuditLog.objects.filter(action="accounts.password_change").exists()


def _staff_set_password(world) -> User:
    user, code = services.create_account(
        actor=world.official_a,
        username="bithu.dong",
        full_name="Lò Văn Đông",
        unit=world.cells_a[0],
        role=Role.SECRETARY,
        password="Van-phong-dat-2026",
    )
    assert code is None
    return user


def test_a_password_chosen_by_staff_must_be_changed_before_anything_else(world):
    user = _staff_set_password(world)
    assert user.must_change_password
    c = Client()
    resp = c.post(
        reverse("accounts:login"), {"username": "bithu.dong", "password": "Van-phong-dat-2026"}
    )
    resp = c.get(resp["Location"])
    assert resp.status_code == 302 and resp["Location"] == reverse("accounts:password")
    for url in (reverse("members:list"), reverse("accounts:tokens"), reverse("meetings:mine")):
        assert c.get(url)["Location"] == reverse("accounts:password"), url
    page = c.get(reverse("accounts:password")).content.decode()
    assert "văn phòng cấp ủy đặt giúp bạn" in page
    api = c.get("/api/v1/units/")
    assert api.status_code == 403
    assert "đổi mật khẩu" in api.json()["detail"]
    c.post(
        reverse("accounts:password"),
        {"old_password": "Van-phong-dat-2026", "new_password": NEW, "new_password2": NEW},
    )
    user.refresh_from_db()
    assert not user.must_change_password
    assert c.get(reverse("meetings:mine")).status_code == 200
    assert c.get("/api/v1/units/").status_code == 200


def test_logout_still_works_while_a_change_is_required(world):
    _staff_set_password(world)
    c = login("bithu.dong", "Van-phong-dat-2026")
    assert c.post(reverse("accounts:logout")).status_code == 302
    assert c.session.get("_auth_user_id") is None


def test_a_token_of_an_account_that_must_change_its_password_is_refused(world, client):
    raw = services.create_token(actor=world.official_a, name="x")
    User.objects.filter(pk=world.official_a.pk).update(must_change_password=True)
    resp = client.get("/api/v1/units/", headers={"Authorization": f"Bearer {raw}"})
    assert resp.status_code == 403 and "đổi mật khẩu" in resp.json()["detail"]


def test_a_code_redeemed_sets_the_users_own_password_and_needs_no_change(world):
    user = _staff_set_password(world)
    code = services.issue_reset_code(actor=world.official_a, user=user)
    services.redeem_reset_code(username="bithu.dong", code=code, new_password=NEW)
    user.refresh_from_db()
    assert not user.must_change_password
    c = login("bithu.dong", NEW)
    assert is_in(c)


def test_an_account_made_with_a_code_needs_no_change_after_redeeming(world):
    user, code = services.create_account(
        actor=world.official_a,
        username="bithu.tay",
        full_name="Tây",
        unit=world.cells_a[1],
        role=Role.SECRETARY,
    )
    assert not user.must_change_password  # the code makes them choose their own
    services.redeem_reset_code(username="bithu.tay", code=code, new_password=NEW)
    assert is_in(login("bithu.tay", NEW))


# --- API tokens ------------------------------------------------------------------------


def _get(client, raw):
    return client.get("/api/v1/units/", headers={"Authorization": f"Bearer {raw}"})


def test_a_token_expires_after_the_chosen_days(world, client, clock):
    c = login("canbo.a")
    resp = c.post(reverse("accounts:tokens"), {"name": "báo cáo", "days": "30"})
    raw = resp.context["raw"]
    tok = ApiToken.objects.get()
    assert abs(tok.expires_at - tok.created_at - dt.timedelta(days=30)) < dt.timedelta(seconds=1)
    assert _get(client, raw).status_code == 200
    clock.shift(dt.timedelta(days=29, hours=23))
    assert _get(client, raw).status_code == 200
    clock.shift(dt.timedelta(hours=2))
    assert _get(client, raw).status_code == 401
    page = login("canbo.a").get(reverse("accounts:tokens"))  # a month on: a new login
    assert list(page.context["expired"]) == [tok] and not page.context["active"]
    assert "Đã hết hạn" in page.content.decode()


def test_a_token_lasts_90_days_unless_told(world):
    services.create_token(actor=world.official_a, name="x")
    tok = ApiToken.objects.get()
    assert abs(tok.expires_at - tok.created_at - dt.timedelta(days=90)) < dt.timedelta(seconds=1)
    c = login("canbo.a")
    form = c.get(reverse("accounts:tokens")).context["form"]
    assert form["days"].value() == 90


@pytest.mark.parametrize("days", ["7", "0", "366", "-30", "90.5", ""])
def test_a_token_term_outside_the_choices_is_refused(world, days):
    c = login("canbo.a")
    resp = c.post(reverse("accounts:tokens"), {"name": "x", "days": days})
    assert resp.status_code == 200 and resp.context["raw"] is None
    assert not ApiToken.objects.exists()
    with pytest.raises(ValidationError):
        services.create_token(actor=world.official_a, name="x", days=7)


def test_the_token_page_shows_when_a_token_was_last_used(world, client):
    raw = services.create_token(actor=world.official_a, name="báo cáo")
    c = login("canbo.a")
    assert "chưa dùng" in c.get(reverse("accounts:tokens")).content.decode()
    _get(client, raw)
    used = ApiToken.objects.get().last_used_at
    assert used is not None
    page = c.get(reverse("accounts:tokens")).content.decode()
    assert timezone.localtime(used).strftime("%d/%m/%Y %H:%M") in page


def test_a_revoked_token_is_refused_and_the_revocation_is_audited(world, client):
    raw = services.create_token(actor=world.official_a, name="báo cáo")
    tok = ApiToken.objects.get()
    c = login("canbo.a")
    resp = c.post(reverse("accounts:token_revoke", args=[tok.pk]))
    assert resp.status_code == 302
    assert _get(client, raw).status_code == 401
    row = AuditLog.objects.get(action="accounts.token_revoke")
    assert row.actor == world.official_a and row.after["prefix"] == tok.prefix
    page = c.get(reverse("accounts:tokens"))
    assert not page.context["active"] and not page.context["expired"]


def test_another_users_token_cannot_be_revoked(world, client):
    raw = services.create_token(actor=world.viewer_a, name="của người khác")
    tok = ApiToken.objects.get()
    c = login("canbo.a")
    assert c.post(reverse("accounts:token_revoke", args=[tok.pk])).status_code == 404
    assert "của người khác" not in c.get(reverse("accounts:tokens")).content.decode()
    with pytest.raises(PermissionDenied):
        services.revoke_token(actor=world.official_a, token=tok)
    assert _get(client, raw).status_code == 200
    assert not AuditLog.objects.filter(action="accounts.token_revoke").exists()


# --- sessions --------------------------------------------------------------------------


def test_log_out_everywhere_ends_every_session_of_the_user(world):
    office, phone, other = login("canbo.a"), login("canbo.a"), login("xem.a")
    resp = phone.post(reverse("accounts:sessions_end"))
    assert resp.status_code == 302
    assert not is_in(office) and not is_in(phone)
    assert is_in(other)  # someone else's session is untouched
    assert AuditLog.objects.filter(action="accounts.sessions_end", actor=world.official_a).exists()
    again = login("canbo.a")  # logging in again works
    assert is_in(again)


def test_log_out_everywhere_takes_a_post(world):
    c = login("canbo.a")
    assert c.get(reverse("accounts:sessions_end")).status_code == 405
    assert is_in(c)


def test_a_session_ends_after_a_day_without_use(world, clock):
    from chibo import settings as module

    assert module.SESSION_COOKIE_AGE == 24 * 3600 and module.SESSION_SAVE_EVERY_REQUEST
    c = login("canbo.a")
    for _ in range(3):  # used every 20 hours: still in after 60 hours
        clock.shift(dt.timedelta(hours=20))
        assert is_in(c)
    clock.shift(dt.timedelta(hours=24, minutes=1))
    assert not is_in(c)
