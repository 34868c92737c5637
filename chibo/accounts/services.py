"""Account administration by committee staff, within their scope; every change audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import unicodedata

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from chibo.audit.services import record
from chibo.core.actors import SYSTEM, is_system
from chibo.core.scope import allowed, is_system_admin

from .backends import login_username
from .choices import Role
from .models import ApiToken, Grant, ResetCode, User
from .scope import administers, reaches_all_of

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,149}")
RESET_CODE_HOURS = 24
RESET_CODE_TRIES = 5  # wrong codes before every open code of the account is void
ELSEWHERE = _lazy("Tài khoản này có quyền ở cấp khác; đề nghị cấp trên thực hiện.")


def _require(actor, unit, action: str = "accounts") -> None:
    if not allowed(actor, action, unit):
        raise PermissionDenied(_("Bạn không có quyền quản lý tài khoản của tổ chức này."))


def _require_account(actor, account: User) -> None:
    """Account administration cannot climb: every grant of the account must lie within the
    actor's scope (chibo.accounts.scope.administers). The refusal names nothing elsewhere."""
    if not administers(actor, account):
        raise PermissionDenied(str(ELSEWHERE))


def _require_reach(actor, unit) -> None:
    """A new grant may reach no further back than the actor's own scope (a moved or merged
    cell's earlier history belongs to the level that covered it then)."""
    if not reaches_all_of(actor, unit):
        raise PermissionDenied(
            _(
                "%(u)s có lịch sử ở nơi chưa thuộc phạm vi của bạn (chuyển đến hoặc hợp nhất "
                "từ nơi khác); đề nghị cấp trên cấp quyền trên tổ chức này."
            )
            % {"u": unit.name}
        )


def _require_alive(unit) -> None:
    if unit.valid_to is not None:
        raise ValidationError(
            {
                "unit": _("%(u)s đã chấm dứt hoạt động: không cấp quyền trên tổ chức này.")
                % {"u": unit.name}
            }
        )


def _require_role(actor, role: str) -> None:
    if role == Role.ADMIN and not is_system(actor) and not is_system_admin(actor):
        raise PermissionDenied(_("Chỉ quản trị hệ thống được cấp quyền quản trị hệ thống."))


def _grant_dict(g: Grant) -> dict:
    return {
        "user": g.user.username,
        "unit": g.unit_id,
        "role": g.role,
        "valid_from": g.valid_from.isoformat(),
        "valid_to": g.valid_to.isoformat() if g.valid_to else None,
    }


