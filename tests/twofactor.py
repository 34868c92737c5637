"""Test help for two-factor sign-in: an independent TOTP (RFC 6238 with hmac/hashlib, not
django-otp's code) and the completion of a test client's shortcut login."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time


def totp(key: bytes, *, at: float | None = None, steps: int = 0, digits: int = 6) -> str:
    """The code an authenticator app shows at `at` (default now), `steps` 30-s steps later."""
    counter = int((time.time() if at is None else at) // 30) + steps
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"


def key_of_secret(secret: str) -> bytes:
    """The key behind the text shown under the QR code (base32, in groups)."""
    s = "".join(secret.split()).upper()
    return base64.b32decode(s + "=" * (-len(s) % 8))


def pass_second_factor(client, user) -> None:
    """Complete a test client's login as a sign-in with a second factor: the account gets an
    authenticator device if it has none, and the session is verified with it, just now."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from chibo.accounts.twofactor.policy import VERIFIED_AT

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[VERIFIED_AT] = time.time()
    session.save()
