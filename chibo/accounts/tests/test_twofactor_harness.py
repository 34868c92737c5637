"""The suite's shortcut login (conftest._second_factor_passed) stands for a whole sign-in: the
world's officials reach their pages with the middleware on; nothing is switched off for it."""

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice


def test_a_test_clients_login_of_an_official_is_a_sign_in_with_the_second_factor(client, world):
    assert "chibo.accounts.twofactor.middleware.TwoFactorMiddleware" in settings.MIDDLEWARE
    client.force_login(world.official_a)
    assert client.get("/org/").status_code == 200
    assert TOTPDevice.objects.filter(user=world.official_a, confirmed=True).count() == 1
    client.login(username=world.official_a.username, password="Mat-khau-thu-2026")
    assert client.get("/members/").status_code == 200
    assert TOTPDevice.objects.filter(user=world.official_a).count() == 1  # the same device


def test_removing_the_sessions_device_sends_the_official_back_to_enrolment(client, world):
    client.force_login(world.official_a)
    TOTPDevice.objects.filter(user=world.official_a).delete()
    r = client.get("/org/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/2fa/enrol/")
