"""A request id on every request: taken from ``X-Request-ID`` when the caller (a proxy,
a phone) sent a sane one, made up otherwise, echoed on the response and available to
logs through :func:`current_request_id` (the context variable of ``logistics.logs``,
which puts it on every log line, the worker's included).

A plain ASGI middleware rather than ``BaseHTTPMiddleware``: it adds no task per
request and does not get in the way of exceptions reaching their handlers.

An id the log masking would change is not taken: a phone number (``0912345678``) is a
sane id, and the id is written as it is on every log line of its request.
"""

from __future__ import annotations

import re
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from logistics.logs import bind_request_id, current_request_id, reset_request_id
from logistics.redaction import Redactor

__all__ = ["REQUEST_ID_HEADER", "RequestIdMiddleware", "current_request_id"]

REQUEST_ID_HEADER = "X-Request-ID"
# Ids we accept from outside: short and printable, so they are safe in logs.
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_MASKING = Redactor()

class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = ""
        for name, value in scope.get("headers", ()):
            if name == b"x-request-id":
                incoming = value.decode("latin-1").strip()
                break
        sane = _SANE_ID.fullmatch(incoming) is not None and _MASKING.text(incoming) == incoming
        request_id = incoming if sane else uuid.uuid4().hex
        # In the shared scope, so the outermost error handler (outside this
        # middleware) can still name the request.
        scope.setdefault("state", {})["request_id"] = request_id
        token = bind_request_id(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            reset_request_id(token)
