"""The demo's stand-in for a phone: the current sign-in code of a demo account."""

import hashlib
import hmac
import struct
import time

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.world import make_user


def _rfc6238(key: bytes, at: float) -> str:
    mac = hmac.new(key, struct.pack(">Q", int(at // 30)), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    return f"{(struct.unpack('>I', mac[off : off + 4])[0] & 0x7FFFFFFF) % 10**6:06d}"


@pytest.mark.django_db
def test_it_prints_the_current_code_in_demo_mode_only(capsys):
    user = make_user("quanglam.vanphong")
    with override_settings(DEMO=True), pytest.raises(CommandError, match="chưa bật"):
        call_command("demo_code", "quanglam.vanphong")
    app = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    with override_settings(DEMO=True):
        call_command("demo_code", "quanglam.vanphong")
    assert capsys.readouterr().out.strip() == _rfc6238(app.bin_key, time.time())
    with override_settings(DEMO=False), pytest.raises(CommandError, match="chế độ mẫu"):
        call_command("demo_code", "quanglam.vanphong")
