"""Pages of the review: reports."""

from __future__ import annotations

urls: list = []
