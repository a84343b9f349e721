"""The HTTP application: ``create_app()`` builds it, ``uvicorn web.app:create_app --factory``
serves it.

It wires the pieces together and holds no logic: the settings and the engine on
``app.state``, the request-id middleware, the one error shape, and the routers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api_core.errors import install_error_handlers
from api_core.health import version
from api_core.request_id import RequestIdMiddleware
from logistics.config import Settings, get_settings
from logistics.db import get_engine, make_engine
from mobile_api.router import router as mobile_router
from web.routers import agency_pages, auth, catalog, dossiers, handovers, health, items, tracking_page, twilio_webhook
from web.routers import console_page, dispatch, dispatch_adjust

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

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
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
    )
    app.state.settings = settings
    app.state.engine = engine

    app.add_middleware(RequestIdMiddleware)
    install_error_handlers(app)

    app.include_router(health.router)
    app.include_router(auth.router)
    app.include_router(catalog.router)
    app.include_router(dossiers.router)
    app.include_router(items.router)
    app.include_router(handovers.router)
    app.include_router(agency_pages.router)
    app.include_router(twilio_webhook.router)
    app.include_router(tracking_page.router)
    app.include_router(mobile_router, prefix="/mobile/v1")
    app.include_router(dispatch.router)
    app.include_router(dispatch_adjust.router)
    app.include_router(console_page.router)
    app.mount("/static", StaticFiles(directory=console_page.STATIC_DIR), name="static")
    return app
