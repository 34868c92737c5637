"""A user whose password staff chose must replace it before doing anything else."""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from .services import PASSWORD_CHANGE_REQUIRED


class PasswordChangeRequiredMiddleware:
    """After AuthenticationMiddleware. A logged-in user with `must_change_password` reaches only
    the change page, logout and static files; any other page redirects to the change page, the
    JSON API answers 403 with a Vietnamese detail (a Bearer token is refused the same way, in
    services.user_for_token)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            path = request.path_info
            allowed = (
                reverse("accounts:password"),
                reverse("accounts:logout"),
                reverse("set_language"),
            )
            if path not in allowed and not path.startswith(settings.STATIC_URL):
                if path.startswith("/api/"):
                    return JsonResponse({"detail": str(PASSWORD_CHANGE_REQUIRED)}, status=403)
                return redirect("accounts:password")
        return self.get_response(request)
