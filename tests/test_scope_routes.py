"""Every route, four ways: anonymous, out of scope, read-only, allowed."""

import io
import json

import pytest
from django.db.models import Q
from openpyxl import load_workbook

from chibo.audit.models import AuditLog
from tests.world import PASSWORD

from .scope_cases import ALL_CASES, Case

pytestmark = pytest.mark.django_db


def call(client, case: Case, world):
    url = case.url(world)
    if case.method == "get":
        return client.get(url)
    body = case.body(world) if case.body else {}
    if case.is_api:
        return client.post(url, data=json.dumps(body), content_type="application/json")
    return client.post(url, data=body)


def text(resp) -> str:
    if resp.get("Content-Type", "").startswith("application/json"):
        return json.dumps(resp.json(), ensure_ascii=False)
    if resp.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        ws = load_workbook(io.BytesIO(resp.getvalue())).active
        return "\n".join(" ".join(str(v) for v in r if v) for r in ws.iter_rows(values_only=True))
    return resp.content.decode()


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def changes() -> int:
    """Audit rows of changes (reads such as logins and exports are logged too)."""
    reads = (
        Q(action__startswith="login")
        | Q(action__startswith="export")
        | Q(action__startswith="view")
    )
    return AuditLog.objects.exclude(reads).count()


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.route)
def test_it_turns_away_anonymous_users(client, seeded, case):
    resp = call(client, case, seeded)
    if case.is_api:
        assert resp.status_code == 401
    else:
        assert resp.status_code == 302
        assert resp["Location"].startswith("/accounts/login/")


OUTSIDE = [c for c in ALL_CASES if not c.self_service]


def _hidden(client, case: Case, world, user, *, no_grant: bool = False) -> None:
    """What `user` gets on `case` is what a stranger to commune A gets: 404, absent from a
    list, or a form that refuses commune A's reference. Nothing is written."""
    client.logout()
    login(client, user)
    before = changes()
    resp = call(client, case, world)
    if case.list_marker is not None:
        assert resp.status_code == 200
        assert case.list_marker(world) not in text(resp)
    elif case.form_scoped:
        # The form only accepts what lies in the caller's scope: commune A's cell is refused;
        # with no active grant at all, the form itself is refused (403).
        assert resp.status_code in ((200, 403) if no_grant else (200,))
        assert resp.status_code == 403 or "<form" in text(resp)
    else:
        assert resp.status_code == 404, resp.content[:300]
    assert changes() == before


@pytest.mark.parametrize("case", OUTSIDE, ids=lambda c: c.route)
def test_it_hides_what_lies_outside_the_scope(client, seeded, case, today):
    _hidden(client, case, seeded, seeded.official_b)
    # The dated case of every route: commune A's official whose grant ended yesterday (or, on
    # every other route, starts tomorrow) is as far outside as commune B's: a grant counts only
    # while it is active.
    import datetime as dt

    from chibo.accounts.choices import Role
    from tests.world import make_user

    if OUTSIDE.index(case) % 2 == 0:
        dates, name = {"valid_to": today}, "canbo.het.han"
    else:
        dates, name = {"valid_from": today + dt.timedelta(days=1)}, "canbo.ngay.mai"
    outsider = make_user(name, seeded.commune_a, Role.OFFICIAL, **dates)
    _hidden(client, case, seeded, outsider, no_grant=True)


@pytest.mark.parametrize(
    "case", [c for c in ALL_CASES if not c.self_service], ids=lambda c: c.route
)
def test_it_lets_read_only_users_read_but_not_write(client, seeded, case):
    login(client, seeded.viewer_a)
    resp = call(client, case, seeded)
    if case.write:
        assert resp.status_code == 403, resp.content[:300]
    else:
        assert resp.status_code == 200
        if case.list_marker is not None and case.route not in ("audit:list", "GET /api/v1/audit/"):
            assert case.list_marker(seeded) in text(resp)


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.route)
def test_it_lets_allowed_users_through(client, seeded, case):
    login(client, seeded.official_a)
    resp = call(client, case, seeded)
    assert resp.status_code == case.ok_status, resp.content[:500]
    if case.list_marker is not None:
        assert case.list_marker(seeded) in text(resp)
