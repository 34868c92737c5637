"""What the review adds to other apps' pages through core.hooks: duties."""

from __future__ import annotations


def register() -> None:
    """Called from ReviewsConfig.ready()."""
