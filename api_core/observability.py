"""Per-request metrics and the access log line, and the ``/metrics`` exposition.

:class:`RequestObservationMiddleware` times every HTTP request and, once it is
answered, counts it in ``logistics.metrics`` by method, route TEMPLATE and status
(``/api/v1/items/{s10}``: raw paths would make one series per item and put tracking
tokens in the metrics) and writes one ``logistics.access`` log line with the same
fields. It sits inside the request-id middleware, so the line carries the request id.

:func:`metrics_response` renders every process's metrics plus the outbox backlog read
from the database; ``GET /metrics`` (``web.routers.metrics``) serves it, behind
``METRICS_TOKEN`` when one is set.
"""

from __future__ import annotations

import hmac
import logging
import time
from functools import lru_cache

from fastapi import Request, Response
from sqlmodel import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api_core.routes import route_template
from logistics import metrics
from logistics.config import Settings, get_settings
from logistics.exceptions import Unauthorized
from logistics.logs import masked_already
from logistics.notify import outbox
from logistics.redaction import Redactor

access_log = logging.getLogger("logistics.access")
log = logging.getLogger(__name__)

UNMATCHED = "<unmatched>"


class RequestObservationMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # unless a response starts

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            seconds = time.perf_counter() - started
            method = scope.get("method", "GET")
            route = route_template(scope["app"], scope) if "app" in scope else None
            route = route or UNMATCHED
            metrics.http_request(method, route, status, seconds)
            method, route = _masked(method, route)
            access_log.info(
                "%s %s %d %.1f ms", method, route, status, seconds * 1000,
                extra=masked_already({"method": method, "route": route, "status": status,
                                      "duration_ms": round(seconds * 1000, 1)}),
            )


@lru_cache(maxsize=1024)
def _masked(method: str, route: str) -> tuple[str, str]:
    """The access line's text, masked once per value: both come from small sets (HTTP
    methods; the app's route templates, never a raw path with a tracking token or a
    phone in it), and the request id is vetted where it is taken (``api_core.request_id``).
    Masking every line again cost ~3 % of a tracking page (callgrind, 2026-12)."""
    return _MASKING.text(method), _MASKING.text(route)


_MASKING = Redactor()


def _request_settings(request: Request) -> Settings:
    return getattr(request.app.state, "settings", None) or get_settings()


def check_metrics_token(request: Request) -> None:
    """With ``METRICS_TOKEN`` set, only ``Authorization: Bearer <that token>`` may scrape."""
    expected = _request_settings(request).metrics_token.get_secret_value()
    if not expected:
        return
    sent = request.headers.get("authorization", "")
    scheme, _, token = sent.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected.encode()):
        raise Unauthorized("Scraping the metrics needs the metrics token.", code="invalid_metrics_token")


def metrics_response(session: Session) -> Response:
    """The exposition, with the outbox backlog when the database answers."""
    extra = []
    try:
        extra.append(metrics.outbox_backlog_family(outbox.backlog(session)))
    except Exception as exc:  # a scrape still answers when the database does not
        session.rollback()
        log.warning("metrics: outbox backlog unavailable (%s)", type(exc).__name__)
    return Response(metrics.exposition(extra), media_type=metrics.CONTENT_TYPE)
