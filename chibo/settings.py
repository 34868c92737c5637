"""One env-driven settings module. Bad values fail loudly at start-up.

Environment:
  CHIBO_DEBUG=0|1          debug pages (default 0)
  CHIBO_SECRET_KEY         required when CHIBO_DEBUG=0 and not CHIBO_DEMO=1
  CHIBO_DEMO=0|1           demo mode: demo logins may be printed, a fixed dev secret is allowed
  CHIBO_ALLOWED_HOSTS      comma list (default 127.0.0.1,localhost)
  CHIBO_VAR_DIR            where the SQLite file and uploads live (default ./var)
  DATABASE_URL             e.g. postgres://user:pw@127.0.0.1:5432/chibo ; default SQLite
  DB=postgres              shorthand for postgres://chibo:chibo@127.0.0.1:5432/chibo
  CHIBO_EMAIL_HOST         SMTP server for meeting notices; unset: e-mails are written to the
                           console (demo) — closed networks often have no mail server at all
  CHIBO_EMAIL_PORT, CHIBO_EMAIL_USER, CHIBO_EMAIL_PASSWORD, CHIBO_EMAIL_FROM
  CHIBO_SESSION_DAYS=1      days a login lasts without use (each request starts the count
                           again); 0: until the browser closes (shared computers)
  CHIBO_LOGIN_FAILURES=5    wrong passwords for one username from one IP before that pair is
                           locked (django-axes; never by IP alone: a commune office shares one)
  CHIBO_LOGIN_COOLOFF_MINUTES=30  how long such a lock lasts (staff in scope can lift it sooner)
  CHIBO_TRUSTED_PROXIES    comma list of addresses/networks of the deployment's own reverse proxy
                           (e.g. 127.0.0.1,::1 for nginx on the same host). Only a request that
                           arrives from one of them has its X-Forwarded-For (client IP: audit log,
                           login throttle) and X-Forwarded-Proto (HTTPS) believed. Default: none.
  CHIBO_HTTPS=0|1          production behind a TLS-terminating reverse proxy (nginx): secure session
                           and CSRF cookies, HSTS for a year (subdomains, preload directive), every
                           plain-HTTP request redirected to HTTPS, X-Forwarded-Proto believed from
                           the proxy. Without CHIBO_TRUSTED_PROXIES the proxy is taken to be on
                           the same host (127.0.0.1,::1: nginx in front of `chibo serve`, the
                           layout of docs/deploy.md); a proxy elsewhere must be named there.
                           Refused together with CHIBO_DEBUG=1 or CHIBO_DEMO=1 (the demo's fixed
                           secret and debug pages must never face the internet).
  CHIBO_HSTS_SECONDS       HSTS max-age under CHIBO_HTTPS=1 (default 31536000, one year; 0 turns
                           HSTS off for the first days of a new deployment; the deploy check then
                           warns, as it should)
  CHIBO_BACKUP_KEY         key for `chibo backup` / `chibo restore` (`chibo backup --generate-key`);
                           set: backups are encrypted (AES-256-GCM, streamed); unset: plain archives
  CHIBO_JOB_STALE_AFTER=120 seconds without a worker's heartbeat before a running background
                           job is re-queued (once) or failed
  CHIBO_IMPORT_BACKGROUND_ROWS=3000  rolls this large are imported by `chibo worker`
  CHIBO_EXPORT_BACKGROUND_ROWS=20000  exports of more rows are written by `chibo worker`
                           and downloaded from the job's page (kept 24 hours)
  CHIBO_2FA_SECRETARY=0|1  cell secretaries must also sign in with a second factor (default 0:
                           optional for them; always required for system administrators,
                           committee officials and inspection)
  CHIBO_DEMO_TODAY=YYYY-MM-DD  the day the demo's recent data (this year's meetings, a transfer
                           awaiting arrival) is built around; default: the real date
"""

import datetime as _dt
import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be 0 or 1, got {raw!r}")


def env_date(name: str):
    import datetime as dt

    raw = os.environ.get(name)
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a date YYYY-MM-DD, got {raw!r}") from None


