"""The unit page shows the members' and meetings' sections through core's registry: org
imports neither app, and without their registrations the page still stands."""

from django.urls import reverse

from chibo.core import hooks
from tests.world import PASSWORD, make_member


def test_members_and_meetings_add_their_sections(world, client):
    cell = world.cells_a[0]
    make_member(cell, "Lò Văn Một")
    make_member(cell, "Lò Văn Hai")
    client.login(username="canbo.a", password=PASSWORD)
    page = client.get(reverse("org:unit", args=[cell.pk])).content.decode()
    assert 'data-testid="member-count">2 (chính thức 2)' in page
    assert 'data-testid="meeting-links"' in page and 'data-testid="seats"' in page
    # The members' panel raises the structural warning that needs their count (minimum 3).
    assert "Chi bộ chỉ có 2 đảng viên chính thức (cần ít nhất 3)." in page


def test_without_them_the_page_still_stands(world, client, monkeypatch):
    monkeypatch.setattr(hooks, "_registry", {})
    client.login(username="canbo.a", password=PASSWORD)
    resp = client.get(reverse("org:unit", args=[world.cells_a[0].pk]))
    page = resp.content.decode()
    assert resp.status_code == 200 and "Chi bộ thôn Đông" in page
    assert "member-count" not in page and "meeting-links" not in page
