"""The one way a page turns a service's refusal into a form's errors (and back, for JSON
answers): a ValidationError's messages go to their fields when it names them, else to the
form as a whole, in the service's Vietnamese words; nothing changed."""

from __future__ import annotations

from collections.abc import Callable

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
