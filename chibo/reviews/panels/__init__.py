"""Panels, cards, agenda lines and deadline items the review registers (core.hooks)."""
