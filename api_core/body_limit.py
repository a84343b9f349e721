"""One ceiling on every request body, before any route reads it.

Routes that take files or batches have tighter limits of their own (the proof photo,
the scan batch); this is the net under all the others (JSON bodies, forms, the Twilio
webhook), so that no request can make the API read and parse an arbitrarily large
body. A declared ``Content-Length`` over the limit is answered 413 at once; a chunked
body is counted as it arrives and refused with 413 as soon as it passes the limit.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api_core.errors import error_response

DEFAULT_MAX_BODY_BYTES = 6 * 1024 * 1024  # a 5 MiB proof photo and its multipart envelope


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self.app, self.max_bytes = app, max_bytes

    def _sentence(self) -> str:
        return f"The request body may be at most {self.max_bytes // 1024} KiB."

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                declared = value.decode("latin-1").strip()
                if not declared.isdigit() or int(declared) > self.max_bytes:
                    response = error_response(413, "payload_too_large", self._sentence(), headers={"Connection": "close"})
                    await response(scope, receive, send)
                    return
                break
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # Raised inside the route's body read: FastAPI lets an HTTPException
                    # through (any other error would become a 400) to the error handlers.
                    raise HTTPException(413, self._sentence())
            return message

        await self.app(scope, counted, send)
