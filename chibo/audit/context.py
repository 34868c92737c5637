"""Request context (request id, IP) carried to the services without passing the request."""

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip: str | None = None
    source: str = "system"  # web, api, command, import, test


current: contextvars.ContextVar[RequestContext] = contextvars.ContextVar(
    "chibo_request_context",
    default=RequestContext(),  # noqa: B039 (frozen dataclass)
)