DEBUG = env_bool("CHIBO_DEBUG", False)
TESTING = os.environ.get("CHIBO_TESTING") == "1" or "pytest" in sys.modules
DEMO = env_bool("CHIBO_DEMO", False)
DEMO_TODAY = env_date("CHIBO_DEMO_TODAY")
VAR_DIR = Path(os.environ.get("CHIBO_VAR_DIR") or PROJECT_DIR / "var")

SECRET_KEY = os.environ.get("CHIBO_SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or DEMO or TESTING:
        SECRET_KEY = "chibo-insecure-development-key-do-not-use-in-production"
    else:
        raise ImproperlyConfigured(
            "CHIBO_SECRET_KEY is required outside demo/debug mode "
            "(set CHIBO_DEMO=1 for the demo, or give a long random secret)."
        )


def env_list(name: str, default: str = "") -> list[str]:
    return [h.strip() for h in os.environ.get(name, default).split(",") if h.strip()]


HTTPS = env_bool("CHIBO_HTTPS", False)
TRUSTED_PROXIES = env_list("CHIBO_TRUSTED_PROXIES")
if HTTPS and not TRUSTED_PROXIES:
    # TLS ends at nginx on this host (docs/deploy.md); the redirect below would loop for ever if
    # the proxy's X-Forwarded-Proto were not believed.
    TRUSTED_PROXIES = ["127.0.0.1", "::1"]
try:
    import ipaddress

    for _p in TRUSTED_PROXIES:
        ipaddress.ip_network(_p, strict=False)
except ValueError as exc:
    raise ImproperlyConfigured(f"CHIBO_TRUSTED_PROXIES: {exc}") from None
if TRUSTED_PROXIES:
    # Set by our proxy only; see chibo.core.net for why X-Forwarded-For is read the same way.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Production behind a TLS proxy (CHIBO_HTTPS=1) ----------------------------------------------
# `chibo check --deploy --fail-level WARNING` passes with these (tested in
# chibo/core/tests/test_deploy_check.py and run by scripts/test.sh).
if HTTPS and (DEBUG or DEMO):
    raise ImproperlyConfigured(
        "CHIBO_HTTPS=1 is production: unset CHIBO_DEBUG and CHIBO_DEMO "
        "(debug pages and the demo's fixed secret must never face the internet)."
    )
if HTTPS and not os.environ.get("CHIBO_ALLOWED_HOSTS"):
    raise ImproperlyConfigured(
        "CHIBO_HTTPS=1 needs CHIBO_ALLOWED_HOSTS: the deployment's own name(s), e.g. "
        "chibo.example.gov.vn (the default, 127.0.0.1/localhost, would refuse every request)."
    )
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    _hsts = os.environ.get("CHIBO_HSTS_SECONDS", "31536000")
    if not _hsts.isdigit():
        raise ImproperlyConfigured(f"CHIBO_HSTS_SECONDS must be a whole number, got {_hsts!r}")
    SECURE_HSTS_SECONDS = int(_hsts)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # The preload directive binds nothing by itself: only the owner of a registrable domain can
    # submit it to the browsers' list, and chibo usually lives on a subdomain (chibo.<tinh>.gov.vn).
    SECURE_HSTS_PRELOAD = True
# --- end of production block -----------------------------------------------------------------

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("CHIBO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "treebeard",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "chibo.core",
    "chibo.accounts",
    "chibo.audit",
    "chibo.org",
    "chibo.members",
    "chibo.meetings",
    "chibo.reviews",
    "chibo.demo",
]

MIDDLEWARE = [
    "chibo.core.middleware.ForwardedProtoFromProxyOnlyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "chibo.audit.middleware.RequestContextMiddleware",
    "chibo.core.scope.ScopeCacheMiddleware",
    "chibo.core.middleware.RejectNulMiddleware",
    "chibo.core.middleware.RejectRepeatedApiParamsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the session and the user: request.user.is_verified(), then the 2FA rules (issue 11).
    "django_otp.middleware.OTPMiddleware",
    "chibo.accounts.twofactor.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A user whose password staff chose goes to "Đổi mật khẩu" before anything else.
    "chibo.accounts.middleware.PasswordChangeRequiredMiddleware",
    # Last: turns a login refused by the throttle into the Vietnamese lockout page.
    "axes.middleware.AxesMiddleware",
]

# --- Content Security Policy (issue 11, point 7) -------------------------------------------
# Django's own CSP: every response says that scripts, styles, images and connections come from
# this origin only. No 'unsafe-inline' and no 'unsafe-eval': the templates hold no <script> body,
# no <style>, no style="…" and no on…= handler (chibo/core/tests/test_csp.py reads them all);
# behaviour lives in static/chibo/*.js, looks in static/chibo/*.css. Nothing needs a nonce. The
# only exceptions are the PDF templates, which WeasyPrint renders and no browser ever sees.
# img-src has no data: on purpose: nothing draws images as data URIs (serve them from a URL).
from django.utils.csp import CSP  # noqa: E402

MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
)
# The API's Swagger page: with "ninja" installed, django-ninja serves its own template, which loads
# the Swagger files it ships from /static/ninja/ (no inline script); without it, a CDN and an
# inline script, which the policy (and a closed network) would refuse.
INSTALLED_APPS.append("ninja")
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
# --- end of the Content Security Policy ----------------------------------------------------