@transaction.atomic
def create_account(
    *,
    actor,
    username: str,
    full_name: str,
    unit,
    role: str,
    valid_from: dt.date | None = None,
    phone: str = "",
    email: str = "",
    password: str | None = None,
) -> tuple[User, str | None]:
    """Create an account with a first grant. Without a password, returns a one-time code the
    staff member hands over (on paper, by phone) so the user sets their own password."""
    _require(actor, unit)
    _require_reach(actor, unit)
    _require_role(actor, role)
    _require_alive(unit)
    # One spelling per name: NFKC folds full-width and compatibility forms, and only plain
    # letters, digits and . _ - remain (a Cyrillic "а" or a zero-width space would let one
    # account pass for another in every list and in the audit log; found by a probe).
    username = unicodedata.normalize("NFKC", username).strip().lower()
    if not username:
        raise ValidationError({"username": _("Tên đăng nhập không được để trống.")})
    if not USERNAME.fullmatch(username):
        raise ValidationError(
            {
                "username": _(
                    "Tên đăng nhập chỉ gồm chữ không dấu (a–z), chữ số và các dấu . _ -, "
                    "bắt đầu bằng chữ hoặc số."
                )
            }
        )
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("Tên đăng nhập “%(u)s” đã có.") % {"u": username}})
    if role not in Role.values:
        raise ValidationError({"role": _("Vai trò không hợp lệ.")})
    user = User(
        username=username,
        full_name=full_name.strip(),
        phone=phone.strip(),
        email=email.strip(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    if password:
        # A password staff chose (and so know): the user replaces it before anything else.
        validate_password(password, user)
        user.set_password(password)
        user.must_change_password = True
    else:
        user.set_unusable_password()
    user.save()
    grant = Grant.objects.create(
        user=user, unit=unit, role=role, valid_from=valid_from or timezone.localdate()
    )
    record(
        actor=actor,
        action="accounts.create",
        obj=user,
        unit=unit,
        after={"username": user.username, "full_name": user.full_name, "grant": _grant_dict(grant)},
    )
    code = None if password else _issue_code(actor, user, unit)
    return user, code


def _issue_code(actor, user: User, unit) -> str:
    code = f"{secrets.randbelow(10**8):08d}"  # 8 digits: easy to read out over the phone
    ResetCode.objects.filter(user=user, used_at__isnull=True).update(used_at=timezone.now())
    ResetCode.objects.create(
        user=user,
        code_hash=make_password(code),
        issued_by=actor if getattr(actor, "pk", None) else None,
        expires_at=timezone.now() + dt.timedelta(hours=RESET_CODE_HOURS),
    )
    record(
        actor=actor,
        action="accounts.reset_code",
        obj=user,
        unit=unit,
        after={"expires_in_hours": RESET_CODE_HOURS},
    )
    return code


def primary_unit(user: User):
    g = (
        user.grants.active().select_related("unit").first()
        or user.grants.select_related("unit").first()
    )
    return g.unit if g else None


@transaction.atomic
def issue_reset_code(*, actor, user: User) -> str:
    _require_account(actor, user)
    return _issue_code(actor, user, primary_unit(user))


def redeem_reset_code(*, username: str, code: str, new_password: str) -> User:
    """Set a new password with a one-time code. Same message for every failure: a guesser
    learns nothing about which accounts exist. A code is void once it has expired, after
    RESET_CODE_TRIES wrong codes for the account, or when its issuer no longer administers the
    account (it has since gained a grant outside the issuer's scope). A refusal keeps its
    count of wrong tries (committed), and changes nothing else."""
    with transaction.atomic():
        user = _redeem(username, code, new_password)
    if user is None:
        raise ValidationError(_("Tên đăng nhập hoặc mã không đúng, hoặc mã đã hết hạn."))
    return user


def _redeem(username: str, code: str, new_password: str) -> User | None:
    user = User.objects.select_for_update().filter(username__iexact=username.strip()).first()
    if user is None:
        return None
    now = timezone.now()
    candidates = list(
        ResetCode.objects.select_for_update(of=("self",))  # not the issuer's row (outer join)
        .filter(user=user, used_at__isnull=True, expires_at__gt=now)
        .select_related("issued_by")
    )
    match = next((rc for rc in candidates if check_password(code.strip(), rc.code_hash)), None)
    if match is None:
        for rc in candidates:
            rc.failed_tries += 1
            if rc.failed_tries >= RESET_CODE_TRIES:
                rc.used_at = now  # void: the account's staff must issue a new one
            rc.save(update_fields=["failed_tries", "used_at"])
        return None
    if match.issued_by is not None and (
        not match.issued_by.is_active or not administers(match.issued_by, user)
    ):
        match.used_at = now
        match.save(update_fields=["used_at"])
        record(actor=SYSTEM, action="accounts.reset_code_void", obj=user, unit=primary_unit(user))
        return None
    validate_password(new_password, user)
    match.used_at = now
    match.save(update_fields=["used_at"])
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    # A code is issued when the password is lost or the account was in other hands: the API
    # tokens made before go with the old password (sessions end by the password's hash).
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    record(
        actor=user,
        action="accounts.password_set_with_code",
        obj=user,
        unit=primary_unit(user),
        after={"tokens_revoked": revoked},
    )
    return user


@transaction.atomic
def change_password(*, actor: User, old_password: str, new_password: str) -> None:
    if not actor.check_password(old_password):
        raise ValidationError({"old_password": _("Mật khẩu hiện tại không đúng.")})
    if new_password == old_password:
        raise ValidationError({"new_password": _("Mật khẩu mới phải khác mật khẩu hiện tại.")})
    try:
        validate_password(new_password, actor)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.messages}) from None
    actor.set_password(new_password)  # the session hash changes: other devices are logged out
    actor.must_change_password = False
    actor.save(update_fields=["password", "must_change_password"])
    record(actor=actor, action="accounts.password_change", obj=actor, unit=primary_unit(actor))


@transaction.atomic
def add_grant(
    *,
    actor,
    user: User,
    unit,
    role: str,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    note: str = "",
) -> Grant:
    _require_account(actor, user)
    _require(actor, unit)
    _require_reach(actor, unit)
    _require_role(actor, role)
    _require_alive(unit)
    if role not in Role.values:
        raise ValidationError({"role": _("Vai trò không hợp lệ.")})
    if valid_to is not None and valid_to <= valid_from:
        raise ValidationError({"valid_to": _("Ngày kết thúc phải sau ngày bắt đầu.")})
    grant = Grant.objects.create(
        user=user, unit=unit, role=role, valid_from=valid_from, valid_to=valid_to, note=note
    )
    record(actor=actor, action="accounts.grant_add", obj=user, unit=unit, after=_grant_dict(grant))
    return grant


