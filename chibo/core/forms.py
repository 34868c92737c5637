"""The one way a page turns a service's refusal into what the user reads, in the service's
Vietnamese words, nothing changed: a form's errors (`add_errors`, `attempt`), the page's
messages after a redirect (`run`), or sentences for a JSON answer (`messages_of`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError


def add_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on `form`: per field where the error names a field of
    the form, otherwise as the form's own errors."""
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        for msg in exc.messages:
            form.add_error(None, str(msg))


def attempt[T](form, call: Callable[[], T]) -> T | None:
    """Run a service call for a form; a refusal becomes the form's errors and the result is
    None, so the page shows the rule's reason and nothing changed."""
    try:
        return call()
    except ValidationError as exc:
        add_errors(form, exc)
        return None


def messages_of(form) -> list[str]:
    """A bound form's errors as plain sentences ("Ngày họp: …"), for a JSON answer or a list."""
    out = []
    for field, errs in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        out += [f"{label}: {e}" if label else str(e) for e in errs]
    return out


@dataclass(frozen=True)
class Outcome:
    """What `run` did: `ok` (also its truth value) and the service's result."""

    ok: bool
    value: Any = None

    def __bool__(self) -> bool:
        return self.ok


def run(request, call: Callable[[], Any], ok_message: str) -> Outcome:
    """Run a service call for a page that answers with a redirect: its refusal becomes the
    page's error messages (nothing changed), its success the `ok_message`."""
    try:
        value = call()
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
        return Outcome(False)
    messages.success(request, ok_message)
    return Outcome(True, value)
