"""The pages of two-factor sign-in: set up, the code step, the user's own page, staff reset."""

from __future__ import annotations

from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticDevice

from ..models import User
from . import policy, services
from .forms import CodeForm
from .middleware import pending_step, step_url


def _next(request) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


class SecondStepLoginMixin:
    """For Django's LoginView: after the password, straight to the step still owed (the code, or
    setting one up) with the page asked for kept as `next` — one round trip less on 3G. The
    middleware enforces the same rule on every other page."""

    def get_success_url(self):
        url = super().get_success_url()
        step = pending_step(self.request.user)
        return step_url(step, url) if step else url


def _grouped(text: str, size: int) -> str:
    return " ".join(text[i : i + size] for i in range(0, len(text), size))


def _qr_svg(device) -> str:
    # Drawn here, inline: no request for an image, no data: URI, no script.
    qr = segno.make(device.config_url, error="m")
    return mark_safe(  # noqa: S308 (segno's own SVG of our own URL)
        qr.svg_inline(scale=1, border=4, omitsize=True, svgclass="qr", title=_("Mã QR"))
    )


def _recovery_page(request, codes: list[str], next_url: str):
    return render(
        request,
        "accounts/twofactor/recovery.html",
        {
            "nav": "accounts",
            "codes": [_grouped(c, 5) for c in codes],
            "next": next_url,
        },
    )


@login_required
def overview(request):
    """The user's own page: whether a second factor is on, and how many recovery codes remain."""
    user = request.user
    if request.method == "POST" and policy.enabled(user):
        if not policy.recently_verified(request):
            return redirect(step_url("accounts:2fa_verify", request.path))
        codes = services.new_recovery_codes(actor=user)
        return _recovery_page(request, codes, request.path)
    device = policy.device(user)
    return render(
        request,
        "accounts/twofactor/overview.html",
        {
            "nav": "accounts",
            "device": device,
            "required": policy.required(user),
            "recovery_left": services.recovery_codes_left(user) if device else 0,
        },
    )


@login_required
def enrol(request):
    """Scan the QR code (or type the key shown under it), then type the first code."""
    next_url = _next(request)
    if policy.enabled(request.user):
        return redirect(next_url)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = services.confirm_enrolment(
                actor=request.user, code=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            form.add_error("code", exc.messages)
        else:
            policy.mark_verified(request, device)
            return _recovery_page(request, codes, next_url)
    device = services.start_enrolment(actor=request.user)
    return render(
        request,
        "accounts/twofactor/enrol.html",
        {
            "nav": "accounts",
            "form": form,
            "qr": _qr_svg(device),
            "secret": _grouped(b32encode(device.bin_key).decode(), 4),
            "required": policy.required(request.user),
            "next": next_url,
            "second_step": pending_step(request.user) is not None,
        },
    )


@login_required
def verify(request):
    """The code step: after the password, and again before creating an API token."""
    next_url = _next(request)
    if not policy.enabled(request.user):
        return redirect(next_url)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.verify(actor=request.user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc.messages)
        else:
            policy.mark_verified(request, device)
            if isinstance(device, StaticDevice):
                left = services.recovery_codes_left(request.user)
                messages.warning(
                    request,
                    _("Bạn vừa dùng một mã dự phòng; còn %(n)s mã.") % {"n": left},
                )
            return redirect(next_url)
    return render(
        request,
        "accounts/twofactor/verify.html",
        {
            "form": form,
            "next": next_url,
            "again": request.user.is_verified(),
            "second_step": pending_step(request.user) is not None,
        },
    )


@login_required
@require_POST
def reset(request, pk: int):
    """Staff remove the lost second factor of an account they administer."""
    account = get_object_or_404(User.objects.restrict(request.user, "view"), pk=pk)
    try:
        services.reset_second_factor(actor=request.user, user=account)  # 403 if not theirs
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _(
                "Đã xóa xác thực hai bước của tài khoản này. Lần đăng nhập tới, người dùng "
                "cài lại ứng dụng xác thực (nếu vai trò của họ bắt buộc)."
            ),
        )
    return redirect("accounts:detail", pk=pk)
