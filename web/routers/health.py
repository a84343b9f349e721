"""``GET /health``: is the API able to work (database and broker answer)?"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api_core import health
from api_core.deps import request_engine
from api_core.errors import ErrorBody, error_response
from web.schemas import HealthPublic

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    response_model=HealthPublic,
    summary="Health of the API, its database and its broker",
    responses={503: {"model": ErrorBody, "description": "The database or the broker is down."}},
)
def get_health(request: Request) -> Any:
    database = health.check_database(request_engine(request))
    broker = health.check_broker(request.app.state.settings)
    if database is None and broker is None:
        return HealthPublic(version=health.version())
    down = [name for name, problem in (("database", database), ("broker", broker)) if problem]
    code = f"{down[0]}_unavailable" if len(down) == 1 else "service_unavailable"
    problems = "; ".join(p for p in (database, broker) if p)
    detail = problems[:1].upper() + problems[1:] + "."
    response: JSONResponse = error_response(
        503,
        code,
        detail,
        database="down" if database else "ok",
        broker="down" if broker else "ok",
        version=health.version(),
    )
    return response
