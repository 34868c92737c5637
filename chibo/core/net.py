"""Where a request came from, behind the deployment's own proxy (nginx) or not.

One setting, `CHIBO_TRUSTED_PROXIES` (settings.TRUSTED_PROXIES: addresses or networks), decides
both whether the proxy's `X-Forwarded-Proto` is believed (SECURE_PROXY_SSL_HEADER, set in
settings from the same value) and whether `X-Forwarded-For` is: only when the connection itself
comes from a trusted proxy, and then the right-most address that is not one of them (a client
can prepend anything to the header; it cannot forge what our proxy appended). The audit log,
the login throttle (django-axes) and every other reader of "the client's IP" ask here.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(s, strict=False) for s in spec)


def _trusted(addr: str) -> bool:
    nets = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if not nets:
        return False
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return False
    return any(ip in n for n in nets)


def from_trusted_proxy(request) -> bool:
    """Whether the connection itself comes from the deployment's own proxy."""
    return _trusted(request.META.get("REMOTE_ADDR") or "")


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    if remote is None or not _trusted(remote):
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed([h for h in hops if h]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return remote  # a malformed header: believe only the connection
        if not _trusted(hop):
            return hop
    return remote
