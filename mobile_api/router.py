"""The postmen's API, to be mounted with ``app.include_router(router, prefix="/mobile/v1")``."""

from __future__ import annotations

from fastapi import APIRouter

from mobile_api import auth, handovers, pings, proofs, route, scans

router = APIRouter()
for module in (auth, route, scans, proofs, pings, handovers):
    router.include_router(module.router)
