"""Pages of the review: history."""

from __future__ import annotations

urls: list = []
