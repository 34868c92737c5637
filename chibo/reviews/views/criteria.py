"""Pages of the review: criteria."""

from __future__ import annotations

urls: list = []
