"""The login throttle (django-axes), as chibo uses it.

`LoginThrottleBackend` comes first in AUTHENTICATION_BACKENDS: it refuses a (username, IP) pair
that is locked before any password is checked. Every password login in chibo goes through
`LoginView` (Django's AuthenticationForm), which passes the request. Django's test client calls
`authenticate()` without one for `client.login(...)`; only under CHIBO_TESTING is such a call let
through unthrottled (the throttle's own tests post to the login page like a browser). Anywhere
else a login without a request is a programming error and stays one (axes raises).
"""

from __future__ import annotations

import unicodedata

from axes.backends import AxesStandaloneBackend
from django.conf import settings


class LoginThrottleBackend(AxesStandaloneBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None and getattr(settings, "TESTING", False):
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def login_username(request, credentials) -> str | None:
    """The username a failure counts against, as the login would read it: NFKC like Django's
    UsernameField, trimmed and lower-cased like create_account stores it, so "CanBo.A " and
    "canbo.a" are one lock and the staff's unlock clears both."""
    raw = (credentials or {}).get("username")
    if raw is None:
        raw = request.POST.get("username") if request is not None else None
    if raw is None:
        return None
    return unicodedata.normalize("NFKC", str(raw)).strip().lower()
