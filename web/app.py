"""The HTTP application: ``create_app()`` builds it, ``uvicorn web.app:create_app --factory``
serves it.

It wires the pieces together and holds no logic: the settings and the engine on
``app.state``, the request-id middleware, the one error shape, and the routers.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api_core.body_limit import BodyLimitMiddleware
from api_core.errors import install_error_handlers
from api_core.health import version
from api_core.observability import RequestObservationMiddleware
from api_core.request_id import RequestIdMiddleware
from api_core.routes import remember_routes
from logistics.config import Settings, get_settings
from logistics.db import get_engine, make_engine
from logistics.logs import configure_logging
from mobile_api.router import router as mobile_router
from web.routers import metrics as metrics_router
from web.routers import (
    agency_pages,
    auth,
    catalog,
    console_page,
    day_files,
    dispatch,
    dispatch_adjust,
    dossiers,
    handovers,
    health,
    imports,
    items,
    reports,
    tracking_page,
    twilio_webhook,
    webhooks,
)

DESCRIPTION = """\
**Bưu chính công ích — tiếp nhận hồ sơ và trả kết quả thủ tục hành chính.**
Hệ thống điều phối việc nhận hồ sơ tại nhà hoặc tại Bộ phận Một cửa, chuyển đến cơ quan
giải quyết, và trả kết quả về tận nhà người dân.

**Public postal service for administrative procedures.** Logistics of dossiers from
citizens' homes and one-stop counters to the deciding agencies, and of results back to
citizens: intake, items with UPU S10 identifiers, scoped reads for dispatchers, counter
and agency clerks.

Every error has one shape: `{"error": "<machine code>", "detail": "<sentence>"}`
(plus `fields` when the request body or parameters are refused). Sign in with
`POST /api/v1/auth/token` and send `Authorization: Bearer <access_token>`.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    """The web application; ``settings`` (tests, tools) gets its own database engine."""
    # Given settings get an engine of their own, closed with the app; the default app
    # shares the process-wide engine (the CLI and tasks use it too).
    owns_engine = settings is not None
    engine = make_engine(settings.database_url, echo=settings.database_echo) if settings is not None else get_engine()
    settings = settings or get_settings()
    # Run as `uvicorn web.app:create_app --factory`, nothing has set logging up yet
    # (`logistics serve` and test runners have).
    configure_logging(settings, only_if_unconfigured=True)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        remember_routes(app)  # the access log's route templates, not in the first request
        # What start-up built lives as long as the process: out of the collector's
        # generations, so that full collections under load stay short.
        gc.freeze()
        yield
        if owns_engine:
            engine.dispose()

    app = FastAPI(
        title="bcci-logistics",
        description=DESCRIPTION,
        version=version(),
        docs_url="/docs",
        openapi_url="/openapi.json",
        redoc_url=None,
        lifespan=lifespan,
        # No OpenTelemetry here (metrics are the Prometheus middleware's): without this,
        # every request asks OpenTelemetry's globals whether a provider was configured.
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
    )
    app.state.settings = settings
    app.state.engine = engine

    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_request_body_bytes)
    app.add_middleware(RequestObservationMiddleware)  # inside the request id: its log line names it
    app.add_middleware(RequestIdMiddleware)
    install_error_handlers(app)

    # Routes are matched in order, one by one (~100 of them): the public hot paths first
    # (the citizens' tracking links, the phones' API), then the rest. No path of one
    # of these routers can match another's (/health, /t/..., /mobile/v1/...), so the
    # order changes nothing but the time it takes to find a route.
    app.include_router(health.router)
    app.include_router(tracking_page.router)
    app.include_router(mobile_router, prefix="/mobile/v1")
    app.include_router(metrics_router.router)
    app.include_router(auth.router)
    app.include_router(catalog.router)
    app.include_router(dossiers.router)
    app.include_router(items.router)
    app.include_router(handovers.router)
    app.include_router(day_files.router)
    app.include_router(agency_pages.router)
    app.include_router(twilio_webhook.router)
    app.include_router(reports.router)
    app.include_router(reports.pages)
    app.include_router(imports.router)
    app.include_router(imports.pages)
    app.include_router(webhooks.router)
    app.include_router(dispatch.router)
    app.include_router(dispatch_adjust.router)
    app.include_router(console_page.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).resolve().parent / "static"), name="static")
    return app