ROOT_URLCONF = "chibo.urls"
WSGI_APPLICATION = "chibo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]


def _database() -> dict:
    url = os.environ.get("DATABASE_URL", "")
    db_flag = os.environ.get("DB", "")
    if not url and db_flag:
        if db_flag == "postgres":
            url = "postgres://chibo:chibo@127.0.0.1:5432/chibo"
        elif db_flag != "sqlite":
            raise ImproperlyConfigured(f"DB must be 'sqlite' or 'postgres', got {db_flag!r}")
    if not url:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "chibo.sqlite3",
            "OPTIONS": {
                # WAL lets the demo server read while a background job writes.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
            },
        }
    try:
        cfg = dj_database_url.parse(url, conn_max_age=60)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from exc
    return cfg


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "org:tree"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A login lasts CHIBO_SESSION_DAYS (default 1) since the last request: a secretary using her own
# phone every day stays in, a commune computer left logged in is closed by the next morning;
# CHIBO_SESSION_DAYS=0 ends the login (and the CSRF cookie) when the browser closes. See
# docs/decisions.md "(issue 11) Session length".
_session_days = os.environ.get("CHIBO_SESSION_DAYS", "1")
if not _session_days.isdigit():
    raise ImproperlyConfigured(f"CHIBO_SESSION_DAYS must be a whole number, got {_session_days!r}")
SESSION_COOKIE_AGE = 60 * 60 * 24 * (int(_session_days) or 1)
SESSION_SAVE_EVERY_REQUEST = True  # the age counts from the last request, not from the login
SESSION_EXPIRE_AT_BROWSER_CLOSE = int(_session_days) == 0
if SESSION_EXPIRE_AT_BROWSER_CLOSE:
    CSRF_COOKIE_AGE = None
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False


def env_int(name: str, default: int, minimum: int = 1) -> int:
    raw = os.environ.get(name, "") or str(default)
    if not raw.isdigit() or int(raw) < minimum:
        raise ImproperlyConfigured(f"{name} must be a whole number >= {minimum}, got {raw!r}")
    return int(raw)


