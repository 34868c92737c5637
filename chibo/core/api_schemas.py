"""Schemas shared by every API router."""

import datetime as dt
import re
from typing import Annotated, Any

from ninja import Schema
from pydantic import BeforeValidator, ConfigDict


class Error(Schema):
    """401/403/404 carry a Vietnamese message; 400 a list of messages; 422 ninja's field errors."""

    detail: str | list[str] | list[dict[str, Any]]


# Responses every operation may give besides its successes.
COMMON = {401: Error, 422: Error}


def _iso_only(value: Any) -> Any:
    # Pydantic would read 0 or 1.7e9 as Unix times; an API date is "YYYY-MM-DD" and nothing else.
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("Ngày phải có dạng YYYY-MM-DD.")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_only)]


class InSchema(Schema):
    """Base of request bodies: unknown fields are refused (422), not silently ignored."""

    model_config = ConfigDict(extra="forbid")
