from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chibo.audit.exports import xlsx_response
from chibo.audit.services import record
from chibo.core.forms import add_errors
from chibo.core.scope import is_system_admin, roots, unit_ids
from chibo.org.models import Unit

from . import services
from .forms import (
    AccountCreateForm,
    GrantForm,
    HandOverForm,
    PasswordChangeForm,
    RedeemCodeForm,
    TokenForm,
)
from .models import User
from .scope import administers, visible_grants
from .twofactor import policy as twofactor
from .twofactor.views import SecondStepLoginMixin


class LoginView(SecondStepLoginMixin, auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


def _require_admin_scope(user) -> None:
    if not is_system_admin(user) and not roots(user, "accounts"):
        raise PermissionDenied(_("Bạn chỉ có quyền xem."))


@login_required
def account_list(request):
    users = User.objects.restrict(request.user, "view").order_by("username")
    return render(request, "accounts/list.html", {"nav": "accounts", "users": users})


@login_required
def account_export(request):
    users = User.objects.restrict(request.user, "view").order_by("username")
    rows = (
        (
            u.username,
            u.full_name,
            u.phone,
            "; ".join(
                f"{g.get_role_display()} — {g.unit.name}"
                for g in visible_grants(request.user, u)
                if g.valid_to is None
            ),
        )
        for u in users
    )
    return xlsx_response(
        actor=request.user,
        action="export.accounts",
        filename="tai-khoan.xlsx",
        title="Tai khoan",
        headers=["Tên đăng nhập", "Họ và tên", "Điện thoại", "Quyền hiện có"],
        rows=rows,
    )


@login_required
def account_create(request):
    _require_admin_scope(request.user)
    scope = Unit.objects.restrict(request.user, "accounts")
    form = AccountCreateForm(request.POST or None, scope=scope, admin=is_system_admin(request.user))
    code = None
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            user, code = services.create_account(
                actor=request.user,
                username=c["username"],
                full_name=c["full_name"],
                unit=c["unit"],
                role=c["role"],
                valid_from=c["valid_from"],
                phone=c["phone"],
                email=c["email"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            return render(
                request, "accounts/code.html", {"nav": "accounts", "account": user, "code": code}
            )
    return render(request, "accounts/create.html", {"nav": "accounts", "form": form})


@login_required
def account_detail(request, pk: int):
    account = get_object_or_404(User.objects.restrict(request.user, "view"), pk=pk)
    users = User.objects.restrict(request.user, "accounts")
    manages = administers(request.user, account)
    if request.method == "POST" and not manages:
        if is_system_admin(request.user) or roots(request.user, "accounts"):
            raise PermissionDenied(str(services.ELSEWHERE))
        raise PermissionDenied(_("Bạn chỉ có quyền xem tài khoản này."))
    scope = Unit.objects.restrict(request.user, "accounts")
    grant_form = GrantForm(scope=scope, prefix="g", admin=is_system_admin(request.user))
    handover_form = HandOverForm(users=users.exclude(pk=account.pk), prefix="h")
    if request.method == "POST":
        op = request.POST.get("op")
        try:
            if op == "grant":
                grant_form = GrantForm(
                    request.POST, scope=scope, prefix="g", admin=is_system_admin(request.user)
                )
                if grant_form.is_valid():
                    c = grant_form.cleaned_data
                    services.add_grant(
                        actor=request.user,
                        user=account,
                        unit=c["unit"],
                        role=c["role"],
                        valid_from=c["valid_from"],
                        valid_to=c["valid_to"],
                    )
                    messages.success(request, _("Đã cấp quyền."))
                    return redirect("accounts:detail", pk=pk)
            elif op == "end_grant":
                ids = unit_ids(request.user, "accounts")
                grants = (
                    account.grants.all() if ids is None else account.grants.filter(unit_id__in=ids)
                )
                grant = get_object_or_404(grants, pk=request.POST.get("grant"))
                from django.utils import timezone

                services.end_grant(actor=request.user, grant=grant, on=timezone.localdate())
                messages.success(request, _("Đã chấm dứt quyền từ hôm nay."))
                return redirect("accounts:detail", pk=pk)
            elif op == "reset":
                code = services.issue_reset_code(actor=request.user, user=account)
                return render(
                    request,
                    "accounts/code.html",
                    {"nav": "accounts", "account": account, "code": code},
                )
            elif op == "handover":
                handover_form = HandOverForm(
                    request.POST, users=users.exclude(pk=account.pk), prefix="h"
                )
                if handover_form.is_valid():
                    c = handover_form.cleaned_data
                    services.hand_over(
                        actor=request.user, from_user=account, to_user=c["to_user"], on=c["on"]
                    )
                    messages.success(request, _("Đã bàn giao quyền."))
                    return redirect("accounts:detail", pk=c["to_user"].pk)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    grants = visible_grants(request.user, account)
    # Staff who administer accounts but not this one are told only that it is not theirs:
    # no count and no names of what lies elsewhere.
    elsewhere = (
        not manages
        and account.pk != request.user.pk
        and (is_system_admin(request.user) or bool(roots(request.user, "accounts")))
    )
    if request.method == "GET":
        # An account is a person's record (name, phone, grants): who looked at it is logged.
        record(
            actor=request.user,
            action="view.account",
            obj=account,
            unit=services.primary_unit(account),
        )
    return render(
        request,
        "accounts/detail.html",
        {
            "nav": "accounts",
            "account": account,
            "grants": grants,
            "grant_form": grant_form,
            "handover_form": handover_form,
            "manages": manages,
            "elsewhere": elsewhere,
            "elsewhere_text": services.ELSEWHERE,
            # The login lock (issue 11): the button shows only to staff who may lift it.
            "can_unlock": administers(request.user, account) and services.is_locked_out(account),
        },
    )


def redeem_code(request):
    form = RedeemCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            services.redeem_reset_code(
                username=c["username"], code=c["code"], new_password=c["new_password"]
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Đã đặt mật khẩu mới. Mời đăng nhập."))
            return redirect("accounts:login")
    return render(request, "accounts/redeem.html", {"form": form})


@login_required
def tokens(request):
    form = TokenForm(request.POST or None)
    raw = None
    recent = twofactor.recently_verified(request)  # a token skips the second factor: ask first
    if request.method == "POST" and not recent:
        messages.error(request, _("Hãy nhập mã xác thực hai bước trước khi tạo khóa."))
    elif request.method == "POST" and form.is_valid():
        try:
            raw = services.create_token(
                actor=request.user,
                name=form.cleaned_data["name"],
                days=int(form.cleaned_data["days"]),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            form = TokenForm()
    now = timezone.now()
    mine = request.user.api_tokens.filter(revoked_at__isnull=True)
    return render(
        request,
        "accounts/tokens.html",
        {
            "nav": "me",
            "form": form,
            "raw": raw,
            "active": mine.filter(expires_at__gt=now),
            "expired": mine.filter(expires_at__lte=now),
            "recent_2fa": recent,
        },
    )


# --- Issue 11: login lock, own password, sessions, token revocation -----------------------


def locked_out(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the page a locked (username, IP) pair gets instead of a login."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "accounts/locked.html",
        {"minutes": minutes, "failures": settings.AXES_FAILURE_LIMIT},
        status=429,
    )


@login_required
@require_POST
def account_unlock(request, pk: int):
    account = get_object_or_404(User.objects.restrict(request.user, "view"), pk=pk)
    if not administers(request.user, account):
        raise PermissionDenied(_("Bạn chỉ có quyền xem tài khoản này."))
    services.unlock_account(actor=request.user, user=account)
    messages.success(request, _("Đã mở khóa đăng nhập cho tài khoản này."))
    return redirect("accounts:detail", pk=pk)


@login_required
def password_change(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            services.change_password(
                actor=request.user, old_password=c["old_password"], new_password=c["new_password"]
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            # This device stays logged in; every other one is logged out by the new hash.
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Đã đổi mật khẩu. Các thiết bị khác đã được đăng xuất."))
            return redirect(settings.LOGIN_REDIRECT_URL)
    return render(
        request,
        "accounts/password.html",
        {"nav": "me", "form": form, "required": request.user.must_change_password},
    )


@login_required
@require_POST
def sessions_end(request):
    services.end_all_sessions(actor=request.user)
    messages.success(request, _("Đã đăng xuất khỏi mọi thiết bị. Mời đăng nhập lại."))
    return redirect("accounts:login")


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(request.user.api_tokens.all(), pk=pk)
    services.revoke_token(actor=request.user, token=token)
    messages.success(request, _("Đã thu hồi khóa “%(n)s”.") % {"n": token.name})
    return redirect("accounts:tokens")