# Login throttling (django-axes). The lock is on the (username, IP) pair together, never on the IP
# alone: a commune office's staff all come from one address, and one person's mistakes must not
# lock out the others. The IP is chibo.core.net.client_ip (CHIBO_TRUSTED_PROXIES decides whether
# X-Forwarded-For is believed). AxesStandaloneBackend refuses a locked pair before the password is
# checked, so even the right password fails during the lock.
AUTHENTICATION_BACKENDS = [
    "chibo.accounts.backends.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env_int("CHIBO_LOGIN_FAILURES", 5)
AXES_COOLOFF_TIME = _dt.timedelta(minutes=env_int("CHIBO_LOGIN_COOLOFF_MINUTES", 30))
AXES_CLIENT_IP_CALLABLE = "chibo.core.net.client_ip"
AXES_USERNAME_CALLABLE = "chibo.accounts.backends.login_username"
AXES_LOCKOUT_CALLABLE = "chibo.accounts.views.locked_out"
AXES_RESET_ON_SUCCESS = True  # a right password after a few slips starts the count again
AXES_ENABLE_ADMIN = False  # no Django admin here; staff unlock from the account page
# Logins and failed logins are in the audit log already (chibo.accounts.signals): axes keeps only
# its attempt counters, not a second, never-purged log of addresses and browsers.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads (member photos, files being imported) stay under var/, never in the code tree.
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names + long cache: a phone on weak 3G downloads CSS and htmx once.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG or TESTING:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

if os.environ.get("CHIBO_EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["CHIBO_EMAIL_HOST"],
                "port": int(os.environ.get("CHIBO_EMAIL_PORT", "25")),
                "username": os.environ.get("CHIBO_EMAIL_USER", ""),
                "password": os.environ.get("CHIBO_EMAIL_PASSWORD", ""),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("CHIBO_EMAIL_FROM", "chibo@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CHIBO_LOG_LEVEL", "WARNING")},
}

# Structural thresholds (domain-rules §3.6). They are defaults for the parameter table.
CHIBO_TOKEN_PREFIX = "chibo_"

# --- Background work (issue 11, part 4) ------------------------------------------------------
# Django's tasks framework with django-tasks-db: the queue is a table in the same database, so
# a job's state change and its task commit together, and `chibo worker` (any number of them)
# runs them. "deferred" holds the work to run later (run_after: the 24-hour clean-up of
# uploads). Unit tests run "default" at once (ImmediateBackend) and keep "deferred" in memory
# (DummyBackend: the immediate one refuses run_after), where a test runs it after moving the
# clock.
INSTALLED_APPS += ["django_tasks_db"]
if TESTING:
    TASKS = {
        "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"},
        "deferred": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"},
    }
else:
    TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]},
        "deferred": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]},
    }
# CHIBO_JOB_STALE_AFTER: seconds without a heartbeat after which a running job lost its worker
# (re-queued once, then failed). CHIBO_IMPORT_BACKGROUND_ROWS: a roll of this many rows or more
# is validated and committed by the worker, a smaller one in the request.
try:
    CHIBO_JOB_STALE_AFTER = float(os.environ.get("CHIBO_JOB_STALE_AFTER") or 120)
    CHIBO_IMPORT_BACKGROUND_ROWS = int(os.environ.get("CHIBO_IMPORT_BACKGROUND_ROWS") or 3000)
    CHIBO_EXPORT_BACKGROUND_ROWS = int(os.environ.get("CHIBO_EXPORT_BACKGROUND_ROWS") or 20000)
except ValueError as exc:
    raise ImproperlyConfigured(
        "CHIBO_JOB_STALE_AFTER / CHIBO_IMPORT_BACKGROUND_ROWS / CHIBO_EXPORT_BACKGROUND_ROWS: "
        f"{exc}"
    ) from exc
# An export of more rows than CHIBO_EXPORT_BACKGROUND_ROWS is written by the worker into this
# folder (personal data: outside MEDIA_ROOT, never served by itself; only the owner's download
# view reads it) and deleted 24 hours later.
CHIBO_EXPORT_DIR = VAR_DIR / "exports"
if CHIBO_JOB_STALE_AFTER <= 0:
    raise ImproperlyConfigured("CHIBO_JOB_STALE_AFTER must be a positive number of seconds")
# Two-factor sign-in (issue 11, chibo.accounts.twofactor). Required for superusers and for active
# ADMIN / OFFICIAL / INSPECTION grants; for cell secretaries when the deployment says so.
CHIBO_2FA_SECRETARY = env_bool("CHIBO_2FA_SECRETARY", False)
OTP_TOTP_ISSUER = "chibo"
# A code from the step before or after the current one is accepted (tolerance 1, django-otp's
# default), but the window does not wander with each login: the drift it would learn from one
# late code would move it for the next. A phone's clock is set by the network.
OTP_TOTP_SYNC = False
