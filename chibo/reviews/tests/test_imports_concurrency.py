"""Two imports of the same old results at the same moment, on PostgreSQL's real concurrent
transactions: one writes every row, the other nothing, with a Vietnamese message."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from chibo.core.testing import together
from chibo.reviews.models import Rating
from chibo.reviews.services import imports

from .test_imports import _book, old  # noqa: F401  (the fixture)

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="real concurrent transactions need PostgreSQL (SQLite serializes writers)",
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.today("2026-11-16"),
]

ROWS = [
    [
        y,
        "Chi bộ bản Cũ",
        "Lò Văn Pọm",
        None,
        "Đủ tư cách, hoàn thành tốt nhiệm vụ",
        None,
        None,
        None,
    ]
    for y in (2014, 2015, 2016, 2017)
]


def test_the_same_results_imported_twice_at_once_are_written_once(old):  # noqa: F811
    def run():
        return imports.commit(imports.read_sheet(_book(ROWS)), old["commune"], actor=old["staff"])

    outcomes = together(run, run)
    written = [value for ok, value in outcomes if ok]
    refused = [value for ok, value in outcomes if not ok]
    assert written == [4] and len(refused) == 1, outcomes
    assert isinstance(refused[0], ValidationError)
    assert "cùng lúc: chưa ghi gì" in refused[0].messages[0]
    assert Rating.objects.filter(member=old["pom"], current=True).count() == 4
