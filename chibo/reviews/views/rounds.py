"""Pages of the review: rounds."""

from __future__ import annotations

urls: list = []
