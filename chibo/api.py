"""The JSON API (/api/v1/): session auth for the browser, personal Bearer tokens for scripts.
Reads go through restrict(); writes through the same services as the pages."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from ninja import NinjaAPI
from ninja.security import APIKeyCookie, HttpBearer

from chibo.accounts.api import router as accounts_router
from chibo.accounts.services import user_for_token
from chibo.audit.api import router as audit_router
from chibo.meetings.api import router as meetings_router
from chibo.members.api import router as members_router
from chibo.org.api import router as org_router
from chibo.reviews.api import router as reviews_router


class SessionAuth(APIKeyCookie):
    """Django session cookie; CSRF is checked for unsafe methods (ninja's default)."""

    param_name = "sessionid"

    def authenticate(self, request, key):
        return request.user if request.user.is_authenticated else None


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


def _no_nul(node) -> None:
    """Every free-text string in the schema says what the API enforces: no NUL character
    (PostgreSQL text cannot hold it; RejectNulMiddleware refuses it with 422)."""
    if isinstance(node, dict):
        if node.get("type") == "string" and not ({"format", "enum", "pattern"} & node.keys()):
            node["pattern"] = "^[^\\x00]*$"
        for v in node.values():
            _no_nul(v)
    elif isinstance(node, list):
        for v in node:
            _no_nul(v)


class ChiboAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        _no_nul(schema)
        return schema


api = ChiboAPI(
    title="chibo API",
    version="1",
    description="Tổ chức đảng, sắp xếp tổ chức, đảng viên, sinh hoạt chi bộ, tài khoản và nhật "
    "ký. Mọi dữ liệu theo phạm vi quyền của người gọi.",
    auth=[SessionAuth(), TokenAuth()],
    urls_namespace="api",
)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Không có quyền."}, status=403)


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    return api.create_response(request, {"detail": exc.messages}, status=400)


@api.exception_handler(OverflowError)
def _out_of_range(request, exc):
    # A deadline or a period computed past 31/12/9999 from an extreme date.
    return api.create_response(
        request, {"detail": ["Ngày nằm ngoài phạm vi tính toán được."]}, status=400
    )


api.add_router("/units", org_router)
api.add_router("/accounts", accounts_router)
api.add_router("/audit", audit_router)
api.add_router("/members", members_router)
api.add_router("/meetings", meetings_router)
api.add_router("/reviews", reviews_router)


def today() -> dt.date:
    return timezone.localdate()
