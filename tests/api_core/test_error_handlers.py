"""The error handlers render every kind of failure in the one shape."""

from __future__ import annotations

import logging

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy import exc as sa_exc

from api_core.errors import install_error_handlers
from api_core.fields import S10Code, VnMobile
from api_core.request_id import RequestIdMiddleware
from logistics.exceptions import Conflict, InvalidInput

PHONE = "+84912345678"


class Body(BaseModel):
    s10: S10Code
    phone: VnMobile


@pytest.fixture()
def client() -> TestClient:
    app = FastAPI()
    app.add_middleware(RequestIdMiddleware)
    install_error_handlers(app)

    @app.post("/echo")
    def echo(body: Body) -> dict:
        return body.model_dump()

    @app.get("/conflict")
    def conflict() -> None:
        raise Conflict("Dossier X exists.", code="dossier_exists")

    @app.get("/invalid")
    def invalid() -> None:
        raise InvalidInput("Bad window.", code="invalid_time_window")

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError(f"secret personal data {PHONE}")

    @app.get("/db-down")
    def db_down() -> None:
        raise sa_exc.OperationalError("select 1", {"phone": PHONE}, Exception("connection refused"))

    @app.get("/lost-connection-commit")
    def lost_connection_commit() -> None:
        # What Connection.commit raises after a swallowed disconnect.
        raise sa_exc.PendingRollbackError("Can't reconnect until invalid transaction is rolled back.", code="8s2b")

    @app.get("/pending-rollback")
    def pending_rollback() -> None:
        raise sa_exc.PendingRollbackError("rolled back due to a previous exception during flush", code="7s2a")

    @app.get("/race")
    def race() -> None:
        raise sa_exc.IntegrityError("insert", {"phone": PHONE}, Exception("duplicate key"))

    return TestClient(app, raise_server_exceptions=False)


def test_domain_errors_keep_their_status_and_code(client):
    """A DomainError answers its own status code, machine code and sentence."""
    assert client.get("/conflict").json() == {"error": "dossier_exists", "detail": "Dossier X exists."}
    assert client.get("/conflict").status_code == 409
    assert client.get("/invalid").status_code == 422


def test_a_domain_field_error_surfaces_its_code(client):
    """A field refused by a domain rule puts the rule's code at the top level."""
    response = client.post("/echo", json={"s10": "EB123456789VN", "phone": "0912345678"})
    body = response.json()
    assert (response.status_code, body["error"]) == (422, "invalid_s10_check_digit")
    assert body["detail"].startswith("s10: S10 identifier EB123456789VN: check digit should be")
    assert body["fields"] == [{"loc": ["body", "s10"], "code": "invalid_s10_check_digit", "message": body["detail"][5:]}]


def test_fields_normalise(client):
    """Valid values come out normalised: S10 uppercased, phone in E.164."""
    response = client.post("/echo", json={"s10": "rr 473 124 829 vn", "phone": "0912 345 678"})
    assert response.json() == {"s10": "RR473124829VN", "phone": PHONE}


def test_pydantic_errors_are_validation_error(client):
    """A plain type error is 422 validation_error with its field listed."""
    response = client.post("/echo", json={"s10": 5, "phone": "0912345678"})
    body = response.json()
    assert (response.status_code, body["error"]) == (422, "validation_error")
    assert body["fields"][0]["loc"] == ["body", "s10"]


def test_unexpected_errors_are_500_without_personal_data(client, caplog):
    """An unhandled exception answers 500 internal_error naming the request id; the log
    names the request too but holds neither the message nor the data in it."""
    with caplog.at_level(logging.ERROR, logger="api_core.errors"):
        response = client.get("/boom", headers={"X-Request-ID": "req-42"})
    assert response.status_code == 500
    body = response.json()
    assert body["error"] == "internal_error"
    assert "req-42" in body["detail"]
    assert response.headers["x-request-id"] == "req-42"
    assert PHONE not in response.text
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "req-42" in logged and "RuntimeError" in logged
    assert PHONE not in logged


def test_database_errors(client):
    """A connection failure is 503 database_unavailable; a lost insert race is 409 conflict."""
    down = client.get("/db-down")
    assert (down.status_code, down.json()["error"]) == (503, "database_unavailable")
    assert PHONE not in down.text
    race = client.get("/race")
    assert (race.status_code, race.json()["error"]) == (409, "conflict")
    assert PHONE not in race.text


def test_a_commit_after_a_lost_connection_is_503(client):
    """The connection died and the error was handled on the way: the commit's
    PendingRollbackError says the database is gone (503, retry); any other is a bug (500)."""
    lost = client.get("/lost-connection-commit")
    assert (lost.status_code, lost.json()["error"]) == (503, "database_unavailable")
    other = client.get("/pending-rollback")
    assert (other.status_code, other.json()["error"]) == (500, "internal_error")
