from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from chibo.core.scope import At, Either, Own, Related, RestrictedQuerySet

from .choices import Role


def _active_today(today):
    return Q(valid_from__lte=today) & (Q(valid_to__isnull=True) | Q(valid_to__gt=today))


class ChiboUserManager(UserManager.from_queryset(RestrictedQuerySet)):
    pass


class User(AbstractUser):
    """An account. E-mail is optional: many elderly cell secretaries have none, so staff create
    the account and hand over a one-time code."""

    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    created_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # True while the password is one staff chose for the user (create_account with a password):
    # PasswordChangeRequiredMiddleware sends them to "Đổi mật khẩu" first. A password the user
    # set themselves (with a one-time code, or on that page) clears it.
    must_change_password = models.BooleanField(default=False)
    # Mixed into the session hash: a new value ends every session of the account ("đăng xuất
    # mọi thiết bị", services.end_all_sessions). Empty: the hash is Django's own.
    session_salt = models.CharField(max_length=32, blank=True, default="", editable=False)

    objects = ChiboUserManager()
    # For reading: accounts holding a grant active today on a unit in the reader's scope
    # today, and the reader's own. (Having created an account gives no reach over it.)
    scope = Either(
        Own("pk"),
        Related("grants", At("unit_id", lambda today: today), where=_active_today),
    )

    class Meta:
        verbose_name = _("tài khoản")
        verbose_name_plural = _("tài khoản")

    def __str__(self) -> str:
        return self.full_name or self.username

    def _get_session_auth_hash(self, secret=None):
        # Django checks a session against this on every request (and its SECRET_KEY_FALLBACKS
        # variants): a changed password or a new session_salt logs every device out.
        if not self.session_salt:
            return super()._get_session_auth_hash(secret=secret)
        return salted_hmac(
            "chibo.accounts.User.session_auth_hash",
            f"{self.password}:{self.session_salt}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class GrantQuerySet(models.QuerySet):
    def active(self, on: dt.date | None = None) -> GrantQuerySet:
        on = on or timezone.localdate()
        return self.filter(valid_from__lte=on).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))


class Grant(models.Model):
    """A dated scope grant: `user` holds `role` on `unit` (and its subtree and its predecessors'
    subtrees) during [valid_from, valid_to)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants"
    )
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="grants")
    role = models.CharField(_("vai trò"), max_length=16, choices=Role.choices)
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến trước ngày"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = GrantQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from", "id"]
        indexes = [models.Index(fields=["user", "valid_from"], name="acc_grant_user_from")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"


class ResetCode(models.Model):
    """A one-time code issued by staff so a user without e-mail can set a new password."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reset_codes"
    )
    code_hash = models.CharField(max_length=128)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    failed_tries = models.PositiveSmallIntegerField(default=0)


class ApiToken(models.Model):
    """A personal token for scripts (the API's Bearer auth). Only its hash is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("tên"), max_length=80)
    prefix = models.CharField(max_length=16, db_index=True)
    key_hash = models.CharField(max_length=128, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Chosen at creation (TOKEN_DAYS); the API refuses the token from then on (401).
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()
