"""Least privilege (issue 11, finding 3): a follower reads the meetings, attendance and counts of
the cells they follow, never member records or accounts; a member reads their own record and
their cell's meetings. Every records route, for both, is what a stranger gets."""

import pytest
from django.urls import reverse

from chibo.accounts.choices import Role
from chibo.core.scope import can
from tests.world import make_member, make_user

from .scope_cases import ALL_CASES, MEMBER_CASES
from .test_scope_routes import _hidden, login, text

pytestmark = pytest.mark.django_db

RECORDS = [
    c
    for c in ALL_CASES
    if not c.self_service
    and (
        c in MEMBER_CASES
        or c.route.startswith(("accounts:", "audit:", "GET /api/v1/accounts", "GET /api/v1/audit"))
        or c.route.startswith(("GET /api/v1/members", "POST /api/v1/members"))
    )
]


@pytest.fixture
def people(seeded):
    follower = seeded.extra["follower"]  # a FOLLOWER grant on commune A, following its cell
    me = make_member(seeded.cells_a[0], "Quàng Thị Mai")
    member_user = make_user("dv.mai", seeded.cells_a[0], Role.MEMBER)
    me.user = member_user
    me.save(update_fields=["user"])
    return follower, member_user, me


def test_the_records_routes_are_many():
    assert len(RECORDS) > 30  # the filter above really picks the records routes


@pytest.mark.parametrize("case", RECORDS, ids=lambda c: c.route)
def test_followers_and_members_read_no_records(client, seeded, people, case):
    follower, member_user, _me = people
    for user in (follower, member_user):
        _hidden(client, case, seeded, user, no_grant=True)  # no grant for records at all


def test_a_follower_reads_the_meetings_and_counts_of_the_cells_followed(client, seeded, people):
    follower, _m, _me = people
    cell = seeded.cells_a[0]
    login(client, follower)
    page = client.get(reverse("org:unit", args=[cell.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="member-count"' in body  # counts: yes
    assert 'data-testid="member-links"' not in body and "Lò Văn Đôi" not in body  # names: no
    meeting = seeded.extra["prepared"]
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 200
    assert can(follower, "meetings", cell) and not can(follower, "view", cell)
    # nothing of commune B
    assert client.get(reverse("org:unit", args=[seeded.cell_b.pk])).status_code == 404


def test_a_member_reads_their_own_record_and_their_cells_meetings(client, seeded, people):
    _f, member_user, me = people
    login(client, member_user)
    own = client.get(reverse("members:detail", args=[me.pk]))
    assert own.status_code == 200 and "Quàng Thị Mai" in own.content.decode()
    other = seeded.extra["member"]  # Lò Văn Đôi, same cell
    assert client.get(reverse("members:detail", args=[other.pk])).status_code == 404
    assert client.get(f"/api/v1/members/{other.pk}").status_code == 404
    assert client.get(f"/api/v1/members/{me.pk}").status_code == 200
    # reading is all: the owner of a record does not edit it
    assert not can(member_user, "members", me) and not can(
        member_user, "members", seeded.cells_a[0]
    )
    edit = client.post(reverse("members:edit", args=[me.pk]), {"given_name": "X"})
    assert edit.status_code in (403, 404)
    assert (
        client.get(reverse("meetings:detail", args=[seeded.extra["prepared"].pk])).status_code
        == 200
    )
    # the accounts list, export and API hold only their own account
    listing = text(client.get(reverse("accounts:list")))
    assert "dv.mai" in listing and "canbo.a" not in listing and "xem.a" not in listing
    api = client.get("/api/v1/accounts/").json()
    assert [a["username"] for a in api] == ["dv.mai"]