@transaction.atomic
def end_grant(*, actor, grant: Grant, on: dt.date) -> Grant:
    _require_account(actor, grant.user)
    _require(actor, grant.unit)
    if on <= grant.valid_from:
        raise ValidationError({"on": _("Ngày kết thúc phải sau ngày bắt đầu của quyền.")})
    before = _grant_dict(grant)
    grant.valid_to = on
    grant.save(update_fields=["valid_to"])
    record(
        actor=actor,
        action="accounts.grant_end",
        obj=grant.user,
        unit=grant.unit,
        before=before,
        after=_grant_dict(grant),
    )
    return grant


@transaction.atomic
def hand_over(*, actor, from_user: User, to_user: User, on: dt.date) -> list[Grant]:
    """A secretary changes: the outgoing account's active grants end on `on` and the same
    grants start for the incoming account. Both accounts must be wholly the actor's to
    administer (handing grants *to* an account with rights elsewhere, then issuing it a code,
    would climb the same way)."""
    if from_user.pk == to_user.pk:
        raise ValidationError(_("Hai tài khoản phải khác nhau."))
    _require_account(actor, from_user)
    _require_account(actor, to_user)
    moved = []
    for g in from_user.grants.active(on).select_related("unit"):
        if on > g.valid_from:
            end_grant(actor=actor, grant=g, on=on)
        else:  # handed over on its first day: it never took effect; the record says so
            record(
                actor=actor,
                action="accounts.grant_delete",
                obj=from_user,
                unit=g.unit,
                before=_grant_dict(g),
            )
            g.delete()
        moved.append(
            add_grant(
                actor=actor,
                user=to_user,
                unit=g.unit,
                role=g.role,
                valid_from=on,
                note=_("Bàn giao từ %(u)s") % {"u": from_user.username},
            )
        )
    if not moved:
        raise ValidationError(
            _("Tài khoản này không có quyền nào trong phạm vi của bạn để bàn giao.")
        )
    return moved


def _holding_on_or_after(unit, on: dt.date):
    """Grants on `unit` in force on `on` or starting later."""
    from django.db.models import Q

    return (
        Grant.objects.filter(unit=unit)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))
        .select_related("user")
        .order_by("valid_from", "id")
    )


def repoint_grants(*, actor, predecessor, successor, on: dt.date) -> list[Grant]:
    """After a merge: grants on the absorbed unit in force on the date continue on its
    successor from that day (keeping their own end); grants that start later move whole."""
    out = []
    for g in _holding_on_or_after(predecessor, on):
        before = _grant_dict(g)
        note = _("Chuyển từ %(u)s khi hợp nhất") % {"u": predecessor.name}
        if g.valid_from < on:
            end, g.valid_to = g.valid_to, on
            g.save(update_fields=["valid_to"])
            new = Grant.objects.create(
                user=g.user, unit=successor, role=g.role, valid_from=on, valid_to=end, note=note
            )
        else:
            g.unit, g.note = successor, note
            g.save(update_fields=["unit", "note"])
            new = g
        record(
            actor=actor,
            action="accounts.grant_repoint",
            obj=g.user,
            unit=successor,
            before=before,
            after=_grant_dict(new),
        )
        out.append(new)
    return out


def end_grants(*, actor, unit, on: dt.date) -> list[Grant]:
    """A unit dissolved (or split) on `on`: its grants end that day; grants that were to start
    later never start (their period becomes empty, the row stays for the record)."""
    out = []
    for g in _holding_on_or_after(unit, on):
        before = _grant_dict(g)
        g.valid_to = max(on, g.valid_from)
        g.save(update_fields=["valid_to"])
        record(
            actor=actor,
            action="accounts.grant_end",
            obj=g.user,
            unit=unit,
            before=before,
            after=_grant_dict(g),
        )
        out.append(g)
    return out


def restructuring_lines(*, on: dt.date, absorbed, ended) -> list[str]:
    """For a restructuring's preview: whose grants move to the successor, whose end."""

    def holders(unit) -> str:
        return ", ".join(
            f"{g.user.full_name or g.user.username} ({g.user.username}, {g.get_role_display()})"
            for g in _holding_on_or_after(unit, on)
        )

    lines = []
    for unit, successor in absorbed:
        who = holders(unit)
        if who:
            lines.append(
                _("Quyền trên %(u)s chuyển sang %(s)s từ %(d)s: %(who)s.")
                % {"u": unit.name, "s": successor, "d": f"{on:%d/%m/%Y}", "who": who}
            )
    for unit in ended:
        who = holders(unit)
        if who:
            lines.append(
                _("Quyền trên %(u)s chấm dứt từ %(d)s: %(who)s.")
                % {"u": unit.name, "d": f"{on:%d/%m/%Y}", "who": who}
            )
    return lines


