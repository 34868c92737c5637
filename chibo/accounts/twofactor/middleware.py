"""Nothing past the password alone for those who need more (issue 11).

A signed-in user whose account has a second factor that this session has not passed is sent to
the code step; one whose roles require a second factor and who has none is sent to set one up.
Both reach only the pages of those steps, signing out and the language switch. On the API such
a session counts as absent (401), so a Bearer token works as before and a half-signed-in browser
reads nothing."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from . import policy

# The only pages open between the password and the second factor.
OPEN = frozenset(
    {
        "accounts:login",
        "accounts:logout",
        "accounts:redeem",
        "accounts:2fa_verify",
        "accounts:2fa_enrol",
        "set_language",
        "service_worker",
    }
)


def pending_step(user) -> str | None:
    """The URL name of the step this user still owes in this session, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    # OTPMiddleware gives the request's user is_verified(); a user just set by login() has
    # none, and has passed only the password.
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None and is_verified():
        return None
    if policy.enabled(user):
        return "accounts:2fa_verify"
    if policy.required(user):
        return "accounts:2fa_enrol"
    return None


def step_url(name: str, next_url: str) -> str:
    return reverse(name) + "?" + urlencode({"next": next_url})


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or match.view_name in OPEN:
            return None
        if match.view_name == "accounts:password" and getattr(
            request.user, "must_change_password", False
        ):
            # A password chosen by staff is replaced first (the own-password page's middleware
            # sends such a user there); the second factor is set up or checked right after.
            return None
        step = pending_step(request.user)
        if step is None:
            return None
        if match.namespace == "api":
            # Not signed in, as far as the API is concerned: its token auth still applies.
            request.user = AnonymousUser()
            return None
        url = step_url(step, request.get_full_path())
        if request.headers.get("HX-Request"):
            return HttpResponse(status=204, headers={"HX-Redirect": url})
        return redirect(url)
