"""Production mode (CHIBO_HTTPS=1): `chibo check --deploy --fail-level WARNING` is clean, and a
half-configured production start fails loudly. Each run is a fresh process with its own
environment: settings are read once, at start-up, exactly as on the server."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[3]


def _env(tmp_path, **overrides) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CHIBO_", "DJANGO_")) and k not in ("DATABASE_URL", "DB")
    }
    env.update(
        PYTHONPATH=str(ROOT),
        CHIBO_VAR_DIR=str(tmp_path / "var"),
        CHIBO_HTTPS="1",
        CHIBO_SECRET_KEY=secrets.token_urlsafe(60),
        CHIBO_ALLOWED_HOSTS="chibo.example.gov.vn",
        CHIBO_EMAIL_HOST="mail.example.gov.vn",
    )
    for k, v in overrides.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


def _run(env, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def _deploy_check(env):
    return _run(env, "-m", "chibo", "check", "--deploy", "--fail-level", "WARNING")


def test_it_passes_the_deploy_check_in_production_mode(tmp_path):
    done = _deploy_check(_env(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout


def test_without_https_the_deploy_check_names_what_is_missing(tmp_path):
    done = _deploy_check(_env(tmp_path, CHIBO_HTTPS=None))
    assert done.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in done.stderr


def test_a_short_secret_key_fails_the_deploy_check(tmp_path):
    done = _deploy_check(_env(tmp_path, CHIBO_SECRET_KEY="too-short"))
    assert done.returncode != 0 and "security.W009" in done.stderr


@pytest.mark.parametrize("flag", ["CHIBO_DEBUG", "CHIBO_DEMO"])
def test_production_refuses_debug_and_demo(tmp_path, flag):
    done = _deploy_check(_env(tmp_path, **{flag: "1"}))
    assert done.returncode != 0
    assert "CHIBO_HTTPS=1 is production: unset CHIBO_DEBUG and CHIBO_DEMO" in done.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    done = _deploy_check(_env(tmp_path, CHIBO_SECRET_KEY=None))
    assert done.returncode != 0
    assert "CHIBO_SECRET_KEY is required" in done.stderr


def test_production_refuses_to_start_without_its_host_names(tmp_path):
    done = _deploy_check(_env(tmp_path, CHIBO_ALLOWED_HOSTS=None))
    assert done.returncode != 0
    assert "CHIBO_HTTPS=1 needs CHIBO_ALLOWED_HOSTS" in done.stderr


PRINT = (
    "import chibo.settings as s; print(s.TRUSTED_PROXIES, s.SECURE_PROXY_SSL_HEADER, "
    "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS)"
)


def test_the_proxy_defaults_to_this_host_and_a_named_one_replaces_it(tmp_path):
    same_host = _run(_env(tmp_path), "-c", PRINT)
    assert same_host.stdout.strip() == (
        "['127.0.0.1', '::1'] ('HTTP_X_FORWARDED_PROTO', 'https') True True True 31536000"
    ), same_host.stderr
    elsewhere = _run(_env(tmp_path, CHIBO_TRUSTED_PROXIES="10.0.0.5"), "-c", PRINT)
    assert elsewhere.stdout.startswith("['10.0.0.5'] "), elsewhere.stderr


@override_settings(
    TRUSTED_PROXIES=["127.0.0.1"],
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    SECURE_SSL_REDIRECT=True,
    ALLOWED_HOSTS=["chibo.example.gov.vn"],
)
def test_only_our_proxy_may_say_the_request_came_over_https(client, db):
    host = {"HTTP_HOST": "chibo.example.gov.vn"}
    # Through nginx over HTTPS: served (the login redirect), not sent round to HTTPS again.
    proxied = client.get("/org/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_PROTO="https", **host)
    assert proxied.status_code == 302 and proxied["Location"].startswith("/accounts/login/")
    # Plain HTTP through nginx: redirected to HTTPS.
    plain = client.get("/org/", REMOTE_ADDR="127.0.0.1", **host)
    assert plain.status_code == 301
    assert plain["Location"] == "https://chibo.example.gov.vn/org/"
    # Straight to the app server, claiming HTTPS: not believed.
    forged = client.get("/org/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_PROTO="https", **host)
    assert forged.status_code == 301
    assert forged["Location"] == "https://chibo.example.gov.vn/org/"
