"""The report page: the table by level and the sentence, for a unit and years in scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from chibo.core.actors import SYSTEM
from chibo.reviews.services.history import record_ratings
from tests.world import make_member

pytestmark = [pytest.mark.django_db, pytest.mark.today("2026-03-01")]


@pytest.fixture
def rated(world):
    cell = world.cells_a[0]
    members = [make_member(cell, f"Lò Văn Pọm{i}") for i in range(4)]
    rows = []
    for year, labels in ((2020, ["htxs", "htt", "ht", "khtnv"]), (2021, ["htxs", "htxs", "htt"])):
        for m, label in zip(members, labels, strict=False):
            rows.append(
                {
                    "year": year,
                    "unit": cell,
                    "member": m,
                    "label": label,
                    "decided_on": dt.date(year, 12, 20),
                }
            )
    record_ratings(actor=SYSTEM, rows=rows)
    return world


def url(w, **q):
    base = reverse("reviews:report", args=[w.commune_a.pk])
    return base + "?" + "&".join(f"{k}={v}" for k, v in q.items())


def test_it_shows_pooled_and_mean_figures_and_the_sentence(client, rated):
    client.force_login(rated.viewer_a)
    page = client.get(url(rated, **{"from": 2020, "to": 2021, "method": "pooled"}))
    html = page.content.decode()
    # Pooled: 3 HTXS of 7 = 42,9 %; HTNV or above 6 of 7 = 85,7 %.
    assert page.status_code == 200
    assert "Tổng hợp số liệu 2 năm (2020–2021), toàn Đảng bộ có 85,7% đảng viên" in html
    assert "trong đó 42,9% hoàn thành xuất sắc nhiệm vụ" in html
    mean = client.get(url(rated, **{"from": 2020, "to": 2021, "method": "mean", "decimals": 0}))
    # Mean: (1/4 + 2/3) / 2 = 45,8 % → 46 %; HTNV or above (3/4 + 1) / 2 = 87,5 % → 88 %.
    text = mean.content.decode()
    assert "Bình quân 2 năm (2020–2021), toàn Đảng bộ có 88% đảng viên" in text
    assert "trong đó 46% hoàn thành xuất sắc nhiệm vụ" in text


def test_bad_input_falls_back_and_too_many_years_are_refused_with_a_message(client, rated):
    client.force_login(rated.viewer_a)
    page = client.get(url(rated, **{"from": "x", "to": 2021, "method": "nope", "decimals": 9}))
    assert page.status_code == 200 and "Năm 2021, toàn Đảng bộ có 100,00%" in page.content.decode()
    page = client.get(url(rated, **{"from": 2000, "to": 2021}))
    assert "Chỉ xem được tối đa 10 năm một lần." in page.content.decode()


def test_organizations_report(client, rated):
    cell = rated.cells_a[1]
    record_ratings(
        actor=SYSTEM,
        rows=[{"year": 2021, "unit": cell, "label": "htt", "decided_on": dt.date(2022, 1, 10)}],
    )
    client.force_login(rated.official_a)
    page = client.get(url(rated, **{"from": 2021, "to": 2021, "subject": "orgs", "decimals": 0}))
    assert "Năm 2021, 100% chi bộ đạt trong sạch, vững mạnh" in page.content.decode()


def test_the_unit_page_links_to_last_years_report(client, world):
    client.force_login(world.viewer_a)
    page = client.get(reverse("org:unit", args=[world.commune_a.pk]))
    html = page.content.decode()
    assert 'data-testid="rating-report-link"' in html
    assert reverse("reviews:report", args=[world.commune_a.pk]) + "?from=2025&amp;to=2025" in html
