"""The writes of two-factor sign-in: each atomic, taking `actor`, writing its audit row.

A refused code still counts: django-otp's throttle (1, 2, 4 … seconds between tries after wrong
codes) and the audit row of the failure are committed, then the refusal is raised."""

from __future__ import annotations

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from chibo.audit.services import record

from ..models import User
from ..scope import administers
from ..services import ELSEWHERE, primary_unit
from .policy import normalize

RECOVERY_CODES = 10
RECOVERY_DIGITS = 10  # digits only: typed on the same numeric keypad as the 6-digit code
APP_NAME = "Ứng dụng xác thực"
RECOVERY_NAME = "Mã dự phòng"


def _audit(actor, action: str, user: User, **after) -> None:
    record(actor=actor, action=action, obj=user, unit=primary_unit(user), after=after or None)


@transaction.atomic
def start_enrolment(*, actor: User) -> TOTPDevice:
    """The device being set up (not yet confirmed): the same key until it is confirmed, so a
    reload after scanning does not change the code the phone shows."""
    if TOTPDevice.objects.filter(user=actor, confirmed=True).exists():
        raise ValidationError(_("Xác thực hai bước đã được bật cho tài khoản này."))
    pending = TOTPDevice.objects.filter(user=actor, confirmed=False).order_by("pk").first()
    if pending is None:
        pending = TOTPDevice.objects.create(user=actor, name=APP_NAME, confirmed=False)
        _audit(actor, "accounts.2fa_enrol", actor)
    return pending


def _new_recovery_codes(actor: User) -> list[str]:
    static, _created = StaticDevice.objects.get_or_create(
        user=actor, name=RECOVERY_NAME, defaults={"confirmed": True}
    )
    static.token_set.all().delete()
    codes = [
        f"{secrets.randbelow(10**RECOVERY_DIGITS):0{RECOVERY_DIGITS}d}"
        for _ in range(RECOVERY_CODES)
    ]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=c) for c in codes)
    return codes


def _refusal(dev: Device) -> str | None:
    allowed, info = dev.verify_is_allowed()
    if allowed:
        return None
    until = (info or {}).get("locked_until")
    if until is not None:
        return _("Bạn đã nhập sai nhiều lần. Hãy đợi đến %(t)s rồi thử lại.") % {
            "t": time_format(timezone.localtime(until), "H:i:s")
        }
    return _("Chưa thể kiểm tra mã lúc này. Hãy thử lại sau ít phút.")


def confirm_enrolment(*, actor: User, code: str) -> tuple[TOTPDevice, list[str]]:
    """The first code from the phone proves the key was copied: the device is confirmed and ten
    recovery codes are made (shown once, to be printed)."""
    with transaction.atomic():
        result = _confirm(actor, normalize(code))
    if isinstance(result, str):
        raise ValidationError(result)
    return result


def _confirm(actor: User, code: str):
    pending = (
        TOTPDevice.objects.select_for_update()
        .filter(user=actor, confirmed=False)
        .order_by("pk")
        .first()
    )
    if pending is None:
        return _("Không có thiết bị nào đang chờ xác nhận. Hãy bắt đầu lại.")
    if refusal := _refusal(pending):
        return refusal
    if not pending.verify_token(code):  # a failure is counted by the device (throttle)
        _audit(actor, "accounts.2fa_failed", actor, stage="enrol")
        return _("Mã không đúng. Hãy nhập 6 chữ số đang hiện trong ứng dụng.")
    pending.confirmed = True
    pending.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
    codes = _new_recovery_codes(actor)
    _audit(actor, "accounts.2fa_confirm", actor, recovery_codes=len(codes))
    return pending, codes


def verify(*, actor: User, code: str) -> Device:
    """The second step of a sign-in (or a fresh check before creating an API token): six digits
    from the app, or one of the ten-digit recovery codes, which is then used up."""
    with transaction.atomic():
        result = _verify(actor, normalize(code))
    if isinstance(result, str):
        raise ValidationError(result)
    return result


def _verify(actor: User, code: str):
    if code.isdigit() and len(code) == RECOVERY_DIGITS:
        dev = StaticDevice.objects.select_for_update().filter(user=actor, confirmed=True).first()
        kind = "recovery"
    else:
        dev = TOTPDevice.objects.select_for_update().filter(user=actor, confirmed=True).first()
        kind = "totp"
    if dev is None:
        return _("Tài khoản này chưa bật xác thực hai bước.")
    if refusal := _refusal(dev):
        return refusal
    if not dev.verify_token(code):  # a failure is counted by the device (throttle)
        _audit(actor, "accounts.2fa_failed", actor, stage="sign-in", kind=kind)
        if kind == "recovery":
            return _("Mã dự phòng không đúng hoặc đã dùng rồi.")
        return _("Mã không đúng. Hãy nhập 6 chữ số đang hiện trong ứng dụng.")
    if kind == "recovery":
        left = dev.token_set.count()
        _audit(actor, "accounts.2fa_recovery_used", actor, remaining=left)
    else:
        _audit(actor, "accounts.2fa_verified", actor)
    return dev


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def new_recovery_codes(*, actor: User) -> list[str]:
    """Ten new recovery codes for the user's own account; the old ones stop working."""
    if not TOTPDevice.objects.filter(user=actor, confirmed=True).exists():
        raise ValidationError(_("Tài khoản này chưa bật xác thực hai bước."))
    codes = _new_recovery_codes(actor)
    _audit(actor, "accounts.2fa_recovery_renew", actor, recovery_codes=len(codes))
    return codes


@transaction.atomic
def reset_second_factor(*, actor, user: User) -> int:
    """Staff remove a lost second factor (app and recovery codes) of an account they administer
    (chibo.accounts.scope.administers). If its roles need one, the user sets up a new one at the
    next sign-in; sessions checked with the old device are no longer verified."""
    if not administers(actor, user):
        raise PermissionDenied(str(ELSEWHERE))
    totp = TOTPDevice.objects.filter(user=user)
    static = StaticDevice.objects.filter(user=user)
    if not totp.filter(confirmed=True).exists() and not static.exists():
        raise ValidationError(_("Tài khoản này chưa bật xác thực hai bước."))
    removed = totp.count() + static.count()
    totp.delete()
    static.delete()
    _audit(actor, "accounts.2fa_reset", user, devices=removed)
    return removed
