"""The audit log records the client behind our own proxy (chibo.core.net.client_ip)."""

from django.test import override_settings

from chibo.audit.models import AuditLog
from tests.world import PASSWORD


@override_settings(TRUSTED_PROXIES=["127.0.0.1"])
def test_the_audit_log_records_the_client_behind_the_proxy(world, client):
    client.post(
        "/accounts/login/",
        {"username": "canbo.a", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7",
    )
    client.get("/org/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    ips = set(AuditLog.objects.exclude(ip=None).values_list("ip", flat=True))
    assert ips and ips <= {"198.51.100.7"}
