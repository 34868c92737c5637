"""Who needs a second factor, and what this session has proved (reads only)."""

from __future__ import annotations

import datetime as dt
import time
import unicodedata

from django.conf import settings
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..choices import Role
from ..models import Grant

# Roles whose holders see sensitive data or administer accounts: they must use a second factor.
REQUIRED_ROLES = (Role.ADMIN, Role.OFFICIAL, Role.INSPECTION)
# The session key holding when (Unix time) this session last passed a second-factor check.
VERIFIED_AT = "chibo_2fa_verified_at"
# Creating an API token needs a check this recent.
RECENT = dt.timedelta(minutes=10)


def required_roles() -> tuple[str, ...]:
    if settings.CHIBO_2FA_SECRETARY:
        return (*REQUIRED_ROLES, Role.SECRETARY)
    return REQUIRED_ROLES


def required(user) -> bool:
    """A system administrator, or a user holding today an active grant of a role that needs it."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return Grant.objects.filter(user=user, role__in=required_roles()).active().exists()


def device(user, *, confirmed: bool = True) -> TOTPDevice | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("pk").first()


def enabled(user) -> bool:
    """The user has a confirmed authenticator app (recovery codes come with it)."""
    return device(user) is not None


def mark_verified(request, verified_device) -> None:
    """This session has just passed a check with `verified_device`. It gains rights, so it gets
    a new key, as at the password step (a session id seen before the code is worth nothing)."""
    otp_login(request, verified_device)
    request.session[VERIFIED_AT] = time.time()
    request.session.cycle_key()


def recently_verified(request, within: dt.timedelta = RECENT) -> bool:
    """The session passed a second-factor check within `within` and is still verified (a staff
    reset removes the device, and with it the verification)."""
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_verified", lambda: False)():
        return False
    at = request.session.get(VERIFIED_AT)
    if not isinstance(at, int | float):
        return False
    return 0 <= time.time() - at <= within.total_seconds()


def normalize(code: str) -> str:
    """What an elderly user types: spaces, dashes and dots between the digits are ignored, and
    full-width digits from some phone keyboards count as digits."""
    code = unicodedata.normalize("NFKC", code or "")
    return "".join(ch for ch in code if ch not in " \t-.·\u00a0")
