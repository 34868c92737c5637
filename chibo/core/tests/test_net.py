"""The client's address behind our own proxy, and never a forged one."""

from django.test import RequestFactory, override_settings

from chibo.core.net import client_ip


def _req(remote, xff=None):
    meta = {"REMOTE_ADDR": remote}
    if xff is not None:
        meta["HTTP_X_FORWARDED_FOR"] = xff
    return RequestFactory().get("/", **meta)


def test_without_a_trusted_proxy_the_header_is_ignored():
    assert client_ip(_req("203.0.113.9", "10.9.9.9")) == "203.0.113.9"


@override_settings(TRUSTED_PROXIES=["127.0.0.1", "10.0.0.0/8"])
def test_behind_the_proxy_the_rightmost_untrusted_hop_is_the_client():
    # The client prepended a fake address; our proxies appended the real one and themselves.
    assert client_ip(_req("127.0.0.1", "1.2.3.4, 198.51.100.7, 10.1.1.1")) == "198.51.100.7"
    assert client_ip(_req("127.0.0.1", "198.51.100.7")) == "198.51.100.7"


@override_settings(TRUSTED_PROXIES=["127.0.0.1"])
def test_a_direct_connection_cannot_claim_an_address():
    assert client_ip(_req("198.51.100.7", "127.0.0.1")) == "198.51.100.7"
    assert client_ip(_req("127.0.0.1", "not-an-ip")) == "127.0.0.1"
    assert client_ip(_req("127.0.0.1", "")) == "127.0.0.1"
