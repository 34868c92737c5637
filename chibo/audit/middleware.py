import uuid

from chibo.core.net import client_ip

from .context import RequestContext, current


class RequestContextMiddleware:
    """Gives every request an id (echoed in X-Request-ID) that its audit rows carry."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rid = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
        source = "api" if request.path.startswith("/api/") else "web"
        token = current.set(RequestContext(rid, client_ip(request), source))
        request.request_id = rid
        try:
            response = self.get_response(request)
        finally:
            current.reset(token)
        response["X-Request-ID"] = rid
        return response
