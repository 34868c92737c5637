from django.http import HttpResponseBadRequest, JsonResponse

from chibo.core.net import from_trusted_proxy

MESSAGE = "Dữ liệu gửi lên có ký tự NUL (\\0), không hợp lệ."


def _printable(text: str) -> str:
    """A client-supplied name, shown back without control characters and at most 40 long."""
    return "".join(c for c in text if c.isprintable())[:40]


class ForwardedProtoFromProxyOnlyMiddleware:
    """Django believes SECURE_PROXY_SSL_HEADER from whoever sends it; we believe it only from our
    own proxy (CHIBO_TRUSTED_PROXIES), like X-Forwarded-For in chibo.core.net. A client that
    reaches the app server directly and claims "https" would otherwise skip the HTTPS redirect
    and be handed secure cookies over plain HTTP. First in MIDDLEWARE, before SecurityMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "HTTP_X_FORWARDED_PROTO" in request.META and not from_trusted_proxy(request):
            del request.META["HTTP_X_FORWARDED_PROTO"]
        return self.get_response(request)


class RejectNulMiddleware:
    """A NUL character can't be stored in PostgreSQL text: refuse it at the door, with a clear
    message, instead of failing deep inside a query (SQLite would store it silently)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": MESSAGE}, status=422)
            return HttpResponseBadRequest(MESSAGE)
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        if "\x00" in request.path or any(
            "\x00" in k or "\x00" in v for k, vs in request.GET.lists() for v in [k, *vs]
        ):
            return True
        ctype = request.content_type or ""
        if ctype.startswith("multipart/") or ctype == "application/x-www-form-urlencoded":
            try:
                fields = request.POST.lists()
            except Exception:  # noqa: BLE001 — a malformed body is the view's to refuse
                return False
            return any("\x00" in v for vs in fields for v in [vs[0], *vs[1]])
        if request.method in ("POST", "PUT", "PATCH"):
            body = request.body
            return b"\x00" in body or b"\\u0000" in body
        return False


class RejectRepeatedApiParamsMiddleware:
    """Every API query parameter is a single value: one given twice is refused (422) rather
    than one of them silently counting. Runs after RejectNulMiddleware, so a name shown back
    never carries a NUL."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            repeated = sorted(k for k, vs in request.GET.lists() if len(vs) > 1)
            if repeated:
                return JsonResponse(
                    {
                        "detail": [
                            f"Tham số “{_printable(k)}” chỉ được ghi một lần." for k in repeated
                        ]
                    },
                    status=422,
                )
        return self.get_response(request)
