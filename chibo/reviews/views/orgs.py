"""Pages of the review: orgs."""

from __future__ import annotations

urls: list = []