# --- Login throttle (django-axes): is an account locked, and lifting the lock -------------


def _throttled_name(user: User) -> str:
    """The name axes counts the account's failures under (see backends.login_username)."""
    return login_username(None, {"username": user.username}) or ""


def _recent_attempts(user: User):
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(username=_throttled_name(user), attempt_time__gt=since)


def is_locked_out(user: User) -> bool:
    """Whether some (username, IP) pair of the account is locked now: as many failures as
    AXES_FAILURE_LIMIT within the cool-off (axes counts a pair across user agents)."""
    return (
        _recent_attempts(user)
        .values("ip_address")
        .annotate(n=Sum("failures_since_start"))
        .filter(n__gte=settings.AXES_FAILURE_LIMIT)
        .exists()
    )


@transaction.atomic
def unlock_account(*, actor, user: User) -> int:
    """Lift the login lock of an account (every IP) before its cool-off ends: staff who
    administer the whole account only. Returns how many attempt records were cleared."""
    _require_account(actor, user)
    ips = sorted({ip or "" for ip in _recent_attempts(user).values_list("ip_address", flat=True)})
    cleared = AxesProxyHandler.reset_attempts(username=_throttled_name(user))
    record(
        actor=actor,
        action="accounts.unlock",
        obj=user,
        unit=primary_unit(user),
        after={"cleared": cleared, "ip_addresses": ips},
    )
    return cleared


# --- Sessions ---------------------------------------------------------------------------


@transaction.atomic
def end_all_sessions(*, actor: User) -> None:
    """ "Đăng xuất mọi thiết bị": a new session salt changes the account's session hash, so
    Django ends every session of it (this one too) on its next request."""
    actor.session_salt = secrets.token_hex(16)
    actor.save(update_fields=["session_salt"])
    record(actor=actor, action="accounts.sessions_end", obj=actor, unit=primary_unit(actor))


# --- API tokens ---------------------------------------------------------------------------

TOKEN_DAYS = (30, 90, 365)
TOKEN_DAYS_DEFAULT = 90


def _token_hash(raw: str) -> str:
    # Tokens are 32 random bytes: a fast hash is enough (no dictionary to guess from).
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def create_token(*, actor: User, name: str, days: int = TOKEN_DAYS_DEFAULT) -> str:
    if not name.strip():
        raise ValidationError({"name": _("Hãy đặt tên cho khóa.")})
    if days not in TOKEN_DAYS:
        raise ValidationError({"days": _("Thời hạn của khóa chỉ có thể là 30, 90 hoặc 365 ngày.")})
    raw = settings.CHIBO_TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = timezone.now() + dt.timedelta(days=days)
    ApiToken.objects.create(
        user=actor,
        name=name.strip(),
        prefix=raw[:12],
        key_hash=_token_hash(raw),
        expires_at=expires,
    )
    record(
        actor=actor,
        action="accounts.token_create",
        obj=actor,
        unit=primary_unit(actor),
        after={"name": name.strip(), "prefix": raw[:12], "days": days},
    )
    return raw


@transaction.atomic
def revoke_token(*, actor: User, token: ApiToken) -> ApiToken:
    """A user revokes one of their own tokens; the API refuses it (401) from now on."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.user_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Đây không phải khóa của bạn."))
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record(
        actor=actor,
        action="accounts.token_revoke",
        obj=actor,
        unit=primary_unit(actor),
        after={"name": token.name, "prefix": token.prefix},
    )
    return token


PASSWORD_CHANGE_REQUIRED = _lazy("Bạn cần đổi mật khẩu do văn phòng cấp trước khi tiếp tục.")


def user_for_token(raw: str) -> User | None:
    """The API's Bearer auth. Tokens are 32 random bytes (no dictionary to guess from), so the
    API needs no throttle; a revoked or expired token, or an inactive account, gives None (401).
    An account that must first change its password is refused (403) until it has."""
    now = timezone.now()
    tok = (
        ApiToken.objects.filter(
            key_hash=_token_hash(raw), revoked_at__isnull=True, expires_at__gt=now
        )
        .select_related("user")
        .first()
    )
    if tok is None or not tok.user.is_active:
        return None
    if tok.user.must_change_password:
        raise PermissionDenied(str(PASSWORD_CHANGE_REQUIRED))
    ApiToken.objects.filter(pk=tok.pk).update(last_used_at=now)
    return tok.user
