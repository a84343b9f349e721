"""Fixtures for the postmen's API: the router on a bare app over the rolled-back test
session (each request in a savepoint, as in tests/web), and a world with a route."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from api_core.errors import install_error_handlers
from api_core.request_id import RequestIdMiddleware
from logistics.workdays import LOCAL_TZ
from mobile_api.router import router
from tests.logistics.tracking.scan_world import ScanWorld, build_scan_world
from tests.web.factories import PASSWORD
from support.sessions import serve_from


@pytest.fixture()
def sw(session: Session) -> ScanWorld:
    return build_scan_world(session, proof_signature=False)


@pytest.fixture()
def sw_today(session: Session) -> ScanWorld:
    """The same world with its route on today's date in Vietnam: for requests the server
    checks against its own clock (a delivery code, a proof upload)."""
    return build_scan_world(session, proof_signature=False, day=datetime.now(LOCAL_TZ).date())


@pytest.fixture()
def client(session: Session) -> Iterator[TestClient]:
    app = FastAPI()
    app.add_middleware(RequestIdMiddleware)
    install_error_handlers(app)
    app.include_router(router, prefix="/mobile/v1")

    serve_from(app, session)
    with TestClient(app, raise_server_exceptions=True) as client:
        yield client


def sign_in(client: TestClient, username: str = "postman_a", device_id: str = "phone-a-0001") -> dict[str, str]:
    """Sign in from a phone; the Authorization header for it."""
    response = client.post("/mobile/v1/auth/sign-in", json={"username": username, "pin": PASSWORD, "device_id": device_id})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
