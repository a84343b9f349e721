"""``GET /metrics``: Prometheus metrics of every API and worker process (not in the
public API documentation; behind ``METRICS_TOKEN`` when one is set)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from api_core.deps import SessionDep
from api_core.observability import check_metrics_token, metrics_response

router = APIRouter(include_in_schema=False)


@router.get("/metrics", dependencies=[Depends(check_metrics_token)])
def prometheus_metrics(session: SessionDep) -> Response:
    return metrics_response(session)
