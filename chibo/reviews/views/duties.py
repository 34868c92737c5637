"""Pages of the review: duties."""

from __future__ import annotations

urls: list = []
